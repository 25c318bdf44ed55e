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
from django.utils.translation import gettext_lazy as _

ALLOWED_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
MAX_VERTICES = getattr(settings, "GEOMETRY_MAX_VERTICES", 10_000)


def _fail(message):
    raise ValidationError(message, code="invalid_geometry")


def _check_positions(coords, depth=0):
    """Walk nested coordinate arrays; every position must be [lon, lat] numbers in range."""
    if not isinstance(coords, (list, tuple)):
        _fail(_("Coordinates must be arrays of numbers."))
    if coords and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords):
        if len(coords) < 2 or len(coords) > 3:
            _fail(_("A position needs longitude and latitude."))
        lon, lat = coords[0], coords[1]
        if not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
            _fail(_("Coordinates out of range: [%(lon)s, %(lat)s] (longitude -180..180, latitude -90..90).")
                  % {"lon": lon, "lat": lat})
        return 1
    if depth > 4:
        _fail(_("Coordinates are nested too deeply."))
    return sum(_check_positions(c, depth + 1) for c in coords)


def geometry_from_geojson(value, *, allowed_types=ALLOWED_TYPES) -> GEOSGeometry:
    """A GEOSGeometry (SRID 4326) from a GeoJSON geometry dict or string, or ValidationError."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            _fail(_("Geometry is not valid JSON."))
    if not isinstance(value, dict) or "type" not in value:
        _fail(_("Geometry must be a GeoJSON geometry object with a type."))
    gtype = value.get("type")
    if gtype not in allowed_types:
        _fail(_("Geometry type %(type)s is not accepted; use one of %(allowed)s.")
              % {"type": repr(gtype), "allowed": ", ".join(allowed_types)})
    coords = value.get("coordinates")
    if coords is None or coords == []:
        _fail(_("Geometry is empty."))
    vertices = _check_positions(coords)
    if vertices > MAX_VERTICES:
        _fail(_("Geometry has %(n)s vertices; the limit is %(limit)s.") % {"n": vertices, "limit": MAX_VERTICES})
    try:
        geom = GEOSGeometry(json.dumps({"type": gtype, "coordinates": coords}), srid=4326)
    except (GEOSException, ValueError, TypeError) as exc:
        _fail(_("Geometry could not be read: %(reason)s.") % {"reason": exc})
    return geometry_check(geom)


def geometry_check(geom: GEOSGeometry) -> GEOSGeometry:
    """Refuse empty or invalid geometries, with GEOS's reason (e.g. 'Self-intersection[127.1 37.5]')."""
    if geom.empty:
        _fail(_("Geometry is empty."))
    if geom.srid is None:
        geom.srid = 4326
    if geom.num_coords > MAX_VERTICES:
        _fail(_("Geometry has %(n)s vertices; the limit is %(limit)s.") % {"n": geom.num_coords, "limit": MAX_VERTICES})
    if not geom.valid:
        reason = geom.valid_reason
        _fail(_("Invalid geometry: %(reason)s. Fix the shape (e.g. a polygon must not cross itself).")
              % {"reason": reason})
    return geom


def geometry_in_seoul(geom: GEOSGeometry) -> bool:
    """True when the geometry touches any Seoul district (the districts table is the truth)."""
    from districts.models import District

    return District.objects.filter(geom__intersects=geom).exists()


def srid_is_known(srid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [srid])
        return cursor.fetchone() is not None
