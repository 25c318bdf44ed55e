# The pre-generalised lines and polygons are kept per zoom, in tile units, with the features too small to draw
# merged into counted cells (layers/aggregates.py). The rows are derived data: the old ones are dropped with the
# state that let tiles read them, so those layers draw their low zooms per request until
# `manage.py build_tile_aggregates` (or their next full change) builds them again.

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0007_basemap_features'),
    ]

    operations = [
        migrations.RunSQL(
            "DELETE FROM layers_tileaggregatestate WHERE layer IN (SELECT DISTINCT layer FROM layers_tileshape)",
            migrations.RunSQL.noop),
        migrations.DeleteModel(name='TileShape'),
        migrations.CreateModel(
            name='TileShape',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('layer', models.CharField(max_length=140)),
                ('zoom', models.SmallIntegerField()),
                ('feature_id', models.BigIntegerField()),
                ('box_area', models.FloatField()),
                ('center', django.contrib.gis.db.models.fields.PointField(spatial_index=False, srid=4326)),
                ('props', models.JSONField(null=True)),
                ('geom', django.contrib.gis.db.models.fields.GeometryField(null=True, spatial_index=False, srid=0)),
            ],
            options={
                'indexes': [
                    django.contrib.postgres.indexes.GistIndex(fields=['layer', 'zoom', 'geom'], name='tileshape_zoom_geom'),
                    models.Index(fields=['layer', 'feature_id'], name='tileshape_feature'),
                    django.contrib.postgres.indexes.GistIndex(fields=['layer', 'center'], name='tileshape_center'),
                ],
            },
        ),
    ]
