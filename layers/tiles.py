"""Vector-tile SQL: the only place that builds tile queries.

A tile is one `ST_AsMVT` query. The feature query comes from the layer's own queryset
(so its permissions and moderation rules apply) and is built with the ORM: a filter
`geom && ST_Transform(ST_TileEnvelope(z, x, y, margin => buffer/extent), 4326)` that the
GiST index answers (no function wraps the indexed column), and an `ST_AsMVTGeom`
annotation. Raw SQL is only the parametrised `ST_AsMVT` wrapper around it; the layer name
reaches it as a parameter, never as text.

Generalisation per zoom keeps every tile small whatever the layer holds:

- point layers (and the points of an `aggregated` mixed layer, `reports`: `clusters_points`) at zoom <=
  `layer.cluster_maxzoom` (default 13) are aggregated to a grid of
  32 × 32 cells per tile (the tiles of zoom z + CELL_SHIFT; 8 × 8 at city zoom, z <= CITY_ZOOM): one point per non-empty cell at the
  mean position of its points, with the property `count` (`point_count` too, as MapLibre's
  clusters name it). Layers marked `aggregated` read those cells from their pre-aggregated
  TileCluster rows (layers/aggregates.py: at most 1,024 rows a tile, whatever the layer holds)
  once they are built for the layer's version; others group their rows per request. Above
  that zoom points are drawn one by one with their fields;
- lines and polygons below zoom SIMPLIFY_BELOW are simplified by SIMPLIFY_UNITS tile units
  (half a pixel of a 512-px tile) before clipping; ones whose bounding box is smaller than
  that (width + height) are left out, as are ones that collapse. Layers marked `aggregated` read
  them from their TileShape rows instead (layers/aggregates.py): drawn once per zoom, in tile units,
  so a tile only translates them (`_shapes_sql`); there a feature smaller than MERGE_PIXELS pixels
  is not drawn but counted in its cell of the zoom's grid (`count`, as point clusters). An `aggregated`
  point layer's first zoom above its clusters (z14 by default, where a tile draws the most points one
  by one) reads its points drawn in advance the same way (`predrawn_points`);
- a tile holds at most `layer.tile_feature_cap` features (default TILE_FEATURE_CAP), and
  lines and polygons below zoom 12 at most LOW_ZOOM_SHAPE_CAP. Lines and polygons below
  zoom SIMPLIFY_BELOW keep the largest first (by bounding-box area); otherwise the first
  ones the index yields are kept;
- a tile that still comes out larger than TILE_MAX_BYTES is rendered again with a quarter
  of the cap, until it fits.

Parallel plans are switched off for the tile statement (`SET LOCAL
max_parallel_workers_per_gather = 0` in the same implicit transaction): under load a
parallel plan per tile costs far more than it saves.
"""
from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.gis.db.models import GeometryField, PointField
from django.contrib.gis.db.models.functions import Transform
from django.db import InterfaceError, OperationalError, connections, router
from django.db.models import Avg, BooleanField, Count, Expression, F, Field, FloatField, Func, IntegerField, Value

from .registry import Layer, Viewer
from .selectors import aggregates_ready
from .tilegrid import TILE_BUFFER, TILE_EXTENT, tile_bounds

log = logging.getLogger(__name__)

TILE_FEATURE_CAP = 20_000
TILE_MAX_BYTES = 500_000
CELL_SHIFT = 5  # a tile of zoom z clusters points in 2^5 × 2^5 = 32 × 32 cells: the tiles of zoom z + 5
# At city zoom (all of Seoul, or a few districts, on one screen) a tile clusters in 8 × 8 cells instead: fewer,
# larger clusters whose counts fit beside each other and the district names on a phone. The cells are still
# the tiles of one zoom (z + 3), so the pre-aggregated rows serve them too.
CITY_ZOOM = 11
CITY_CELL_SHIFT = 3


def cell_shift(z: int) -> int:
    return CITY_CELL_SHIFT if z <= CITY_ZOOM else CELL_SHIFT
SIMPLIFY_BELOW = 15
SIMPLIFY_UNITS = 4  # of 4096: half a pixel when the tile is drawn 512 px wide
LOW_ZOOM_SHAPE_CAP = 8_000  # lines and polygons below zoom 12 (50,000 polygons: z10 tiles stay < 500 KB)
GEOM_COLUMN = "mvtgeom"
ID_COLUMN = "mvt_id"


# --- tile arguments -----------------------------------------------------------------------
class _Slot:
    """A parameter whose value is the tile's (z, x, y, its bounds…), filled in when the statement runs."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class TileArg(Expression):
    """`%s` bound to one tile argument: the compiled statement is the same for every tile of a layer."""

    def __init__(self, name: str, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name)]

    def get_group_by_cols(self):
        return []


WORLD_M = 40075016.68557849  # width of the Web Mercator world in metres
# Pre-generalised lines and polygons (layers/aggregates.py): one row per feature and zoom below SIMPLIFY_BELOW, its
# shape already in the tile units of that zoom; a feature smaller than MERGE_PIXELS pixels (its box's width +
# height, in pixels of a 512-px tile) is merged into a counted cell of the zoom's grid instead of drawn as a shape.
SHAPE_ZOOMS = range(SIMPLIFY_BELOW)
MERGE_PIXELS = 4
UNITS_PER_PIXEL = TILE_EXTENT // 512


def unit_m(z: int) -> float:
    """Metres of Web Mercator in one tile unit at zoom z."""
    return WORLD_M / 2 ** z / TILE_EXTENT


def zoom_tolerance_m(z: int) -> float:
    """How far a line or polygon is simplified for zoom z (half a pixel), in metres."""
    return SIMPLIFY_UNITS * unit_m(z)


def merge_below_m(z: int) -> float:
    """A line or polygon whose box (width + height) is smaller than this, in metres, is a counted cell at zoom z."""
    return MERGE_PIXELS * UNITS_PER_PIXEL * unit_m(z)


def tile_args(z: int, x: int, y: int) -> dict:
    west, south, east, north = tile_bounds(z, x, y)
    shift = cell_shift(z)
    side = 2 ** shift
    # the pre-aggregated rows name their parent tile at zoom level - CELL_SHIFT (z itself when shift is CELL_SHIFT)
    parent = CELL_SHIFT - shift
    ux, uy = float(x * TILE_EXTENT), float(y * TILE_EXTENT)  # the tile's corner in the zoom's tile units
    return {"z": z, "x": x, "y": y, "level": z + shift, "parent_x": x >> parent, "parent_y": y >> parent,
            "cell_x0": x * side, "cell_x1": x * side + side - 1, "cell_y0": y * side, "cell_y1": y * side + side - 1,
            "tolerance": SIMPLIFY_UNITS * (east - west) / TILE_EXTENT,
            "ux": ux, "uy": uy, "neg_ux": -ux, "neg_uy": -uy,
            "ux0": ux - TILE_BUFFER, "uy0": uy - TILE_BUFFER,
            "ux1": ux + TILE_EXTENT + TILE_BUFFER, "uy1": uy + TILE_EXTENT + TILE_BUFFER,
            "flip_y0": -uy - TILE_EXTENT, "flip_y1": -uy, "ux_end": ux + TILE_EXTENT}


def _int(name):
    return TileArg(name, IntegerField())


def _float(name):
    return TileArg(name, FloatField())


# --- PostGIS functions used in tiles (named after the ST_ function without its prefix) ------
class TileEnvelope(Func):
    """ST_TileEnvelope(z, x, y, margin => m) in EPSG:3857, for the tile being drawn."""

    function = "ST_TileEnvelope"
    output_field = GeometryField(srid=3857)

    def __init__(self, margin: float = 0.0):
        super().__init__(_int("z"), _int("x"), _int("y"), Value(float(margin)))

    def get_group_by_cols(self):
        return []  # the same for every row of a tile

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


class _Cell(Expression):
    """Column or row of the XYZ tile of zoom `level` that holds a point (`template` in {g} and {level})."""

    template = ""

    def __init__(self, geometry, level):
        super().__init__(output_field=IntegerField())
        self.geometry, self.level = geometry, level

    def get_source_expressions(self):
        return [self.geometry, self.level]

    def set_source_expressions(self, exprs):
        self.geometry, self.level = exprs

    def as_sql(self, compiler, connection):
        parts = {"g": compiler.compile(self.geometry), "level": compiler.compile(self.level)}
        params = []
        for name in re.findall(r"\{(g|level)\}", self.template):
            params.extend(parts[name][1])
        return self.template.format(g=parts["g"][0], level=parts["level"][0]), params


class CellX(_Cell):
    """floor((lon + 180) / 360 · 2^level)"""

    template = "floor((ST_X({g}) + 180.0) / 360.0 * power(2.0::float8, ({level})::integer))::integer"


class CellY(_Cell):
    """Web Mercator row, the latitude clamped to ±85.0511° as XYZ tiles are."""

    template = ("floor((1.0 - ln(tan(radians(greatest(-85.0511287798066, least(85.0511287798066, ST_Y({g}))))) "
                "+ 1.0 / cos(radians(greatest(-85.0511287798066, least(85.0511287798066, ST_Y({g})))))) / pi()) "
                "/ 2.0 * power(2.0::float8, ({level})::integer))::integer")


class BoxSize(Func):
    """Width + height of the bounding box, in degrees."""

    function = "Box2D"
    template = ("(ST_XMax(%(function)s(%(expressions)s)) - ST_XMin(%(function)s(%(expressions)s)) + "
                "ST_YMax(%(function)s(%(expressions)s)) - ST_YMin(%(function)s(%(expressions)s)))")
    output_field = FloatField()


class BoxArea(Func):
    """Area of the bounding box (cheap ordering key for the largest features)."""

    function = "ST_Area"
    template = "%(function)s(Box2D(%(expressions)s))"
    output_field = FloatField()


# --- the feature query ------------------------------------------------------------------
def _envelope_4326(margin: float):
    return Transform(TileEnvelope(margin), 4326)


def uses_aggregates(layer: Layer, z: int) -> bool:
    """Whether a tile of zoom z of an `aggregated` layer is drawn from pre-aggregated rows once built."""
    return layer.aggregated and (clustered(layer, z) or predrawn_points(layer, z) or generalised(layer, z))


def predrawn_points(layer: Layer, z: int) -> bool:
    """The first zoom above a point layer's clusters, where its tiles hold the most points one by one (5,000 of the
    benchmark's 1,000,000 at z14): an `aggregated` layer keeps them drawn in TileShape rows of that zoom."""
    return layer.geometry_type == "point" and layer.cluster_maxzoom >= 0 and z == layer.cluster_maxzoom + 1


def clusters_points(layer: Layer) -> bool:
    """Whether the layer counts its points in grid cells up to `cluster_maxzoom`: point layers, and the points of an
    `aggregated` mixed layer (`reports`: its lines and polygons stay shapes, simplified below SIMPLIFY_BELOW)."""
    return layer.cluster_maxzoom >= 0 and (
        layer.geometry_type == "point" or (layer.geometry_type == "mixed" and layer.aggregated))


def clustered(layer: Layer, z: int) -> bool:
    return clusters_points(layer) and z <= layer.cluster_maxzoom


def generalised(layer: Layer, z: int) -> bool:
    return layer.geometry_type in ("line", "polygon", "mixed") and z < SIMPLIFY_BELOW


def tile_queryset(layer: Layer, viewer: Viewer, z: int, cap: int | None = None):
    """The rows of a tile at zoom z: an `mvtgeom` column (tile coordinates) and the layer's fields.

    The tile itself (z, x, y and its bounds) enters as parameters (`TileArg`), so one compiled
    statement serves every tile of the same zoom class.
    """
    return _tile_queryset(layer, viewer, z, cap)[0]


def _cells_of_parent(z: int) -> bool:
    """Whether a tile of zoom z is all the cells of its parent tile (tx, ty): at cell_shift(z) == CELL_SHIFT the parent
    is the tile itself, so the cells' x/y ranges add nothing; without them a prepared statement's generic plan reads
    the `tilecluster_tile` index (233 buffers for the City Hall z12 tile) instead of scanning the x/y range of
    `tilecluster_cell` (1,062), and the light path can prepare it (layers/asgi_tiles.py, `_prepared`)."""
    return cell_shift(z) == CELL_SHIFT


def _aggregated_queryset(layer: Layer, z: int):
    """A clustered tile from the layer's pre-aggregated cells: the cells of level z + cell_shift(z) inside it."""
    from .models import TileCluster

    position = MakePoint(F("sum_lon") / F("n"), F("sum_lat") / F("n"))
    cells = TileCluster.objects.filter(layer=layer.name, level=_int("level"), tx=_int("parent_x"), ty=_int("parent_y"))
    if not _cells_of_parent(z):  # city zoom: a sixteenth of the parent's cells
        cells = cells.filter(x__gte=_int("cell_x0"), x__lte=_int("cell_x1"),
                             y__gte=_int("cell_y0"), y__lte=_int("cell_y1"))
    return (cells
            .annotate(**{GEOM_COLUMN: AsMVTGeom(Transform(position, 3857), TileEnvelope())},
                      count=F("n"), point_count=F("n"))
            .values(GEOM_COLUMN, "count", "point_count"))


def _shapes_sql(layer: Layer, z: int, cap: int) -> tuple[str, list]:
    """A generalised tile of an `aggregated` line or polygon layer, from its pre-generalised rows of zoom z
    (layers/aggregates.py): the shapes inside the buffered tile, the largest first, and the counted cells of the
    features merged at this zoom (`count`, `point_count`, as point clusters). For a point layer's first zoom above
    its clusters: the points drawn in advance inside the buffered tile.

    A shape is stored in the zoom's tile units, already snapped, validated and oriented by ST_AsMVTGeom when it
    was built, so a shape inside the buffered tile is only moved to the tile's corner (ST_Translate: no GEOS, no
    validation per request); one that reaches past the buffer is clipped by ST_AsMVTGeom as before (its y axis
    turned back up for it).
    """
    s = _Slot
    box = "ST_MakeEnvelope(%s::float8, %s::float8, %s::float8, %s::float8, 0)"
    inside = [s("ux0"), s("uy0"), s("ux1"), s("uy1")]
    if layer.geometry_type == "point":  # a point inside the buffered tile needs no clipping, and the index finds them
        return (f"SELECT ST_Translate(s.geom, %s::float8, %s::float8) AS {GEOM_COLUMN}, s.feature_id AS {ID_COLUMN}, "
                "s.props AS props FROM layers_tileshape s WHERE s.layer = %s AND s.zoom = %s::smallint "
                "AND s.geom && " + box + " LIMIT %s",
                [s("neg_ux"), s("neg_uy"), layer.name, s("z"), *inside, cap])
    if z < 12:
        cap = min(cap, LOW_ZOOM_SHAPE_CAP)
    shapes = (
        "(SELECT CASE WHEN s.geom @ " + box + " THEN ST_Translate(s.geom, %s::float8, %s::float8) "
        "ELSE ST_AsMVTGeom(ST_Scale(s.geom, 1, -1), ST_MakeBox2D(ST_Point(%s::float8, %s::float8), "
        f"ST_Point(%s::float8, %s::float8)), {TILE_EXTENT}, {TILE_BUFFER}, true) END AS {GEOM_COLUMN}, "
        f"s.feature_id AS {ID_COLUMN}, s.props AS props, NULL::integer AS count, NULL::integer AS point_count "
        "FROM layers_tileshape s WHERE s.layer = %s AND s.zoom = %s::smallint AND s.geom && " + box +
        " ORDER BY s.box_area DESC LIMIT %s)")
    shapes_params = [*inside, s("neg_ux"), s("neg_uy"), s("ux"), s("flip_y0"), s("ux_end"), s("flip_y1"),
                     layer.name, s("z"), *inside, cap]
    if layer.geometry_type == "mixed" and not clustered(layer, z):
        return shapes, shapes_params  # above its clusters a mixed layer draws its points too: no cells
    cell_ranges = "" if _cells_of_parent(z) else " AND c.x BETWEEN %s AND %s AND c.y BETWEEN %s AND %s"
    sql = (
        shapes + " UNION ALL "
        "(SELECT ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(c.sum_lon / c.n, c.sum_lat / c.n), 4326), 3857), "
        f"ST_TileEnvelope(%s::integer, %s::integer, %s::integer), {TILE_EXTENT}, {TILE_BUFFER}, true), "
        "NULL::bigint, NULL::jsonb, c.n, c.n FROM layers_tilecluster c WHERE c.layer = %s AND c.level = %s::smallint "
        "AND c.tx = %s AND c.ty = %s" + cell_ranges + ")")
    params = [*shapes_params,
              s("z"), s("x"), s("y"), layer.name, s("level"), s("parent_x"), s("parent_y"),
              *([] if _cells_of_parent(z) else [s("cell_x0"), s("cell_x1"), s("cell_y0"), s("cell_y1")])]
    return sql, params


def shapes_from_rows(layer: Layer, z: int, aggregates: bool) -> bool:
    """Whether a tile of zoom z is drawn from the layer's TileShape rows (and, for lines and polygons, merged cells;
    for a mixed layer's clustered zooms, its point clusters)."""
    return aggregates and (generalised(layer, z) or predrawn_points(layer, z))


class IsPoint(Func):
    """Whether a geometry is a single point (a mixed layer clusters those, and draws the others as shapes)."""

    function = "ST_GeometryType"
    template = "(%(function)s(%(expressions)s) = 'ST_Point')"
    output_field = BooleanField()


def _mixed_clustered_sql(layer: Layer, viewer: Viewer, z: int, cap: int) -> tuple[str, list, bool]:
    """A clustered zoom of a mixed layer from its rows: its lines and polygons simplified as shapes, its points
    counted in the zoom's cells (the columns of both, the other's left NULL: ST_AsMVT leaves NULL properties out)."""
    shapes, has_id = _tile_queryset(layer, viewer, z, cap, points=False)
    cells, _ = _tile_queryset(layer, viewer, z, cap, points=True)
    names = [GEOM_COLUMN, *([ID_COLUMN] if has_id else []),
             *(f for f in layer.fields if f not in (GEOM_COLUMN, ID_COLUMN))]
    columns = ", ".join(f's."{name}"' for name in names)
    nulls = ", ".join(["NULL"] * (len(names) - 1))
    shapes_sql, shapes_params = shapes.query.sql_with_params()
    cells_sql, cells_params = cells.query.sql_with_params()
    return (f"SELECT {columns}, NULL::integer AS count, NULL::integer AS point_count FROM ({shapes_sql}) AS s "
            f'UNION ALL SELECT c."{GEOM_COLUMN}", {nulls}, c.count, c.point_count FROM ({cells_sql}) AS c',
            [*shapes_params, *cells_params], has_id)


def _tile_queryset(layer: Layer, viewer: Viewer, z: int, cap: int | None, aggregates: bool = False,
                   points: bool | None = None):
    """`points`: for a mixed layer's clustered zoom, its points (True) or its other geometries (False)."""
    if aggregates and clustered(layer, z) and layer.geometry_type == "point":
        return _aggregated_queryset(layer, z), False
    cap = cap or layer.tile_feature_cap or TILE_FEATURE_CAP
    geom = layer.geom_field
    qs = layer.get_queryset(viewer).order_by()
    if points is not None:
        qs = qs.alias(_is_point=IsPoint(F(geom))).filter(_is_point=points)
    if clustered(layer, z) and points is not False:
        # each point counted in exactly one tile: no buffer for the grid
        # cells are the tiles of zoom z + cell_shift(z) (as in the pre-aggregated TileCluster rows)
        qs = qs.filter(**{f"{geom}__bboverlaps": _envelope_4326(0.0)})
        qs = (qs.annotate(_cx=CellX(F(geom), _int("level")), _cy=CellY(F(geom), _int("level")))
              .filter(_cx__gte=_int("cell_x0"), _cx__lte=_int("cell_x1"),
                      _cy__gte=_int("cell_y0"), _cy__lte=_int("cell_y1"))
              .values("_cx", "_cy")
              .annotate(count=Count("*"), _lon=Avg(X(geom)), _lat=Avg(Y(geom)))
              .annotate(point_count=F("count"),
                        **{GEOM_COLUMN: AsMVTGeom(Transform(MakePoint(F("_lon"), F("_lat")), 3857), TileEnvelope())})
              .values(GEOM_COLUMN, "count", "point_count"))
        return qs[:cap], False
    qs = qs.filter(**{f"{geom}__bboverlaps": _envelope_4326(TILE_BUFFER / TILE_EXTENT)})
    source = F(geom)
    if generalised(layer, z):
        source = Simplify(source, _float("tolerance"))
        if layer.geometry_type != "mixed":  # a point's box has no size
            qs = qs.alias(_box_size=BoxSize(geom)).filter(_box_size__gte=_float("tolerance"))
        if z < 12:
            cap = min(cap, LOW_ZOOM_SHAPE_CAP)
    annotations = {GEOM_COLUMN: AsMVTGeom(Transform(source, 3857), TileEnvelope())}
    id_column = _integer_id(layer, qs)
    if id_column:
        annotations[ID_COLUMN] = F(id_column)
    fields = [f for f in layer.fields if f not in (GEOM_COLUMN, ID_COLUMN)]
    qs = qs.annotate(**annotations)
    if generalised(layer, z):
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


# Compiled statements of layers that say their queryset depends on nothing but the tile
# (`Layer.static_queryset`), by layer, version and zoom class.
_statements: dict[tuple, tuple[str, list]] = {}
_STATEMENTS_MAX = 512


def _statement(layer: Layer, viewer: Viewer, z: int, cap: int, aggregates: bool = False) -> tuple[str, list]:
    key = None
    aggregates = aggregates and uses_aggregates(layer, z)
    if layer.static_queryset and layer.public:
        key = (layer.name, layer.version(), layer.fields, layer.geometry_type, clustered(layer, z),
               generalised(layer, z), generalised(layer, z) and z < 12, cap, aggregates, _cells_of_parent(z))
        found = _statements.get(key)
        if found is not None:
            return found
    if shapes_from_rows(layer, z, aggregates):
        inner, params = _shapes_sql(layer, z, cap)
        has_id = True
    elif clustered(layer, z) and layer.geometry_type == "mixed":
        inner, params, has_id = _mixed_clustered_sql(layer, viewer, z, cap)
    else:
        qs, has_id = _tile_queryset(layer, viewer, z, cap, aggregates)
        inner, params = qs.query.sql_with_params()
    sql = (f"SELECT ST_AsMVT(t, %s, {TILE_EXTENT}, '{GEOM_COLUMN}'{', %s' if has_id else ''}) "
           f"FROM ({inner}) AS t")
    statement = (sql, [layer.name, *([ID_COLUMN] if has_id else []), *params])
    if key is not None:
        if len(_statements) >= _STATEMENTS_MAX:
            _statements.clear()
        _statements[key] = statement
    return statement


def tile_sql(layer: Layer, viewer: Viewer, z: int, x: int, y: int, cap: int | None = None,
             aggregates: bool = False) -> tuple[str, list]:
    """The complete statement of one tile and its parameters (used by the view, the tests and the bench).

    `aggregates`: draw clustered and generalised zooms from the layer's TileCluster / TileShape rows (the
    caller checked they are built).
    """
    sql, template = _statement(layer, viewer, z, cap or layer.tile_feature_cap or TILE_FEATURE_CAP, aggregates)
    args = tile_args(z, x, y)
    return sql, [args[p.name] if isinstance(p, _Slot) else p for p in template]


SERIAL_PLAN = "SET LOCAL max_parallel_workers_per_gather = 0; "


def _fetch_tile(sql: str, params: list, using: str):
    """Run the tile statement: one round trip.

    Django's per-request connection health check (CONN_HEALTH_CHECKS) would add a `SELECT 1`
    before it; a tile instead runs straight away and, if a persistent connection turns out to
    be dead, reconnects and runs once more — the same safety without the extra query.
    """
    connection = connections[using]
    retry = connection.connection is not None and not connection.in_atomic_block
    if retry:
        connection.health_check_done = True
    try:
        return _run_serial(connection, sql, params)
    except (OperationalError, InterfaceError):
        if not retry:
            raise
        connection.close()
        return _run_serial(connection, sql, params)


def _run_serial(connection, sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(SERIAL_PLAN + sql, params)
        if cursor.description is None:  # psycopg 3 reads the results in order: skip the SET's
            cursor.nextset()
        return cursor.fetchone()


def first_cap(layer: Layer) -> int:
    """Features a tile of the layer may hold on its first rendering."""
    return layer.tile_feature_cap or TILE_FEATURE_CAP


def tile_bytes(row) -> bytes:
    """The MVT bytes of the tile statement's one row (b"" when empty)."""
    return bytes(row[0]) if row and row[0] is not None else b""


def next_cap(layer: Layer, z: int, x: int, y: int, data: bytes, cap: int) -> int | None:
    """None when `data` may be served; else the smaller cap to render the tile again with."""
    if len(data) <= TILE_MAX_BYTES or cap <= 1:
        return None
    log.warning("tile %s/%d/%d/%d is %d bytes with cap %d; rendering again with fewer features",
                layer.name, z, x, y, len(data), cap)
    return max(1, cap // 4)


def render_vector_tile(layer: Layer, viewer: Viewer, z: int, x: int, y: int, using: str | None = None) -> bytes:
    """The MVT bytes of one tile (b"" when empty), under TILE_MAX_BYTES. Read where the router says (a replica).

    layers/asgi_tiles.py runs the same statements (tile_sql, first_cap, next_cap) through its own pool.
    """
    using = using or router.db_for_read(None)
    cap = first_cap(layer)
    aggregates = (uses_aggregates(layer, z)
                  and aggregates_ready(layer, using, max_age=getattr(settings, "TILES_VERSION_MEMO", 0)))
    while True:
        sql, params = tile_sql(layer, viewer, z, x, y, cap, aggregates)
        data = tile_bytes(_fetch_tile(sql, params, using))
        cap = next_cap(layer, z, x, y, data, cap)
        if cap is None:
            return data
