"""The built-in methods. Each reads staged sources and returns its outputs; nothing here writes models.

Heavy lifting happens in PostGIS (grids, point-in-area, nearest neighbour) and numpy
(kernel density, Getis-Ord Gi*). Every result is ordered by a stable key, and nothing is
random: the same inputs give the same outputs.

The hexagonal grid is PostGIS's `ST_HexagonGrid` in EPSG:5186 (metres): cells of exactly
the requested size and area in a projection made for Korea, generated next to the data in
one query, with stable (i, j) keys for a given size, so two runs or two periods line up
cell for cell. (H3 would give global cell ids, but its cells vary in area and are built in
Python, one round trip per point.)
"""
import math
from dataclasses import dataclass, field

import numpy as np
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils.translation import gettext

from . import messages
from .counting import Grid, records_count, units_pixels
from .raster import NODATA, grid_shape, kernel_density_counts, ramp
from .sources import METRIC_SRID, STAGED_TABLE, Source, k_anonymity, source_stage

UNITS_TABLE = "analysis_units"
SIGNIFICANCE = [(2.576, 3, "99%"), (1.960, 2, "95%"), (1.645, 1, "90%")]


class MethodError(ValueError):
    """The run cannot produce a result from these inputs; in the author's language, safe to show."""


@dataclass
class Row:
    key: str
    geom: GEOSGeometry
    label: str = ""
    count: int | None = None
    count_before: int | None = None
    value: float | None = None
    p_value: float | None = None
    klass: int = 0
    suppressed: bool = False


@dataclass
class Result:
    key: str
    title_ko: str
    title_en: str
    value_label: str
    rows: list[Row] = field(default_factory=list)
    legend: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    raster: np.ndarray | None = None
    raster_transform: object = None
    geometry_type: str = "polygon"

    @property
    def kind(self) -> str:
        return "raster" if self.raster is not None else "vector"


# --- shared pieces ---------------------------------------------------------------------------
def _fetch(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def units_create(unit: str, hex_size: int) -> None:
    """Stage the areas results are given for: idx, key, label, population, area_km2, g (5186), geom (4326)."""
    _execute(f"DROP TABLE IF EXISTS {UNITS_TABLE}")
    if unit == "hex":
        select = f"""
            SELECT h.i || ',' || h.j AS key, '' AS label, NULL::integer AS population,
                   ST_Area(h.geom) / 1e6 AS area_km2, h.geom AS g, ST_Transform(h.geom, 4326) AS geom
            FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom), 4326), {METRIC_SRID}) AS box
                  FROM districts_district) AS seoul,
                 ST_HexagonGrid(%s, seoul.box) AS h
            WHERE EXISTS (SELECT 1 FROM districts_district d
                          WHERE ST_Intersects(d.geom, ST_Transform(h.geom, 4326)))
        """
        params = [hex_size]
    else:
        table = "districts_district" if unit == "district" else "districts_dong"
        select = f"""
            SELECT code AS key, name_ko || ' ' || name_en AS label, population,
                   ST_Area(geom::geography) / 1e6 AS area_km2, ST_Transform(geom, {METRIC_SRID}) AS g, geom
            FROM {table}
        """
        params = []
    # idx: the rank by key, in the database's order, so that "the first unit by key" is min(idx)
    _execute(f"CREATE TEMP TABLE {UNITS_TABLE} AS SELECT row_number() OVER (ORDER BY key) AS idx, * FROM ({select}) AS units",
             params)
    _execute(f"CREATE INDEX ON {UNITS_TABLE} USING gist (g)")
    _execute(f"ANALYZE {UNITS_TABLE}")


def _no_progress(step: str) -> None:
    pass


def _units_counted(source: Source, unit: str, hex_size: int, progress, *, series: tuple = (),
                   grid: Grid | None = None):
    """Stage the units, classify their pixels, and count the source's records per unit in one pass.

    Each record is counted once: in the first unit (by key) whose closed area holds it (`counting.py`).
    """
    progress("areas")
    units_create(unit, hex_size)
    units_pixels(UNITS_TABLE)
    progress("records")
    counted = records_count(source, units_table=UNITS_TABLE, series=series, grid=grid)
    keys = dict(_fetch(f"SELECT idx, key FROM {UNITS_TABLE}"))
    counted.by_unit = {keys[idx]: numbers for idx, numbers in counted.by_unit.items()}
    return counted


def _units_fetch(columns: str) -> list[tuple]:
    """The staged units, one row each, ordered by key (the database's order, as every result is)."""
    return _fetch(f"SELECT key, {columns} FROM {UNITS_TABLE} ORDER BY key")


def _quantile_breaks(values: list[float], classes: int) -> list[float]:
    """Lower bounds of `classes` quantile classes (first = smallest value), deduplicated, ascending."""
    if not values:
        return []
    qs = np.quantile(np.asarray(values, dtype=np.float64), np.linspace(0, 1, classes + 1)[:-1])
    return sorted({round(float(q), 6) for q in qs})


def _classify(value: float | None, breaks: list[float]) -> int:
    if value is None or not breaks:
        return 0
    return int(np.searchsorted(breaks, value, side="right"))


def _legend(breaks: list[float], unit_ko: str, unit_en: str, colors: list[str] | None = None) -> list[dict]:
    colors = colors or ramp(max(2, len(breaks)))
    return [{"value": i, "min": b, "color": colors[i - 1],
             "label_ko": f"{_fmt(b)} {unit_ko} 이상", "label_en": f"≥ {_fmt(b)} {unit_en}"}
            for i, b in enumerate(breaks, start=1)]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _suppression_stats(rows: list[Row], *, applied: bool, k: int) -> dict:
    return {"k": k, "k_applied": applied, "suppressed": sum(r.suppressed for r in rows), "shown": len(rows)}


SUPPRESSED_CLASS = -9
SUPPRESSED_LEGEND = {"value": SUPPRESSED_CLASS, "color": "#bdbdbd", "suppressed": True,
                     "label_ko": "비공개 (기록 k건 미만)", "label_en": "suppressed (fewer than k records)"}


def _suppress(row: Row) -> None:
    row.suppressed, row.count, row.count_before, row.value, row.p_value, row.klass = (
        True, None, None, None, None, SUPPRESSED_CLASS)


def _protect(rows: list[Row], counts: list[list[int | None]], *, applied: bool, k: int) -> None:
    """Suppress rows where any contributing count is under k: no count, no value, flag set.

    Then secondary suppression, because totals are published too: for each series of counts, the
    suppressed rows together hold either nothing or at least k records, so that no total minus the
    shown counts isolates a group smaller than k. The smallest shown rows are suppressed first.
    """
    if not applied:
        return
    for row, row_counts in zip(rows, counts):
        if any(c is not None and c < k for c in row_counts):
            _suppress(row)
    series = len(counts[0]) if counts else 0
    while True:
        hidden = [sum(c[i] or 0 for r, c in zip(rows, counts) if r.suppressed) for i in range(series)]
        if all(total == 0 or total >= k for total in hidden):
            return
        shown = [(sum(c[i] or 0 for i in range(series)), r.key, r) for r, c in zip(rows, counts) if not r.suppressed]
        if not shown:
            return
        _suppress(min(shown, key=lambda item: (item[0], item[1]))[2])


def _protected_totals(*, records: int, in_units: int, applied: bool, k: int) -> dict:
    """`records` and `outside` are published only when the records outside every unit are none or at least k
    (else records minus records_in_units would count a group smaller than k)."""
    outside = records - in_units
    if applied and 0 < outside < k:
        return {"records": None, "records_in_units": in_units, "outside": None}
    return {"records": records, "records_in_units": in_units, "outside": outside}


# --- aggregation -----------------------------------------------------------------------------
MEASURES = {
    "count": ("records", "건", messages.COUNT),
    "per_km2": ("records per km²", "건/km²", messages.PER_KM2),
}


def aggregation(params: dict, sources: list[Source], progress=_no_progress) -> list[Result]:
    source, k = sources[0], k_anonymity()
    applied = not source.is_open_data
    unit, measure = params["unit"], params["measure"]
    counted = _units_counted(source, unit, params["hex_size_m"], progress)
    progress("results")
    fetched = [(key, label, population, area_km2, counted.by_unit.get(key, [0])[0], ewkb)
               for key, label, population, area_km2, ewkb in _units_fetch("label, population, area_km2, ST_AsEWKB(geom)")]
    if unit == "hex":  # only the cells holding records
        fetched = [row for row in fetched if row[4] > 0]
    rows, counts = [], []
    for key, label, population, area_km2, count, ewkb in fetched:
        if measure == "per_population":
            value = count * params["per"] / population if population else None
        elif measure == "per_km2":
            value = count / area_km2 if area_km2 else None
        else:
            value = float(count)
        rows.append(Row(key=key, label=label, count=count, value=None if value is None else round(value, 6),
                        geom=GEOSGeometry(memoryview(bytes(ewkb)))))
        counts.append([count])
    _protect(rows, counts, applied=applied, k=k)
    breaks = _quantile_breaks([r.value for r in rows if r.value is not None], 5)
    for row in rows:
        row.klass = _classify(row.value, breaks) if not row.suppressed else SUPPRESSED_CLASS
    if measure == "per_population":
        unit_en, unit_ko = f"per {params['per']:,} residents", f"주민 {params['per']:,}명당"
        label = messages.value_label(messages.PER_POPULATION, per=f"{params['per']:,}")
    else:
        unit_en, unit_ko, key = MEASURES[measure]
        label = messages.value_label(key)
    in_units = sum(c[0] for c in counts)
    return [Result(
        key="cells", title_ko=f"{source.layer.title_ko} 집계", title_en=f"{source.layer.title_en}: aggregated",
        value_label=label, rows=rows,
        legend=_legend(breaks, unit_ko, unit_en) + ([SUPPRESSED_LEGEND] if applied else []),
        stats={**_protected_totals(records=source.count, in_units=in_units, applied=applied, k=k),
               "unit": unit, **_suppression_stats(rows, applied=applied, k=k)},
    )]


# --- hotspots --------------------------------------------------------------------------------
def _seoul_bounds(margin: float, cell: float) -> tuple[float, float, float, float]:
    (xmin, ymin, xmax, ymax), = _fetch(
        f"SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
        f"(SELECT ST_Transform(ST_SetSRID(ST_Extent(geom), 4326), {METRIC_SRID}) AS b FROM districts_district) s")
    snap = lambda v, f: f(v / cell) * cell  # noqa: E731
    return (snap(xmin - margin, math.floor), snap(ymin - margin, math.floor),
            snap(xmax + margin, math.ceil), snap(ymax + margin, math.ceil))


def hotspot(params: dict, sources: list[Source], progress=_no_progress) -> list[Result]:
    source, k = sources[0], k_anonymity()
    applied = not source.is_open_data
    cell, bandwidth, classes = params["cell_size_m"], params["bandwidth_m"], params["classes"]
    bounds = _seoul_bounds(bandwidth, cell)
    height, width, transform = grid_shape(bounds, cell)
    # one pass: records per raster pixel (kernel density) and per hexagon (Gi*)
    counted = _units_counted(source, "hex", params["hex_size_m"], progress,
                             grid=Grid(left=bounds[0], top=bounds[3], cell=cell, height=height, width=width))
    if source.count == 0:
        raise MethodError(gettext("The source layer has no features to find hotspots in"))
    progress("density")
    by_unit = counted.by_unit
    if applied:
        # Density and Gi* of contributed records are computed from the hex counts a hex aggregation of the same
        # size publishes (cells under k, and the secondary suppressions, count as empty; each count sits at its
        # cell's centre): whatever an attacker derives from them (a deconvolved raster, a solved Gi* system,
        # combined with that aggregation) is at most those published counts, never a group smaller than k.
        by_unit = _protected_hex_counts(by_unit, k=k)
        counts = _hex_pixel_counts(by_unit, shape=(height, width), bounds=bounds, cell=cell)
    else:
        counts = counted.pixels
    density, nearby = kernel_density_counts(counts, cell=cell, bandwidth=bandwidth)
    masked = (nearby < k) & (density > 0) if applied else np.zeros(density.shape, dtype=bool)
    density = np.round(density, 4)
    positive = density[(density > 0) & ~masked]
    breaks = _quantile_breaks(positive.tolist(), classes) if positive.size else []
    breaks = [b for b in breaks if b > 0]
    raster = np.where(masked, NODATA, density)
    legend = _legend(breaks, "건/km²", "records per km²")
    density_stats = {"records": None if applied else source.count, "records_used": int(counts.sum()),
                     "max_density": float(positive.max()) if positive.size else 0.0,
                     "bandwidth_m": bandwidth, "cell_size_m": cell, "srid": METRIC_SRID, "k": k,
                     "k_applied": applied, "suppressed_pixels": int(masked.sum()), "breaks": breaks}
    progress("results")
    results = [
        Result(key="density", title_ko=f"{source.layer.title_ko} 밀도 (커널)",
               title_en=f"{source.layer.title_en}: kernel density", value_label=messages.value_label(messages.DENSITY),
               legend=legend, stats=density_stats, raster=raster.astype(np.float32), raster_transform=transform,
               geometry_type="raster"),
        Result(key="classes", title_ko=f"{source.layer.title_ko} 밀도 등급", title_en=f"{source.layer.title_en}: density classes",
               value_label=messages.value_label(messages.DENSITY_CLASS),
               rows=_class_polygons(np.where(masked, 0, density), transform, breaks), legend=legend,
               stats={"classes": len(breaks), "k": k, "k_applied": applied,
                      "suppressed_pixels": int(masked.sum()), "breaks": breaks}),
        _getis_ord(source, params["hex_size_m"], by_unit, applied=applied, k=k),
    ]
    return results


def _protected_hex_counts(by_unit: dict, *, k: int) -> dict:
    """Each hex cell's count as a hex aggregation of this size publishes it: `_protect` over the non-empty
    cells in key order (as `aggregation` does), a suppressed cell counting 0."""
    shown = sorted((key, numbers[0]) for key, numbers in by_unit.items() if numbers[0] > 0)
    rows = [Row(key=key, count=count, geom=None) for key, count in shown]
    _protect(rows, [[count] for _, count in shown], applied=True, k=k)
    return {row.key: [0 if row.suppressed else count] for row, (_, count) in zip(rows, shown)}


def _hex_pixel_counts(by_unit: dict, *, shape: tuple[int, int], bounds, cell: float) -> np.ndarray:
    """Each hex cell's (protected) count placed at its centre, on the density raster's pixel grid."""
    xmin, _, _, ymax = bounds
    counts = np.zeros(shape, dtype=np.float64)
    for key, x, y in _units_fetch("ST_X(ST_Centroid(g)), ST_Y(ST_Centroid(g))"):
        count = by_unit.get(key, [0])[0]
        r, c = math.floor((ymax - y) / cell), math.floor((x - xmin) / cell)
        if count and 0 <= r < shape[0] and 0 <= c < shape[1]:
            counts[r, c] += count
    return counts


def _class_polygons(density: np.ndarray, transform, breaks: list[float]) -> list[Row]:
    """The density raster cut into classes and turned into polygons (filled contours)."""
    from rasterio.features import shapes
    from shapely.geometry import shape
    from shapely.ops import unary_union

    if not breaks:
        return []
    klass = np.where(density > 0, np.searchsorted(breaks, density, side="right"), 0).astype(np.int16)
    parts: dict[int, list] = {}
    for geometry, value in shapes(klass, mask=klass > 0, transform=transform):
        parts.setdefault(int(value), []).append(shape(geometry))
    rows = []
    for value in sorted(parts):
        merged = unary_union(parts[value])
        geom = GEOSGeometry(memoryview(merged.wkb), srid=METRIC_SRID)
        geom.transform(4326)
        rows.append(Row(key=f"class-{value}", label=f"≥ {_fmt(breaks[value - 1])} /km²", value=breaks[value - 1],
                        klass=value, geom=geom))
    return rows


def _getis_ord(source: Source, hex_size: int, by_unit: dict, *, applied: bool, k: int) -> Result:
    """Getis-Ord Gi* on record counts per hex cell (the staged units, counted), each cell and its six
    neighbours as weights."""
    cells = [(key, by_unit.get(key, [0])[0], ewkb) for key, ewkb in _units_fetch("ST_AsEWKB(geom)")]
    index = {key: i for i, (key, _, _) in enumerate(cells)}
    pairs = _fetch(f"""
        SELECT a.key, b.key FROM {UNITS_TABLE} a JOIN {UNITS_TABLE} b ON ST_DWithin(a.g, b.g, %s)
    """, [hex_size * 0.01])
    x = np.asarray([c[1] for c in cells], dtype=np.float64)
    n = len(x)
    rows_idx = np.asarray([index[a] for a, _ in pairs], dtype=np.int64)
    cols_idx = np.asarray([index[b] for _, b in pairs], dtype=np.int64)
    weight_sum = np.bincount(rows_idx, minlength=n).astype(np.float64)
    local_sum = np.bincount(rows_idx, weights=x[cols_idx], minlength=n)
    mean = x.mean()
    spread = math.sqrt(max((x ** 2).mean() - mean ** 2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = spread * np.sqrt((n * weight_sum - weight_sum ** 2) / (n - 1))
        z = np.where(denominator > 0, (local_sum - mean * weight_sum) / denominator, 0.0)
    rows, counts = [], []
    for i, (key, _, ewkb) in enumerate(cells):
        zi = round(float(z[i]), 4)
        klass = next((sign * level for threshold, level, _ in SIGNIFICANCE
                      for sign in (1, -1) if sign * zi >= threshold), 0)
        rows.append(Row(key=key, count=int(local_sum[i]), value=zi,
                        p_value=round(math.erfc(abs(zi) / math.sqrt(2)), 6), klass=klass,
                        label=_significance_label(klass), geom=GEOSGeometry(memoryview(bytes(ewkb)))))
        counts.append([int(local_sum[i])])
    _protect(rows, counts, applied=applied, k=k)
    if applied:
        # Neighbourhoods overlap: differences of their counts would give single cells' counts. Publish only
        # the z-score to one decimal and its class, never the neighbourhood count.
        for row in rows:
            if not row.suppressed:
                row.count, row.value = None, round(row.value, 1)
                row.p_value = round(math.erfc(abs(row.value) / math.sqrt(2)), 3)
    legend = [{"value": sign * level, "color": color,
               "label_ko": f"{'핫스팟' if sign > 0 else '콜드스팟'} (신뢰도 {conf})",
               "label_en": f"{'hot spot' if sign > 0 else 'cold spot'} ({conf} confidence)"}
              for sign, shades in ((1, ("#fcbba1", "#fb6a4a", "#cb181d")), (-1, ("#c6dbef", "#6baed6", "#2171b5")))
              for (_, level, conf), color in zip(reversed(SIGNIFICANCE), shades)]
    legend.append({"value": 0, "color": "#f7f7f7", "label_ko": "유의하지 않음", "label_en": "not significant"})
    if applied:
        legend.append(SUPPRESSED_LEGEND)
    return Result(
        key="gistar", title_ko=f"{source.layer.title_ko} 핫스팟 (Getis-Ord Gi*)",
        title_en=f"{source.layer.title_en}: hot spots (Getis-Ord Gi*)",
        value_label=messages.value_label(messages.GISTAR), rows=rows,
        legend=legend,
        stats={"cells": n, "hex_size_m": hex_size, "hot_cells": int(sum(r.klass > 0 for r in rows)),
               "cold_cells": int(sum(r.klass < 0 for r in rows)), **_suppression_stats(rows, applied=applied, k=k)},
    )


def _significance_label(klass: int) -> str:
    """Cells carry no words of their own: readers see the legend's label of their class, in their language."""
    return ""


# --- coverage --------------------------------------------------------------------------------
COVERAGE_COLORS = ["#1a9850", "#a6d96a", "#fdae61", "#d73027"]


def coverage(params: dict, sources: list[Source], progress=_no_progress) -> list[Result]:
    source = sources[0]
    progress("areas")
    units_create("hex", params["hex_size_m"])
    progress("records")
    source_stage(source, table=STAGED_TABLE)  # searched by distance: a copy with a GiST index
    if source.count == 0:
        raise MethodError(gettext("The facility layer has no features"))
    threshold = params["threshold_m"]
    progress("results")
    fetched = _fetch(f"""
        SELECT u.key, ST_AsEWKB(u.geom), nearest.distance,
               (SELECT count(*) FROM {source.table} s WHERE ST_Intersects(u.g, s.g))
        FROM {UNITS_TABLE} u
        CROSS JOIN LATERAL (
            SELECT ST_Distance(s.p::geography, ST_Transform(ST_Centroid(u.g), 4326)::geography) AS distance
            FROM {source.table} s ORDER BY s.g <-> ST_Centroid(u.g) LIMIT 1
        ) AS nearest
        ORDER BY u.key
    """)
    bands = [threshold / 2, threshold, threshold * 2]
    rows = []
    for key, ewkb, distance, inside in fetched:
        distance = round(float(distance), 1)
        klass = 1 + int(np.searchsorted(bands, distance, side="left"))
        rows.append(Row(key=key, value=distance, count=int(inside), klass=klass, geom=GEOSGeometry(memoryview(bytes(ewkb))),
                        label=""))  # the legend names the class in the reader's language
    distances = np.asarray([r.value for r in rows])
    limits = [0, *bands]
    legend = [{"value": i, "color": color, "min": low,
               "label_ko": f"{_fmt(low)} m 이상", "label_en": f"≥ {_fmt(low)} m"}
              for i, (low, color) in enumerate(zip(limits, COVERAGE_COLORS), start=1)]
    under = int((distances > threshold).sum())
    return [Result(
        key="distance", title_ko=f"{source.layer.title_ko} 접근성 (가장 가까운 시설까지 거리)",
        title_en=f"{source.layer.title_en}: distance to the nearest facility",
        value_label=messages.value_label(messages.DISTANCE),
        rows=rows, legend=legend,
        stats={"cells": len(rows), "facilities": source.count, "threshold_m": threshold,
               "under_served_cells": under, "under_served_share": round(under / len(rows), 4) if rows else 0,
               "median_m": round(float(np.median(distances)), 1), "max_m": round(float(distances.max()), 1),
               "k_applied": False, "note": "distances to features already public on the source layer"},
    )]


# --- comparison over time --------------------------------------------------------------------
def comparison(params: dict, sources: list[Source], progress=_no_progress) -> list[Result]:
    source, k = sources[0], k_anonymity()
    applied = not source.is_open_data
    unit = params["unit"]
    before, after = params["before"], params["after"]
    period = "day BETWEEN %s::date AND %s::date"
    counted = _units_counted(source, unit, params["hex_size_m"], progress, series=(
        (period, (before["start"], before["end"])), (period, (after["start"], after["end"]))))
    progress("results")
    fetched = []
    for key, label, ewkb in _units_fetch("label, ST_AsEWKB(geom)"):
        _, n_before, n_after = counted.by_unit.get(key, [0, 0, 0])
        if unit == "hex" and n_before == 0 and n_after == 0:
            continue
        fetched.append((key, label, ewkb, n_before, n_after))
    rows, counts = [], []
    for key, label, ewkb, n_before, n_after in fetched:
        if unit == "hex" and n_before == 0 and n_after == 0:
            continue
        change = n_after - n_before
        rows.append(Row(key=key, label=label, count_before=n_before, count=n_after, value=float(change),
                        p_value=None, klass=(change > 0) - (change < 0), geom=GEOSGeometry(memoryview(bytes(ewkb)))))
        counts.append([n_before, n_after])
    _protect(rows, counts, applied=applied, k=k)
    before_total, after_total = sum(c[0] for c in counts), sum(c[1] for c in counts)
    rest = source.count - before_total - after_total  # records in neither period (or outside every unit)
    records = None if applied and 0 < rest < k else source.count
    legend = [
        {"value": -1, "color": "#4575b4", "label_ko": "감소", "label_en": "fewer"},
        {"value": 0, "color": "#f7f7f7", "label_ko": "변화 없음", "label_en": "no change"},
        {"value": 1, "color": "#d73027", "label_ko": "증가", "label_en": "more"},
    ] + ([SUPPRESSED_LEGEND] if applied else [])
    return [Result(
        key="change", title_ko=f"{source.layer.title_ko} 기간 비교", title_en=f"{source.layer.title_en}: change over time",
        value_label=messages.value_label(messages.CHANGE),
        rows=rows, legend=legend,
        stats={"records": records, "before": before, "after": after, "unit": unit,
               "before_total": before_total, "after_total": after_total,
               **_suppression_stats(rows, applied=applied, k=k)},
    )]


RUNNERS = {"aggregation": aggregation, "hotspot": hotspot, "coverage": coverage, "comparison": comparison}
