"""Distance from every hex cell to the nearest public toilet (real data), checked against PostGIS directly."""
import pytest
from django.db import connection

from analysis.models import AnalysisCell
from tests.conftest import korean_only


def test_toilet_coverage_gives_plausible_distances_equal_to_a_direct_postgis_distance(toilets, analyst, run_analysis):
    analysis = run_analysis(analyst, "coverage", {"source": "dataset-seoul_public_toilets", "hex_size_m": 500,
                                                  "threshold_m": 500})
    output = analysis.outputs.get(key="distance")
    cells = list(AnalysisCell.objects.filter(output=output).order_by("value"))
    # Seoul is about 605 km²; a 500 m hex is 0.65 km²: about a thousand cells cover it
    assert 900 < len(cells) < 1300
    distances = [c.value for c in cells]
    assert min(distances) < 100  # some cells have a toilet next to their centre
    assert 100 < distances[len(distances) // 2] < 600  # dense city: median a few hundred metres
    assert 1500 < max(distances) < 6000  # mountains (Bukhansan, Gwanaksan) are far from toilets
    assert output.stats["under_served_cells"] == sum(d > 500 for d in distances)
    picks = [cells[0], cells[len(cells) // 3], cells[len(cells) // 2], cells[-10], cells[-1]]
    with connection.cursor() as cursor:
        for cell in picks:
            cursor.execute("""
                SELECT min(ST_Distance(f.geom::geography,
                                       ST_Transform(ST_Centroid(ST_Transform(%s::geometry, 5186)), 4326)::geography))
                FROM layers_datasetfeature f WHERE f.dataset_id = %s
            """, [cell.geom.ewkt, toilets.pk])
            direct, = cursor.fetchone()
            assert cell.value == pytest.approx(direct, abs=0.5)
    # the farthest cell is in the last class; its words come from the legend, in the reader's language
    assert cells[-1].klass == 4 and cells[-1].label == ""
