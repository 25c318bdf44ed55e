"""Pre-aggregated low zooms: a point layer's clusters kept in TileCluster rows, so that an uncached
tile at zoom <= `cluster_maxzoom` reads at most 32 × 32 rows instead of every point it covers; a line or
polygon layer's shapes kept generalised per zoom below SIMPLIFY_BELOW (TileShape: the feature as
ST_AsMVTGeom draws it at that zoom, in the zoom's tile units, with its fields as jsonb), so a low-zoom tile
neither transforms, simplifies nor validates anything: it moves stored shapes to its corner. A line or polygon
smaller than MERGE_PIXELS pixels at a zoom (its box's width + height) is not a shape there but one more in the
count of its cell of the zoom's grid (the TileCluster cells point clusters use, at the feature's centre): at
city zoom 50,000 building-sized polygons are a few dozen counted cells, not 8,000 one-pixel shapes. A point
layer's first zoom above its clusters (where a tile draws the most points one by one) is kept drawn the same way
(TileShape rows of that zoom, never merged), so such a tile neither transforms nor clips its 5,000 points.

Level L holds the points counted per XYZ tile of zoom L (`n`, and the sums of their longitudes and
latitudes for the mean position); a tile of zoom z is drawn from level z + CELL_SHIFT. The finest
level (cluster_maxzoom + CELL_SHIFT) is computed from the layer's own queryset, each coarser one from
the level below it (four cells into one).

Kept up to date by the invalidation door (layers/services.py) in the commit hook of every change: the
cells of the finest level inside the changed geometries' boxes are computed again from the layer's
rows, then their parents at every level; the TileShape rows of every feature that is or was in those boxes
are drawn again, and (lines and polygons) their old counts taken out of their cells and the new ones added. So an edit is in the aggregates before the request that
made it answers (bound: 0 s after the commit; a refresh that fails drops the layer's aggregates,
which then falls back to grouping rows per request, until `manage.py build_tile_aggregates`).
A layer whose version changes (e.g. a dataset loaded again) is not read from aggregates built for the
old version. Refreshes of one layer are serialised with an advisory lock, so parents are summed from
settled children.

A whole rebuild (`aggregates_rebuild`: a reports category renamed or made sensitive, `layers.services.
layer_version_bump`) runs in the background worker (`layers.tasks.aggregates_rebuild_task`), in one transaction
holding the same lock: readers see the old rows or the new ones, never half, and the tile URLs change after the new
rows commit. A refresh does not wait behind it (`aggregates_refresh(wait=False)` gives up after REFRESH_LOCK_WAIT):
the same refresh is handed to `layers.tasks.aggregates_refresh_task`, which waits for the rebuild in the worker and
then counts the changed places again from the committed rows (so an edit committed after the rebuild's snapshot is
counted too). Freshness bound: an edit is in the next fetch at every zoom, except while a rebuild runs (76 s per
million reports), when the aggregated low zooms show it once the rebuild ends and the deferred refresh has run; the
zooms drawn from the rows show it at once.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import OperationalError, connections, router, transaction
from django.db.models import Count, F, Sum, Value

from .models import TileAggregateState, TileCluster
from .registry import Layer, Viewer
from .selectors import aggregates_version
from .tilegrid import MAX_LAT, TILE_EXTENT, tile_bounds
from .tiles import (CELL_SHIFT, SHAPE_ZOOMS, WORLD_M, CellX, CellY, IsPoint, X, Y, cell_shift, clusters_points,
                    merge_below_m, zoom_tolerance_m)

log = logging.getLogger(__name__)


def finest_level(layer: Layer) -> int:
    return layer.cluster_maxzoom + CELL_SHIFT


def _db() -> str:
    return router.db_for_write(TileCluster)


REFRESH_LOCK_WAIT = "1s"  # a refresh takes ~22 ms (48 ms the slowest) at 1,000,000 reports; a rebuild, minutes


def _lock(cursor, layer: Layer, wait: str | None = None) -> None:
    """The layer's advisory lock, until the transaction ends; `wait`: give up after it (LockNotAvailable)."""
    if wait is not None:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tile_aggregates'), hashtext(%s))", [layer.name])
    if wait is not None:
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def _lock_busy(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


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
    if layer.geometry_type == "mixed":  # its points only: lines and polygons are shapes (TileShape) at every zoom
        qs = qs.alias(_is_point=IsPoint(F(geom))).filter(_is_point=True)
    if cells is not None:
        x0, y0, x1, y1 = cells
        west, _, _, north = tile_bounds(level, x0, y0)
        _, south, east, _ = tile_bounds(level, x1, y1)
        qs = qs.filter(**{f"{geom}__bboverlaps": Polygon.from_bbox((west, south, east, north))})
    qs = (qs.annotate(_cx=CellX(F(geom), Value(level)), _cy=CellY(F(geom), Value(level)))
          .values("_cx", "_cy").annotate(_n=Count("*"), _sx=Sum(X(geom)), _sy=Sum(Y(geom)))
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


def _shapes_insert(cursor, layer: Layer, ids_sql: str | None = None, ids_params=()) -> None:
    """Generalise the layer's rows (only those whose id `ids_sql` selects, when given) for every zoom below
    SIMPLIFY_BELOW: the shape as ST_AsMVTGeom draws it in that zoom's tile units, or no shape (NULL) when the
    feature is smaller than MERGE_PIXELS there (its cell counts it). A shape that collapses is left out, as the
    raw path leaves it out."""
    from django.db import connection as default_connection

    quote = default_connection.ops.quote_name
    geom = layer.geom_field
    fields = [f for f in layer.fields if f.isidentifier()]
    qs = layer.get_queryset(Viewer.anonymous()).order_by()
    qs = qs.values(_fid=F("pk"), _geom=F(geom), **{f"_f_{name}": F(name) for name in fields})
    inner, params = qs.query.sql_with_params()
    props = ", ".join(f"'{name}', q.{quote('_f_' + name)}" for name in fields)
    zooms = ", ".join(f"({z}, {tolerance!r}::float8, {merge_below!r}::float8, {TILE_EXTENT * 2 ** z}, {points})"
                      for z, tolerance, merge_below, points in _drawn_zooms(layer))
    half = WORLD_M / 2
    where = f" WHERE q._fid IN ({ids_sql})" if ids_sql else ""
    cursor.execute(
        "INSERT INTO layers_tileshape (layer, zoom, feature_id, box_area, center, props, geom) "
        "SELECT %s, r.zoom, r.fid, r.box_area, r.center, CASE WHEN r.shape IS NULL THEN NULL ELSE r.props END, r.shape "
        "FROM (SELECT z.zoom, s.fid, s.box_area, s.center, s.props, s.size < z.merge_below AS small, "
        "CASE WHEN s.size >= z.merge_below THEN ST_AsMVTGeom(ST_Simplify(s.g, z.tolerance), "
        f"ST_MakeBox2D(ST_Point({-half!r}, {-half!r}), ST_Point({half!r}, {half!r})), z.extent, 0, false) END AS shape "
        "FROM (SELECT q._fid AS fid, g, ST_Area(Box2D(g)) AS box_area, "
        "ST_XMax(g) - ST_XMin(g) + ST_YMax(g) - ST_YMin(g) AS size, ST_Centroid(q._geom) AS center, "
        "ST_GeometryType(q._geom) = 'ST_Point' AS is_point, "
        f"jsonb_build_object({props}) AS props "
        f"FROM ({inner}) AS q CROSS JOIN LATERAL ST_Transform(q._geom, 3857) AS g{where}) AS s "
        f"CROSS JOIN (VALUES {zooms}) AS z(zoom, tolerance, merge_below, extent, points) "
        "WHERE z.points OR NOT s.is_point) AS r "
        "WHERE r.small OR NOT (r.shape IS NULL OR ST_IsEmpty(r.shape)) "
        # stored tile by tile, so that a tile's rows lie on a few pages (read in random order, a z14 tile of the
        # benchmark's points took 19.6 ms against 8.1 ms in this order: bench/RESULTS.md)
        f"ORDER BY r.zoom, floor(ST_YMin(r.shape) / {TILE_EXTENT}), floor(ST_XMin(r.shape) / {TILE_EXTENT})",
        [layer.name, *params, *ids_params])


def _drawn_zooms(layer: Layer) -> list[tuple[int, float, float, bool]]:
    """(zoom, simplification in metres, merged below this box size in metres, points drawn too) of the layer's
    TileShape rows: every zoom below SIMPLIFY_BELOW for lines and polygons; for points the first zoom above their
    clusters, never merged. A mixed layer: its lines and polygons at every zoom below SIMPLIFY_BELOW, never merged
    (its raw tiles do not merge them either), and its points too at the zooms above their clusters."""
    if layer.geometry_type == "point":
        return [(layer.cluster_maxzoom + 1, 0.0, -1.0, True)]
    if layer.geometry_type == "mixed":
        return [(z, zoom_tolerance_m(z), -1.0, z > layer.cluster_maxzoom) for z in SHAPE_ZOOMS]
    return [(z, zoom_tolerance_m(z), merge_below_m(z), True) for z in SHAPE_ZOOMS]


def _zoom_levels() -> str:
    """VALUES of (zoom, the level of its cells) for the shape zooms."""
    return ", ".join(f"({z}, {z + cell_shift(z)})" for z in SHAPE_ZOOMS)


def _cells_add(cursor, layer: Layer, sign: int, ids_sql: str | None = None, ids_params=()) -> None:
    """Add (sign 1) or take away (sign -1) the merged features (only those `ids_sql` selects, when given) to or
    from their zoom's cells: TileCluster rows of level zoom + cell_shift(zoom), as a point layer's clusters."""
    where = f" AND s.feature_id IN ({ids_sql})" if ids_sql else ""
    cx = CellX.template.format(g="s.center", level="l.level")
    cy = CellY.template.format(g="s.center", level="l.level")
    cursor.execute(
        "INSERT INTO layers_tilecluster (layer, level, x, y, tx, ty, n, sum_lon, sum_lat) "
        f"SELECT %s, c.level, c.cx, c.cy, c.cx >> {CELL_SHIFT}, c.cy >> {CELL_SHIFT}, "
        "%s * count(*), %s * sum(ST_X(c.center)), %s * sum(ST_Y(c.center)) "
        f"FROM (SELECT s.center, l.level, {cx} AS cx, {cy} AS cy "
        f"FROM layers_tileshape s JOIN (VALUES {_zoom_levels()}) AS l(zoom, level) ON l.zoom = s.zoom "
        f"WHERE s.layer = %s AND s.geom IS NULL{where}) AS c GROUP BY c.level, c.cx, c.cy "
        "ON CONFLICT ON CONSTRAINT tilecluster_cell DO UPDATE SET n = layers_tilecluster.n + EXCLUDED.n, "
        "sum_lon = layers_tilecluster.sum_lon + EXCLUDED.sum_lon, sum_lat = layers_tilecluster.sum_lat + EXCLUDED.sum_lat",
        [layer.name, sign, float(sign), float(sign), layer.name, *ids_params])


def _shapes_rebuild(cursor, layer: Layer, cells: bool) -> None:
    cursor.execute("DELETE FROM layers_tileshape WHERE layer = %s", [layer.name])
    if cells:
        cursor.execute("DELETE FROM layers_tilecluster WHERE layer = %s", [layer.name])
    _shapes_insert(cursor, layer)
    if cells:
        _cells_add(cursor, layer, 1)


def _shapes_refresh(cursor, layer: Layer, boxes, cells: bool) -> None:
    """Draw again every feature that is, or was, inside the boxes (by id: moved, added, deleted), and (`cells`) move
    its count between the cells of every zoom where it is merged: the old rows' counts out, the new rows' in."""
    geom = layer.geom_field
    current_sql, current_params, gone = [], [], set()
    for west, south, east, north in boxes:
        area = Polygon.from_bbox((west, south, east, north))
        area.srid = 4326
        current = layer.get_queryset(Viewer.anonymous()).order_by().filter(**{f"{geom}__bboverlaps": area})
        sql, params = current.values("pk").query.sql_with_params()
        current_sql.append(sql)
        current_params += params
        # features whose old rows were there (their centre lies in their old box, which is one of the boxes)
        cursor.execute("SELECT DISTINCT feature_id FROM layers_tileshape WHERE layer = %s "
                       "AND center && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", [layer.name, west, south, east, north])
        gone.update(row[0] for row in cursor.fetchall())
    ids_sql = " UNION ".join(["SELECT unnest(%s::bigint[])", *current_sql])
    ids_params = [sorted(gone), *current_params]
    if cells:
        _cells_add(cursor, layer, -1, ids_sql, ids_params)
    cursor.execute(f"DELETE FROM layers_tileshape WHERE layer = %s AND feature_id IN ({ids_sql})",
                   [layer.name, *ids_params])
    _shapes_insert(cursor, layer, ids_sql, ids_params)
    if cells:
        _cells_add(cursor, layer, 1, ids_sql, ids_params)
        cursor.execute("DELETE FROM layers_tilecluster WHERE layer = %s AND n <= 0", [layer.name])


def _aggregatable(layer: Layer) -> bool:
    if not layer.aggregated:
        return False
    if layer.geometry_type == "point":
        return layer.cluster_maxzoom >= 0
    return layer.geometry_type in ("line", "polygon", "mixed")


def _merges(layer: Layer) -> bool:
    """Whether the layer's small lines and polygons are counted in cells (TileCluster rows added to and taken from),
    rather than its points clustered (cells counted again from the rows)."""
    return layer.geometry_type in ("line", "polygon")


def aggregates_rebuild(*, layer: Layer) -> None:
    """Build the layer's aggregates from scratch (in one transaction; readers see the old or the new)."""
    if not _aggregatable(layer):
        return
    using = _db()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        _lock(cursor, layer)
        if clusters_points(layer):
            cursor.execute("DELETE FROM layers_tilecluster WHERE layer = %s", [layer.name])
            _finest_insert(cursor, layer, None)
            for level in range(finest_level(layer) - 1, CELL_SHIFT - 1, -1):
                _parent_insert(cursor, layer, level, None)
        _shapes_rebuild(cursor, layer, cells=_merges(layer))
        # fresh statistics, so tile statements use the indexes from the first request on
        cursor.execute("ANALYZE layers_tilecluster")
        cursor.execute("ANALYZE layers_tileshape")
        TileAggregateState.objects.using(using).update_or_create(layer=layer.name,
                                                                 defaults={"version": aggregates_version(layer)})


def aggregates_refresh(*, layer: Layer, geometries: Iterable[GEOSGeometry], wait: bool = True) -> bool:
    """Count again the cells the geometries fall in, at every level (after the change has committed).

    `wait=False` (a request's commit hook): when another transaction holds the layer's lock longer than
    REFRESH_LOCK_WAIT (a rebuild), do nothing and answer False: the caller hands the refresh to the worker."""
    boxes = []
    for geometry in geometries:
        if geometry is None or geometry.empty:
            continue
        if geometry.srid and geometry.srid != 4326:
            geometry = geometry.transform(4326, clone=True)
        west, south, east, north = geometry.extent
        boxes.append((west, max(-MAX_LAT, south), east, min(MAX_LAT, north)))
    if not boxes:
        return True
    using = _db()
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            _lock(cursor, layer, None if wait else REFRESH_LOCK_WAIT)
            if not TileAggregateState.objects.using(using).filter(layer=layer.name,
                                                                  version=aggregates_version(layer)).exists():
                return True  # not built (or built for another version): tiles group rows per request
            _shapes_refresh(cursor, layer, boxes, cells=_merges(layer))
            if not clusters_points(layer):
                return True
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
    except Exception as error:
        if isinstance(error, OperationalError) and _lock_busy(error):
            log.info("the tile aggregates of %s are being rebuilt: their refresh is deferred", layer.name)
            return False
        log.exception("refreshing the tile aggregates of %s failed; its low zooms group rows until rebuilt",
                      layer.name)
        TileAggregateState.objects.using(using).filter(layer=layer.name).delete()
    return True
