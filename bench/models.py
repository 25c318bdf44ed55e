from django.contrib.gis.db import models


class BenchPoint(models.Model):
    """Seeded random points across Seoul's bounding box."""

    name = models.CharField(max_length=40)
    category = models.SmallIntegerField()
    value = models.FloatField()
    geom = models.PointField(srid=4326, spatial_index=False)


class BenchPolygon(models.Model):
    """Seeded random circles of ~65 vertices (30-150 m across) across Seoul's bounding box."""

    name = models.CharField(max_length=40)
    category = models.SmallIntegerField()
    geom = models.PolygonField(srid=4326, spatial_index=False)
