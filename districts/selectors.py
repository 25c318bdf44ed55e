from django.contrib.gis.geos import GEOSGeometry
from django.db.models import QuerySet

from .models import District


def district_list(*, lon: float | None = None, lat: float | None = None) -> QuerySet[District]:
    districts = District.objects.all()
    if lon is not None and lat is not None:
        districts = districts.covering_point(lon, lat)
    return districts


def districts_for_geometry(geometry: GEOSGeometry) -> QuerySet[District]:
    """The districts responsible for a place: every district the geometry touches."""
    return District.objects.intersecting(geometry)
