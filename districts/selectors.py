import re

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db.models import QuerySet

from .models import District, Dong


def district_list(*, lon: float | None = None, lat: float | None = None) -> QuerySet[District]:
    districts = District.objects.all()
    if lon is not None and lat is not None:
        districts = districts.covering_point(lon, lat)
    return districts


def districts_for_geometry(geometry: GEOSGeometry) -> QuerySet[District]:
    """The districts responsible for a place: every district the geometry touches."""
    return District.objects.intersecting(geometry)


STATIONS_DATASET = "seoul_subway_stations"
NEAREST_STATION_MAX_M = 3000


def _station_name(feature, language: str) -> str:
    from .romanize import romanize

    name = (feature.name or "").split("(")[0].strip()  # "잠실(송파구청)": the station's own name
    if name.endswith("역"):
        name = name[:-1]
    return f"{romanize(name)} Station" if language == "en" else f"{name}역"


def nearest_station(point: Point, *, language: str) -> dict | None:
    """The closest subway station to `point` (within 3 km), from the open-data stations layer."""
    from django.contrib.gis.db.models.functions import Distance

    from layers.models import DatasetFeature

    feature = (DatasetFeature.objects.filter(dataset__slug=STATIONS_DATASET, geom__dwithin=(point, 0.04))
               .annotate(distance=Distance("geom", point)).order_by("distance").first())
    if feature is None or feature.distance.m > NEAREST_STATION_MAX_M:
        return None
    line = str((feature.properties or {}).get("호선", ""))
    match = re.match(r"^0?(\d+)호선$", line)
    if language == "en":
        line = f"Line {match.group(1)}" if match else ""
    return {"name": _station_name(feature, language), "line": line, "distance_m": round(feature.distance.m),
            "lon": feature.geom.x, "lat": feature.geom.y}


def station_labels() -> list[dict]:
    """Each subway station once (a station of several lines is one row per line in the open data), named
    in both languages, at the position of its first row: the landmarks of a map without a base map."""
    from layers.models import DatasetFeature

    seen: dict[str, dict] = {}
    for feature in DatasetFeature.objects.filter(dataset__slug=STATIONS_DATASET).only("name", "geom").order_by("pk"):
        name_ko = _station_name(feature, "ko")
        if name_ko not in seen and feature.geom.geom_type == "Point":
            seen[name_ko] = {"name_ko": name_ko, "name_en": _station_name(feature, "en"),
                             "lon": round(feature.geom.x, 6), "lat": round(feature.geom.y, 6)}
    return list(seen.values())


def place_describe(geometry: GEOSGeometry, *, language: str) -> dict:
    """Where a place is, in words: its dong and gu, the nearest subway station, and the district
    office(s) a report there goes to (the same rule as the report service: every gu it touches)."""
    point = geometry if geometry.geom_type == "Point" else geometry.point_on_surface
    name = "name_en" if language == "en" else "name_ko"
    dong = Dong.objects.covering_point(point.x, point.y).select_related("district").order_by("code").first()
    receiving = list(districts_for_geometry(geometry).order_by("code"))
    district = dong.district if dong else (receiving[0] if receiving else None)
    return {
        "dong": {"code": dong.code, "name": getattr(dong, name)} if dong else None,
        "district": {"code": district.code, "name": getattr(district, name)} if district else None,
        "receiving": [{"code": d.code, "name": getattr(d, name)} for d in receiving],
        "station": nearest_station(point, language=language),
        "in_seoul": bool(receiving),
    }
