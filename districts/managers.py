from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry, Point


class _AreaQuerySet(models.QuerySet):
    def covering_point(self, lon: float, lat: float):
        """Areas whose closed boundary holds the point: a point on a shared border belongs to both."""
        return self.filter(geom__intersects=Point(lon, lat, srid=4326))

    def intersecting(self, geometry: GEOSGeometry):
        return self.filter(geom__intersects=geometry)


class DistrictQuerySet(_AreaQuerySet):
    pass


class DongQuerySet(_AreaQuerySet):
    pass
