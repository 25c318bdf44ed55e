"""Vector-tile SQL: the only place that builds tile queries.

A tile is one `ST_AsMVT` query. The feature query comes from the layer's own queryset
(so its permissions and moderation rules apply) and is built with the ORM: a filter
`geom && ST_Transform(ST_TileEnvelope(z, x, y, margin => buffer/extent), 4326)` that the
GiST index answers (no function wraps the indexed column), and an `ST_AsMVTGeom`
annotation. Raw SQL is only the parametrised `ST_AsMVT` wrapper around it; the layer name
reaches it as a parameter, never as text.

Generalisation per zoom keeps every tile small whatever the layer holds:

- point layers at zoom <= `layer.cluster_maxzoom` (default 13) are aggregated to a grid of
  CLUSTER_CELL tile units (32 × 32 cells per tile): one point per non-empty cell at the
  mean position of its points, with the property `count` (`point_count` too, as MapLibre's
  clusters name it). Above that zoom points are drawn one by one with their fields;
- lines and polygons below zoom SIMPLIFY_BELOW are simplified by a tolerance of one tile
  unit before clipping, and ones that collapse to nothing at that zoom are left out;
- a tile holds at most `layer.tile_feature_cap` features (default TILE_FEATURE_CAP).
  Lines and polygons below zoom SIMPLIFY_BELOW keep the largest first (by bounding-box
  area); otherwise the first ones the index yields are kept;
- a tile that still comes out larger than TILE_MAX_BYTES is rendered again with a quarter
  of the cap, until it fits.

Parallel plans are switched off for the tile statement (`SET LOCAL
max_parallel_workers_per_gather = 0` in the same implicit transaction): under load a
parallel plan per tile costs far more than it saves.
"""
from __future__ import annotations

import logging

from django.contrib.gis.db.models import GeometryField, PointField
from django.contrib.gis.db.models.functions import Transform
from django.db import connections
from django.db.models import Avg, Count, F, Field, FloatField, Func, IntegerField, Value
from django.db.models.functions import Floor

from tilesets.tiles import TILE_BUFFER, TILE_EXTENT, tile_bounds

from .registry import Layer, Viewer

log = logging.getLogger(__name__)

TILE_FEATURE_CAP = 20_000
TILE_MAX_BYTES = 500_000
CLUSTER_CELL = 128  # tile units (of 4096) per cluster cell: 32 × 32 cells a tile
SIMPLIFY_BELOW = 15
GEOM_COLUMN = "mvtgeom"
ID_COLUMN = "mvt_id"


# --- PostGIS functions used in tiles (named after the ST_ function without its prefix) ------
class TileEnvelope(Func):
    """ST_TileEnvelope(z, x, y, margin => m) in EPSG:3857."""

    function = "ST_TileEnvelope"
    output_field = GeometryField(srid=3857)

    def __init__(self, z: int, x: int, y: int, margin: float = 0.0):
        super().__init__(Value(int(z)), Value(int(x)), Value(int(y)), Value(float(margin)))

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(sql_params)
        return (f"ST_TileEnvelope({parts[0]}::integer, {parts[1]}::integer, {parts[2]}::integer, "
                f"margin => {parts[3]}::float8)", params)


class TileGeometry(Field):
    """A geometry in tile coordinates, only ever read by ST_AsMVT (no GeoDjango conversion)."""

    def db_type(self, connection):
        return "geometry"


class AsMVTGeom(Func):
    """ST_AsMVTGeom(geom, bounds, extent, buffer, clip): tile coordinates of a 3857 geometry."""

    function = "ST_AsMVTGeom"
    output_field = TileGeometry()

    def __init__(self, geometry, bounds, extent=TILE_EXTENT, buffer=TILE_BUFFER, clip=True):
        super().__init__(geometry, bounds, Value(int(extent)), Value(int(buffer)), Value(bool(clip)))


class Simplify(Func):
    function = "ST_Simplify"
    output_field = GeometryField(srid=4326)

    def __init__(self, geometry, tolerance: float):
        super().__init__(geometry, Value(float(tolerance)))


class X(Func):
    function = "ST_X"
    output_field = FloatField()


class Y(Func):
    function = "ST_Y"
    output_field = FloatField()


class MakePoint(Func):
    """ST_SetSRID(ST_MakePoint(x, y), 4326)."""

    function = "ST_MakePoint"
    template = "ST_SetSRID(%(function)s(%(expressions)s), 4326)"
    output_field = PointField(srid=4326)


class BoxArea(Func):
    """Area of the bounding box (cheap ordering key for the largest features)."""

    function = "ST_Area"
    template = "%(function)s(Box2D(%(expressions)s))"
    output_field = FloatField()


# --- the feature query ------------------------------------------------------------------
def _envelope_4326(z: int, x: int, y: int, margin: float):
    return Transform(TileEnvelope(z, x, y, margin), 4326)


def clustered(layer: Layer, z: int) -> bool:
    return layer.geometry_type == "point" and z <= layer.cluster_maxzoom


def tile_queryset(layer: Layer, viewer: Viewer, z: int, x: int, y: int, cap: int | None = None):
    """The rows of one tile: an `mvtgeom` column (tile coordinates) and the layer's fields."""
    return _tile_queryset(layer, viewer, z, x, y, cap)[0]


def _tile_queryset(layer: Layer, viewer: Viewer, z: int, x: int, y: int, cap: int | None):
    cap = cap or layer.tile_feature_cap or TILE_FEATURE_CAP
    geom = layer.geom_field
    qs = layer.get_queryset(viewer).order_by()
    if clustered(layer, z):
        # each point counted in exactly one tile: no buffer for the grid
        qs = qs.filter(**{f"{geom}__bboverlaps": _envelope_4326(z, x, y, 0.0)})
        west, south, east, north = tile_bounds(z, x, y)
        cells = TILE_EXTENT // CLUSTER_CELL
        qs = (qs.annotate(_cx=Floor((X(geom) - west) / ((east - west) / cells), output_field=IntegerField()),
                          _cy=Floor((north - Y(geom)) / ((north - south) / cells), output_field=IntegerField()))
              .values("_cx", "_cy")
              .annotate(count=Count("*"), _lon=Avg(X(geom)), _lat=Avg(Y(geom)))
              .annotate(point_count=F("count"),
                        **{GEOM_COLUMN: AsMVTGeom(Transform(MakePoint(F("_lon"), F("_lat")), 3857),
                                                  TileEnvelope(z, x, y))})
              .values(GEOM_COLUMN, "count", "point_count"))
        return qs[:cap], False
    qs = qs.filter(**{f"{geom}__bboverlaps": _envelope_4326(z, x, y, TILE_BUFFER / TILE_EXTENT)})
    source = F(geom)
    generalise = layer.geometry_type in ("line", "polygon", "mixed") and z < SIMPLIFY_BELOW
    if generalise:
        west, _, east, _ = tile_bounds(z, x, y)
        source = Simplify(source, (east - west) / TILE_EXTENT)
    annotations = {GEOM_COLUMN: AsMVTGeom(Transform(source, 3857), TileEnvelope(z, x, y))}
    id_column = _integer_id(layer, qs)
    if id_column:
        annotations[ID_COLUMN] = F(id_column)
    fields = [f for f in layer.fields if f not in (GEOM_COLUMN, ID_COLUMN)]
    qs = qs.annotate(**annotations)
    if generalise:
        qs = qs.order_by(BoxArea(geom).desc())
    return qs.values(GEOM_COLUMN, *([ID_COLUMN] if id_column else []), *fields)[:cap], bool(id_column)


def _integer_id(layer: Layer, qs) -> str | None:
    """The column to use as MVT feature id: the layer's id when it is an integer, else the pk."""
    meta = qs.model._meta
    for name in (layer.id_field, "pk"):
        field = meta.pk if name == "pk" else next((f for f in meta.concrete_fields if f.name == name), None)
        if field is not None and field.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField",
                                                               "BigIntegerField", "SmallIntegerField",
                                                               "PositiveIntegerField", "SmallAutoField"):
            return "pk" if field.primary_key else field.name
    return None


def tile_sql(layer: Layer, viewer: Viewer, z: int, x: int, y: int, cap: int | None = None) -> tuple[str, list]:
    """The complete statement of one tile and its parameters (used by the view, the tests and the bench)."""
    qs, has_id = _tile_queryset(layer, viewer, z, x, y, cap)
    inner, params = qs.query.sql_with_params()
    sql = (f"SELECT ST_AsMVT(t, %s, {TILE_EXTENT}, '{GEOM_COLUMN}'{', %s' if has_id else ''}) "
           f"FROM ({inner}) AS t")
    return sql, [layer.name, *([ID_COLUMN] if has_id else []), *params]


SERIAL_PLAN = "SET LOCAL max_parallel_workers_per_gather = 0; "


def render_vector_tile(layer: Layer, viewer: Viewer, z: int, x: int, y: int, using: str = "default") -> bytes:
    """The MVT bytes of one tile (b"" when empty), under TILE_MAX_BYTES."""
    cap = layer.tile_feature_cap or TILE_FEATURE_CAP
    while True:
        sql, params = tile_sql(layer, viewer, z, x, y, cap)
        with connections[using].cursor() as cursor:
            cursor.execute(SERIAL_PLAN + sql, params)
            row = cursor.fetchone()
        data = bytes(row[0]) if row and row[0] is not None else b""
        if len(data) <= TILE_MAX_BYTES or cap <= 1:
            return data
        log.warning("tile %s/%d/%d/%d is %d bytes with cap %d; rendering again with fewer features",
                    layer.name, z, x, y, len(data), cap)
        cap = max(1, cap // 4)
