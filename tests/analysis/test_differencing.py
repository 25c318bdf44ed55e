"""k-anonymity against a differencing attacker.

Every published figure (a shown cell's count, a total in the stats) is a sum of unknown true counts:
one per cell and period, plus the records outside every unit or period. The attacker adds and
subtracts published figures in every way; the attack succeeds when a combination sums exactly the
unknowns of a group of suppressed cells (or the records left outside) holding between 1 and k-1
records. Each test builds the case the outside review used (a cell of 5, a suppressed cell of 1 and
`records_in_units: 6`) or its relatives, and checks that no combination succeeds.
"""
from itertools import product

from django.contrib.gis.geos import Point

from analysis.models import AnalysisCell
from analysis.sources import k_anonymity

from .conftest import CITY_HALL, COEX, CONTRIBUTED_LAYER, JAMSIL_STATION

BUSAN = (129.0756, 35.1796)  # outside every Seoul unit
PERIODS = {"before": {"start": "2026-01-01", "end": "2026-01-31"}, "after": {"start": "2026-02-01", "end": "2026-02-28"}}
REST = ("rest",)  # the records outside every unit (or period)


def _figures(analysis, series: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[AnalysisCell]]:
    """Published figures as (value, {unknown: 1}); unknowns are (series, cell key) and REST."""
    output = analysis.outputs.get()
    cells = list(AnalysisCell.objects.filter(output=output).order_by("key"))
    figures = []
    for cell in cells:
        if cell.suppressed:
            assert cell.count is None and cell.count_before is None and cell.value is None
            continue
        for name in series:
            figures.append((getattr(cell, name), {(name, cell.key): 1}))
    stats = output.stats
    every = {(name, cell.key): 1 for cell in cells for name in series}
    if isinstance(stats.get("records"), int):
        figures.append((stats["records"], {**every, REST: 1}))
    if isinstance(stats.get("records_in_units"), int):
        figures.append((stats["records_in_units"], every))
    if isinstance(stats.get("outside"), int):
        figures.append((stats["outside"], {REST: 1}))
    for total, name in (("before_total", "count_before"), ("after_total", "count")):
        if isinstance(stats.get(total), int):
            figures.append((stats[total], {(name, cell.key): 1 for cell in cells}))
    return figures, cells


def _attack(figures, truth: dict) -> list[tuple[int, tuple]]:
    """Every small group (1..k-1 records, suppressed or left outside) whose count some ±1 combination gives."""
    k = k_anonymity()
    found = []
    for signs in product((0, 1, -1), repeat=len(figures)):
        if not any(signs):
            continue
        vector: dict = {}
        for sign, (_value, form) in zip(signs, figures):
            for unknown, coefficient in form.items():
                vector[unknown] = vector.get(unknown, 0) + sign * coefficient
        group = tuple(sorted((u for u, c in vector.items() if c), key=str))
        if not group or any(c not in (0, 1) for c in vector.values()):
            continue
        count = sum(truth.get(u, 0) for u in group)
        if 0 < count < k:
            found.append((count, group))
    return found


def _truth(cells, series_points: dict[str, list], rest: int) -> dict:
    truth = {REST: rest}
    for name, points in series_points.items():
        for cell in cells:
            truth[(name, cell.key)] = sum(1 for lon, lat in points if cell.geom.intersects(Point(lon, lat, srid=4326)))
    return truth


def test_the_attacker_finds_the_leak_the_review_found():
    """A cell of 5 shown, a cell of 1 suppressed, records_in_units 6: 6 - 5 gives the suppressed cell."""
    a, b = ("count", "a"), ("count", "b")
    assert _attack([(5, {a: 1}), (6, {a: 1, b: 1})], {a: 5, b: 1, REST: 0}) == [(1, (b,))]


def test_hex_totals_do_not_reveal_a_suppressed_cell_or_the_record_outside(contributed, analyst, run_analysis):
    city_hall = contributed.spread(CITY_HALL, 5)
    contributed.add(city_hall)
    contributed.add([JAMSIL_STATION])  # a lone record: its cell is suppressed
    contributed.add([BUSAN])  # a lone record outside Seoul
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "hex"})
    figures, cells = _figures(analysis, ("count",))
    assert figures  # records_in_units at least
    truth = _truth(cells, {"count": city_hall + [JAMSIL_STATION]}, rest=1)
    assert _attack(figures, truth) == []


def test_a_shown_cell_survives_when_the_suppressed_ones_hold_k_together(contributed, analyst, run_analysis):
    city_hall, coex = contributed.spread(CITY_HALL, 7), contributed.spread(COEX, 3)
    contributed.add(city_hall)
    contributed.add(coex)
    contributed.add([JAMSIL_STATION] * 2)
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "hex"})
    figures, cells = _figures(analysis, ("count",))
    assert [c.count for c in cells if not c.suppressed] == [7]  # suppression stops as soon as it is safe
    truth = _truth(cells, {"count": city_hall + coex + [JAMSIL_STATION] * 2}, rest=0)
    assert _attack(figures, truth) == []


def test_district_totals_do_not_reveal_a_suppressed_district(contributed, analyst, run_analysis):
    city_hall, coex = contributed.spread(CITY_HALL, 9), contributed.spread(COEX, 6)
    for points in (city_hall, coex, [JAMSIL_STATION] * 2):
        contributed.add(points)
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "district"})
    figures, cells = _figures(analysis, ("count",))
    assert any(not c.suppressed for c in cells)
    truth = _truth(cells, {"count": city_hall + coex + [JAMSIL_STATION] * 2}, rest=0)
    assert _attack(figures, truth) == []


def test_comparison_totals_do_not_reveal_a_suppressed_district_or_period(contributed, analyst, run_analysis):
    before = contributed.spread(CITY_HALL, 6) + contributed.spread(COEX, 8)
    after = contributed.spread(CITY_HALL, 12) + contributed.spread(COEX, 5) + [JAMSIL_STATION] * 2
    contributed.add(before, observed="2026-01-15T09:00:00+09:00")
    contributed.add(after, observed="2026-02-15T09:00:00+09:00")
    contributed.add([JAMSIL_STATION], observed="2026-03-05T09:00:00+09:00")  # in neither period
    analysis = run_analysis(analyst, "comparison", {"source": CONTRIBUTED_LAYER, "unit": "district", **PERIODS})
    figures, cells = _figures(analysis, ("count_before", "count"))
    assert any(not c.suppressed for c in cells)
    truth = _truth(cells, {"count_before": before, "count": after}, rest=1)
    assert _attack(figures, truth) == []


# --- hotspots: kernel density and Getis-Ord Gi* -------------------------------------------------------
# Their figures are not sums of cells, so the ±1 attacker above does not apply: a density raster can be
# deconvolved (the kernel is public) and the Gi* z-scores form a linear system in the cells' counts. The
# attacker here is any attacker at all: two data sets that differ only in a group smaller than k must
# give the same published outputs, figure for figure and pixel for pixel, so nothing can tell them apart.
NEAR_CITY_HALL = (126.98197, 37.56654)  # ~350 m east: inside the kernel of the City Hall records


def _published(analysis) -> dict:
    """Everything the public gets from a hotspot analysis: every output's cells, stats and raster."""
    import numpy as np
    import rasterio
    from django.conf import settings

    out = {}
    for output in analysis.outputs.order_by("key"):
        cells = [(c.key, c.count, c.count_before, c.value, c.p_value, c.klass, c.suppressed, c.geom.wkt)
                 for c in AnalysisCell.objects.filter(output=output).order_by("key")]
        raster = None
        if output.raster_path:
            with rasterio.open(f"{settings.MEDIA_ROOT}/{output.raster_path}") as src:
                raster = np.asarray(src.read(1)).tobytes()
        out[output.key] = (cells, output.stats, output.legend, raster)
    return out


def _hotspot(contributed, analyst, run_analysis, extra: list):
    from layers.models import DatasetFeature

    DatasetFeature.objects.filter(dataset__slug=CONTRIBUTED_LAYER).delete()
    contributed.add(contributed.spread(CITY_HALL, 12, step=0.0002))
    contributed.add([JAMSIL_STATION] * 3)  # a suppressed cell elsewhere: together the hidden cells hold k
    contributed.add(extra)
    return run_analysis(analyst, "hotspot", {"source": CONTRIBUTED_LAYER, "bandwidth_m": 1000, "cell_size_m": 100,
                                             "hex_size_m": 200})


def test_hotspot_outputs_are_the_same_whether_a_small_group_holds_two_records_or_three(contributed, analyst,
                                                                                      run_analysis):
    """Two and three records ~350 m from a cluster of twelve, in a hex cell of their own: under the old
    computation the density around them (unmasked, since the cluster is within the bandwidth) and the
    z-scores differed, so deconvolving the raster counted them. Now the outputs are identical."""
    two = _published(_hotspot(contributed, analyst, run_analysis, [NEAR_CITY_HALL] * 2))
    three = _published(_hotspot(contributed, analyst, run_analysis, [NEAR_CITY_HALL] * 3))
    assert set(two) == {"density", "classes", "gistar"}
    for key in two:
        assert two[key] == three[key], key
    assert two["density"][1]["records"] is None  # the raw total would count the group
    assert any(c[6] is False for c in two["gistar"][0])  # the cluster is still shown


def test_hotspot_outputs_are_the_same_whether_a_lone_record_exists_or_not(contributed, analyst, run_analysis):
    without = _published(_hotspot(contributed, analyst, run_analysis, [NEAR_CITY_HALL] * 2))
    lone = (NEAR_CITY_HALL[0] + 0.004, NEAR_CITY_HALL[1])  # ~700 m east of City Hall, still within the kernel
    with_lone = _published(_hotspot(contributed, analyst, run_analysis, [NEAR_CITY_HALL] * 2 + [lone]))
    for key in without:
        assert without[key] == with_lone[key], key
