"""Parsing and checking geometries that people send us, one policy for every app.

Policy: invalid geometry (self-intersections, unclosed rings, too few points) is
*rejected* with the reason GEOS gives, never silently repaired: a citizen's map
should show what they drew, and the reason tells them what to fix. Coordinates
must be WGS 84 lon/lat within range; empty geometries and more than
GEOMETRY_MAX_VERTICES vertices are refused.
"""
import json
import math
from functools import lru_cache

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

ALLOWED_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
MAX_VERTICES = getattr(settings, "GEOMETRY_MAX_VERTICES", 10_000)


def _fail(message):
    raise ValidationError(message, code="invalid_geometry")


# How deep positions sit in each type's coordinates: a Point is a position, a MultiPolygon an array of
# arrays of arrays of positions.
POSITION_DEPTH = {"Point": 0, "LineString": 1, "MultiPoint": 1, "Polygon": 2, "MultiLineString": 2, "MultiPolygon": 3}


def _check_positions(coords, depth: int):
    """Walk nested coordinate arrays; positions ([lon, lat] numbers in range) sit exactly `depth` levels deep,
    and no array on the way is empty."""
    if not isinstance(coords, (list, tuple)):
        _fail(_("Coordinates must be arrays of numbers."))
    if depth == 0:
        if not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords) or not 2 <= len(coords) <= 3:
            _fail(_("A position needs longitude and latitude."))
        lon, lat = coords[0], coords[1]
        if not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
            _fail(_("Coordinates out of range: [%(lon)s, %(lat)s] (longitude -180..180, latitude -90..90).")
                  % {"lon": lon, "lat": lat})
        return 1
    if not coords:
        _fail(_("Geometry has an empty part."))
    return sum(_check_positions(c, depth - 1) for c in coords)


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
    vertices = _check_positions(coords, POSITION_DEPTH[gtype])
    if vertices > MAX_VERTICES:
        _fail(_("Geometry has %(n)s vertices; the limit is %(limit)s.") % {"n": vertices, "limit": MAX_VERTICES})
    try:
        geom = GEOSGeometry(json.dumps({"type": gtype, "coordinates": coords}), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        _fail(_("Geometry could not be read: %(reason)s.") % {"reason": exc})
    return geom


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


def srid_is_known(srid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [srid])
        return cursor.fetchone() is not None


# A coordinate far outside a CRS's area of use makes PROJ iterate for ever (a point at 1e300 m in
# EPSG:3857 never returns): every transform first checks the coordinates in the source CRS.
CRS_MARGIN = 0.25  # of the area of use's width and height, on each side


@lru_cache(maxsize=512)
def crs_bounds(srid: int) -> tuple[float, float, float, float] | None:
    """Where coordinates of EPSG:`srid` can be real, in its own units (x = easting or longitude):
    PROJ's area of use projected into the CRS, widened by CRS_MARGIN. None for a code PROJ does not know."""
    try:
        crs = CRS.from_epsg(int(srid))
        area = crs.area_of_use
        west, south, east, north = (area.west, area.south, area.east, area.north) if area else (-180, -90, 180, 90)
        if east < west:  # crosses the antimeridian
            west, east = -180, 180
        transformer = Transformer.from_crs(CRS.from_epsg(4326), crs, always_xy=True)
        xmin, ymin, xmax, ymax = transformer.transform_bounds(west, south, east, north, densify_pts=21)
    except (CRSError, ProjError, ValueError, OverflowError):
        return None
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)) or xmin >= xmax or ymin >= ymax:
        return None
    dx, dy = (xmax - xmin) * CRS_MARGIN, (ymax - ymin) * CRS_MARGIN
    return xmin - dx, ymin - dy, xmax + dx, ymax + dy


def crs_is_usable(srid) -> bool:
    """True for an EPSG code that PROJ knows and that has an area where its coordinates are real."""
    try:
        return crs_bounds(int(srid)) is not None
    except (TypeError, ValueError, OverflowError):
        return False


def geometry_to_4326(geom: GEOSGeometry, srid: int) -> GEOSGeometry:
    """`geom`, whose coordinates are in EPSG:`srid`, in WGS 84 lon/lat and checked by `geometry_check`.

    The coordinates are range-checked in the source CRS before any transformation, so no input
    can keep PROJ busy; the result is range-checked in lon/lat."""
    coords = geom.coords
    flat = list(_flatten(coords))
    if not all(math.isfinite(v) for v in flat):
        _raise(_("Coordinates must be finite numbers."))
    if srid != 4326 and flat:
        bounds = crs_bounds(srid)
        if bounds is None:
            _raise(_("Unknown coordinate system EPSG:%(srid)s.") % {"srid": srid})
        xmin, ymin, xmax, ymax = geom.extent
        if xmin < bounds[0] or ymin < bounds[1] or xmax > bounds[2] or ymax > bounds[3]:
            _raise(_("Coordinates lie outside the area where EPSG:%(srid)s is used "
                     "(x %(xmin).0f…%(xmax).0f, y %(ymin).0f…%(ymax).0f); is the coordinate system right?")
                   % {"srid": srid, "xmin": bounds[0], "xmax": bounds[2], "ymin": bounds[1], "ymax": bounds[3]})
        geom = geom.clone()
        geom.srid = srid
        geom.transform(4326)
    geom.srid = 4326
    xmin, ymin, xmax, ymax = geom.extent
    if not (-180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90):
        _raise(_("Coordinates out of range (longitude -180..180, latitude -90..90); is the coordinate system right?"))
    return geometry_check(geom)


def _flatten(coords):
    for value in coords:
        if isinstance(value, (tuple, list)):
            yield from _flatten(value)
        else:
            yield value


def _raise(message: str):
    raise ValidationError(message, code="invalid_geometry")
