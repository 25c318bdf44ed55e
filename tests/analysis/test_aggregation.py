"""Aggregation to hex cells, districts and dongs, with k-anonymity on citizens' records."""
import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from analysis.models import AnalysisCell
from analysis.sources import k_anonymity

from .conftest import CITY_HALL, COEX, CONTRIBUTED_LAYER, GANGNAM_STATION, JAMSIL_STATION


def _cells(analysis, key="cells"):
    return list(AnalysisCell.objects.filter(output__analysis=analysis, output__key=key).order_by("key"))


def test_hex_aggregation_counts_points_and_suppresses_cells_under_k(contributed, analyst, run_analysis):
    assert k_anonymity() == 5
    contributed.add(contributed.spread(CITY_HALL, 7))
    contributed.add(contributed.spread(GANGNAM_STATION, 3))
    contributed.add([JAMSIL_STATION])
    contributed.add(contributed.spread(COEX, 5))
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "hex", "hex_size_m": 1000})

    cells = _cells(analysis)
    assert len(cells) == 4  # only cells holding records
    by_place = {}
    places = {"city_hall": CITY_HALL, "gangnam": GANGNAM_STATION, "jamsil": JAMSIL_STATION, "coex": COEX}
    for name, (lon, lat) in places.items():
        holding = [c for c in cells if c.geom.intersects(Point(lon, lat, srid=4326))]
        assert len(holding) == 1
        by_place[name] = holding[0]
    assert by_place["city_hall"].count == 7 and by_place["city_hall"].value == 7
    assert not by_place["city_hall"].suppressed
    # Gangnam's 3 and Jamsil's 1 are under k; COEX's 5 (the smallest shown cell) is suppressed as well, so that
    # records_in_units minus the shown counts covers at least k records
    for name in ("gangnam", "jamsil", "coex"):
        cell = by_place[name]
        assert cell.suppressed and cell.count is None and cell.value is None
    output = analysis.outputs.get(key="cells")
    assert output.stats["suppressed"] == 3 and output.stats["k"] == 5 and output.stats["k_applied"] is True
    assert output.stats["records"] == 16 and output.stats["records_in_units"] == 16


def test_hex_cells_are_regular_hexagons_of_the_requested_size(contributed, analyst, run_analysis):
    contributed.add(contributed.spread(CITY_HALL, 5))
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "hex", "hex_size_m": 500})
    cell, = _cells(analysis)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_NPoints(%s::geometry), ST_Area(ST_Transform(%s::geometry, 5186))",
                       [cell.geom.ewkt, cell.geom.ewkt])
        points, area = cursor.fetchone()
    assert points == 7  # closed ring of six corners
    assert area == pytest.approx(3 * 3 ** 0.5 / 2 * 500 ** 2, rel=1e-3)


def test_district_rates_per_population_use_resident_counts(contributed, analyst, run_analysis, seoul):
    contributed.add(contributed.spread(COEX, 6))
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "district",
                                                     "measure": "per_population", "per": 10000})
    cells = {c.key: c for c in _cells(analysis)}
    assert len(cells) == 25
    shown = [c for c in cells.values() if not c.suppressed]
    assert [c.key for c in shown] == ["11680"]  # the 24 others have 0 records: fewer than k
    gangnam = seoul["11680"]
    assert shown[0].count == 6
    assert shown[0].value == pytest.approx(6 * 10000 / gangnam.population, abs=1e-6)


def test_open_data_is_not_suppressed_and_libraries_per_dong_are_rates(libraries, analyst, run_analysis):
    analysis = run_analysis(analyst, "aggregation", {"source": "dataset-seoul_public_libraries", "unit": "dong",
                                                     "measure": "per_population"})
    cells = _cells(analysis)
    assert len(cells) == 424 and not any(c.suppressed for c in cells)
    assert sum(c.count for c in cells) == analysis.outputs.get().stats["records_in_units"]
    assert analysis.outputs.get().stats["records_in_units"] >= 210  # 215 libraries, a few on the city edge
    with_library = [c for c in cells if c.count]
    assert len(with_library) >= 100  # 215 libraries over 424 dongs
    assert all(c.value > 0 for c in with_library)
    assert all(c.value == 0 for c in cells if not c.count)


def test_toilets_per_km2_per_district_match_a_direct_count(toilets, analyst, run_analysis):
    analysis = run_analysis(analyst, "aggregation", {"source": "dataset-seoul_public_toilets", "unit": "district",
                                                     "measure": "per_km2"})
    cells = {c.key: c for c in _cells(analysis)}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT d.code, count(f.id), ST_Area(d.geom::geography) / 1e6 FROM districts_district d
            LEFT JOIN layers_datasetfeature f ON f.dataset_id = %s AND ST_Intersects(d.geom, f.geom)
            WHERE d.code IN ('11110', '11680') GROUP BY d.code, d.geom
        """, [toilets.pk])
        direct = {code: (count, area) for code, count, area in cursor.fetchall()}
    assert set(direct) == {"11110", "11680"} and all(count > 0 for count, _ in direct.values())
    for code, (count, area) in direct.items():
        assert cells[code].count == count
        assert cells[code].value == pytest.approx(count / area, abs=1e-6)
