"""Pre-aggregated low zooms: a point layer's clusters kept in TileCluster rows, so that an uncached
tile at zoom <= `cluster_maxzoom` reads at most 32 × 32 rows instead of every point it covers.

Level L holds the points counted per XYZ tile of zoom L (`n`, and the sums of their longitudes and
latitudes for the mean position); a tile of zoom z is drawn from level z + CELL_SHIFT. The finest
level (cluster_maxzoom + CELL_SHIFT) is computed from the layer's own queryset, each coarser one from
the level below it (four cells into one).

Kept up to date by the invalidation door (layers/services.py) in the commit hook of every change: the
cells of the finest level inside the changed geometries' boxes are computed again from the layer's
rows, then their parents at every level. So an edit is in the aggregates before the request that
made it answers (bound: 0 s after the commit; a refresh that fails drops the layer's aggregates,
which then falls back to grouping rows per request, until `manage.py build_tile_aggregates`).
A layer whose version changes (e.g. a dataset loaded again) is not read from aggregates built for the
old version. Refreshes of one layer are serialised with an advisory lock, so parents are summed from
settled children.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connections, router, transaction
from django.db.models import Count, F, FloatField, Func, Sum, Value

from .models import TileAggregateState, TileCluster
from .registry import Layer, Viewer
from .tilegrid import MAX_LAT, tile_bounds
from .tiles import CELL_SHIFT, CellX, CellY

log = logging.getLogger(__name__)


class _X(Func):
    function = "ST_X"
    output_field = FloatField()


class _Y(Func):
    function = "ST_Y"
    output_field = FloatField()


def finest_level(layer: Layer) -> int:
    return layer.cluster_maxzoom + CELL_SHIFT


def _db() -> str:
    return router.db_for_write(TileCluster)


def _lock(cursor, layer: Layer) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tile_aggregates'), hashtext(%s))", [layer.name])


def _cell_range(bbox, level: int) -> tuple[int, int, int, int]:
    """Cells (x0, y0, x1, y1) of a level that a lon/lat box covers (no margin: a point is in one cell)."""
    from .tilegrid import lonlat_to_tile_fraction

    west, south, east, north = bbox
    last = 2 ** level - 1
    fx0, fy0 = lonlat_to_tile_fraction(west, north, level)
    fx1, fy1 = lonlat_to_tile_fraction(east, south, level)
    clamp = lambda v: max(0, min(last, int(v)))  # noqa: E731
    return clamp(fx0), clamp(fy0), clamp(fx1), clamp(fy1)


def _finest_insert(cursor, layer: Layer, cells: tuple[int, int, int, int] | None) -> None:
    """Count the layer's rows into the finest level (only inside `cells` when given)."""
    level = finest_level(layer)
    geom = layer.geom_field
    qs = layer.get_queryset(Viewer.anonymous()).order_by()
    if cells is not None:
        x0, y0, x1, y1 = cells
        west, _, _, north = tile_bounds(level, x0, y0)
        _, south, east, _ = tile_bounds(level, x1, y1)
        qs = qs.filter(**{f"{geom}__bboverlaps": Polygon.from_bbox((west, south, east, north))})
    qs = (qs.annotate(_cx=CellX(F(geom), Value(level)), _cy=CellY(F(geom), Value(level)))
          .values("_cx", "_cy").annotate(_n=Count("*"), _sx=Sum(_X(geom)), _sy=Sum(_Y(geom)))
          .values("_cx", "_cy", "_n", "_sx", "_sy"))
    inner, params = qs.query.sql_with_params()
    where, where_params = "", []
    if cells is not None:
        where = " WHERE q._cx BETWEEN %s AND %s AND q._cy BETWEEN %s AND %s"
        where_params = [cells[0], cells[2], cells[1], cells[3]]
    cursor.execute(
        "INSERT INTO layers_tilecluster (layer, level, x, y, tx, ty, n, sum_lon, sum_lat) "
        f"SELECT %s, %s, q._cx, q._cy, q._cx >> {CELL_SHIFT}, q._cy >> {CELL_SHIFT}, q._n, q._sx, q._sy "
        f"FROM ({inner}) AS q{where}",
        [layer.name, level, *params, *where_params])


def _parent_insert(cursor, layer: Layer, level: int, cells: tuple[int, int, int, int] | None) -> None:
    """Sum level + 1 into `level` (only the parents inside `cells` when given)."""
    where, params = "", [layer.name, level, layer.name, level + 1]
    if cells is not None:
        where = " AND x BETWEEN %s AND %s AND y BETWEEN %s AND %s"
        params += [cells[0] * 2, cells[2] * 2 + 1, cells[1] * 2, cells[3] * 2 + 1]
    cursor.execute(
        "INSERT INTO layers_tilecluster (layer, level, x, y, tx, ty, n, sum_lon, sum_lat) "
        f"SELECT %s, %s, px, py, px >> {CELL_SHIFT}, py >> {CELL_SHIFT}, sum(n), sum(sum_lon), sum(sum_lat) "
        "FROM (SELECT x >> 1 AS px, y >> 1 AS py, n, sum_lon, sum_lat FROM layers_tilecluster "
        "WHERE layer = %s AND level = %s" + where + ") AS children GROUP BY px, py",
        params)


def _delete(cursor, layer: Layer, level: int, cells) -> None:
    cursor.execute("DELETE FROM layers_tilecluster WHERE layer = %s AND level = %s "
                   "AND x BETWEEN %s AND %s AND y BETWEEN %s AND %s",
                   [layer.name, level, cells[0], cells[2], cells[1], cells[3]])


def aggregates_rebuild(*, layer: Layer) -> None:
    """Build the layer's aggregates from scratch (in one transaction; readers see the old or the new)."""
    if not (layer.aggregated and layer.geometry_type == "point" and layer.cluster_maxzoom >= 0):
        return
    using = _db()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        _lock(cursor, layer)
        cursor.execute("DELETE FROM layers_tilecluster WHERE layer = %s", [layer.name])
        _finest_insert(cursor, layer, None)
        for level in range(finest_level(layer) - 1, CELL_SHIFT - 1, -1):
            _parent_insert(cursor, layer, level, None)
        TileAggregateState.objects.using(using).update_or_create(layer=layer.name,
                                                                 defaults={"version": layer.version()[:300]})


def aggregates_refresh(*, layer: Layer, geometries: Iterable[GEOSGeometry]) -> None:
    """Count again the cells the geometries fall in, at every level (after the change has committed)."""
    boxes = []
    for geometry in geometries:
        if geometry is None or geometry.empty:
            continue
        if geometry.srid and geometry.srid != 4326:
            geometry = geometry.transform(4326, clone=True)
        west, south, east, north = geometry.extent
        boxes.append((west, max(-MAX_LAT, south), east, min(MAX_LAT, north)))
    if not boxes:
        return
    using = _db()
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            _lock(cursor, layer)
            if not TileAggregateState.objects.using(using).filter(layer=layer.name,
                                                                  version=layer.version()[:300]).exists():
                return  # not built (or built for another version): tiles group rows per request
            level = finest_level(layer)
            ranges = [_cell_range(box, level) for box in boxes]
            for cells in ranges:
                _delete(cursor, layer, level, cells)
                _finest_insert(cursor, layer, cells)
            for level in range(finest_level(layer) - 1, CELL_SHIFT - 1, -1):
                ranges = sorted({(c[0] >> 1, c[1] >> 1, c[2] >> 1, c[3] >> 1) for c in ranges})
                for cells in ranges:
                    _delete(cursor, layer, level, cells)
                    _parent_insert(cursor, layer, level, cells)
    except Exception:
        log.exception("refreshing the tile aggregates of %s failed; its low zooms group rows until rebuilt",
                      layer.name)
        TileAggregateState.objects.using(using).filter(layer=layer.name).delete()
