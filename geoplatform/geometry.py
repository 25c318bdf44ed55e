"""Parsing and checking geometries that people send us, one policy for every app.

Policy: invalid geometry (self-intersections, unclosed rings, too few points) is
*rejected* with the reason GEOS gives, never silently repaired: a citizen's map
should show what they drew, and the reason tells them what to fix. Coordinates
must be WGS 84 lon/lat within range; empty geometries and more than
GEOMETRY_MAX_VERTICES vertices are refused.
"""
import json

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection

ALLOWED_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
MAX_VERTICES = getattr(settings, "GEOMETRY_MAX_VERTICES", 10_000)


def _fail(message_en: str, message_ko: str):
    raise ValidationError(f"{message_en} / {message_ko}", code="invalid_geometry")


def _check_positions(coords, depth=0):
    """Walk nested coordinate arrays; every position must be [lon, lat] numbers in range."""
    if not isinstance(coords, (list, tuple)):
        _fail("Coordinates must be arrays of numbers.", "좌표는 숫자 배열이어야 합니다.")
    if coords and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords):
        if len(coords) < 2 or len(coords) > 3:
            _fail("A position needs longitude and latitude.", "좌표에는 경도와 위도가 필요합니다.")
        lon, lat = coords[0], coords[1]
        if not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
            _fail(f"Coordinates out of range: [{lon}, {lat}] (longitude -180..180, latitude -90..90).",
                  "좌표 범위를 벗어났습니다 (경도 -180~180, 위도 -90~90).")
        return 1
    if depth > 4:
        _fail("Coordinates are nested too deeply.", "좌표 배열이 너무 깊습니다.")
    return sum(_check_positions(c, depth + 1) for c in coords)


def geometry_from_geojson(value, *, allowed_types=ALLOWED_TYPES) -> GEOSGeometry:
    """A checked GEOSGeometry (SRID 4326) from a GeoJSON geometry dict or string, or ValidationError."""
    return geometry_check(geometry_parse(value, allowed_types=allowed_types))


def geometry_parse(value, *, allowed_types=ALLOWED_TYPES) -> GEOSGeometry:
    """Read a GeoJSON geometry (type, positions in range, vertex limit) without judging its validity:
    for a service that runs `geometry_check` itself, so that a geometry is checked once on its path."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            _fail("Geometry is not valid JSON.", "도형이 올바른 JSON이 아닙니다.")
    if not isinstance(value, dict) or "type" not in value:
        _fail("Geometry must be a GeoJSON geometry object with a type.", "도형은 type이 있는 GeoJSON 도형이어야 합니다.")
    gtype = value.get("type")
    if gtype not in allowed_types:
        _fail(f"Geometry type {gtype!r} is not accepted; use one of {', '.join(allowed_types)}.",
              f"{gtype!r} 도형은 받을 수 없습니다.")
    coords = value.get("coordinates")
    if coords is None or coords == []:
        _fail("Geometry is empty.", "도형이 비어 있습니다.")
    vertices = _check_positions(coords)
    if vertices > MAX_VERTICES:
        _fail(f"Geometry has {vertices} vertices; the limit is {MAX_VERTICES}.",
              f"꼭짓점이 {vertices}개입니다. 최대 {MAX_VERTICES}개까지 가능합니다.")
    try:
        geom = GEOSGeometry(json.dumps({"type": gtype, "coordinates": coords}), srid=4326)
    except (GEOSException, ValueError, TypeError) as exc:
        _fail(f"Geometry could not be read: {exc}.", "도형을 읽을 수 없습니다.")
    return geom


def geometry_check(geom: GEOSGeometry) -> GEOSGeometry:
    """Refuse empty or invalid geometries, with GEOS's reason (e.g. 'Self-intersection[127.1 37.5]')."""
    if geom.empty:
        _fail("Geometry is empty.", "도형이 비어 있습니다.")
    if geom.srid is None:
        geom.srid = 4326
    if geom.num_coords > MAX_VERTICES:
        _fail(f"Geometry has {geom.num_coords} vertices; the limit is {MAX_VERTICES}.",
              f"꼭짓점이 {geom.num_coords}개입니다. 최대 {MAX_VERTICES}개까지 가능합니다.")
    if not geom.valid:
        reason = geom.valid_reason
        _fail(f"Invalid geometry: {reason}. Fix the shape (e.g. a polygon must not cross itself).",
              f"올바르지 않은 도형입니다: {reason}. 도형을 고쳐 주세요 (예: 다각형의 변이 서로 교차하면 안 됩니다).")
    return geom


def geometry_in_seoul(geom: GEOSGeometry) -> bool:
    """True when the geometry touches any Seoul district (the districts table is the truth)."""
    from districts.models import District

    return District.objects.filter(geom__intersects=geom).exists()


def srid_is_known(srid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [srid])
        return cursor.fetchone() is not None

