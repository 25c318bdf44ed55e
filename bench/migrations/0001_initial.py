import django.contrib.gis.db.models.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="BenchPoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40)),
                ("category", models.SmallIntegerField()),
                ("value", models.FloatField()),
                ("geom", django.contrib.gis.db.models.fields.PointField(spatial_index=False, srid=4326)),
            ],
        ),
        migrations.CreateModel(
            name="BenchPolygon",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40)),
                ("category", models.SmallIntegerField()),
                ("geom", django.contrib.gis.db.models.fields.PolygonField(spatial_index=False, srid=4326)),
            ],
        ),
        # GiST indexes are built after the bulk load (bench/seed.py), under these names.
    ]
