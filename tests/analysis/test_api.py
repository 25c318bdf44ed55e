"""The analyses API: who may do what, bad input, the run/publish flow, outputs as layers, exports."""
import csv
import io
import json
import subprocess

import mapbox_vector_tile
import pytest
import rasterio
from tests.conftest import korean_only

from .conftest import CITY_HALL, COEX, CONTRIBUTED_LAYER, JAMSIL_STATION

TOILETS = "dataset-seoul_public_toilets"


def _body(response):
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


@pytest.fixture
def analyst_api(analyst, client_for):
    return client_for(analyst)


def _create(client, method="coverage", parameters=None, name="Toilet coverage"):
    return client.post("/api/analyses/", {"name": name, "method": method,
                                          "parameters": parameters or {"source": TOILETS, "hex_size_m": 2000}},
                       format="json")


def test_citizen_cannot_create_an_analysis(toilets, citizen, client_for):
    response = _create(client_for(citizen))
    assert response.status_code == 403
    assert korean_only(response.json()["detail"])  # the reader's language (Korean by default), one language
    english = client_for(citizen).post("/api/analyses/", {"name": "x", "method": "coverage"}, format="json",
                                       HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert english == "Only analysts may create or change analyses"


def test_anonymous_cannot_create_an_analysis(toilets, api):
    assert _create(api).status_code == 401


@pytest.mark.parametrize("method,parameters,field", [
    ("voronoi", {"source": TOILETS}, "method"),
    ("coverage", {"source": "map-999999"}, "parameters"),
    ("coverage", {"source": "'; DROP TABLE analysis_analysis; --"}, "parameters"),
    ("coverage", {"source": TOILETS, "hex_size_m": 10}, "parameters"),
    ("coverage", {"source": TOILETS, "hex_size_m": "big"}, "parameters"),
    ("coverage", {"source": TOILETS, "colour": "red"}, "parameters"),
    ("coverage", ["not", "an", "object"], "parameters"),
    ("coverage", {}, "parameters"),
    ("aggregation", {"source": TOILETS, "unit": "hex", "measure": "per_population"}, "parameters"),
    ("aggregation", {"source": TOILETS, "unit": "village"}, "parameters"),
    ("hotspot", {"source": TOILETS, "bandwidth_m": 200, "cell_size_m": 150}, "parameters"),
    ("comparison", {"source": TOILETS, "before": {"start": "2026-02-01", "end": "2026-01-01"},
                    "after": {"start": "2026-02-01", "end": "2026-02-28"}}, "parameters"),
])
def test_bad_method_or_parameters_are_400_and_nothing_is_stored(toilets, analyst_api, method, parameters, field):
    from analysis.models import Analysis

    response = analyst_api.post("/api/analyses/", {"name": "bad", "method": method, "parameters": parameters},
                                format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Analysis.objects.count() == 0


def test_an_analysis_output_cannot_be_the_source_of_another(toilets, analyst_api):
    first = _create(analyst_api).json()
    analyst_api.post(f"/api/analyses/{first['id']}/run/")
    output = analyst_api.get(f"/api/analyses/{first['id']}/").json()["outputs"][0]["layer"]
    response = _create(analyst_api, parameters={"source": output})
    assert response.status_code == 400
    assert "분석" in json.dumps(response.json(), ensure_ascii=False)


def test_run_publish_flow_with_outputs_as_layers(toilets, analyst_api, api):
    created = _create(analyst_api)
    assert created.status_code == 201
    analysis = created.json()
    assert analysis["status"] == "draft" and analysis["sources"] == [TOILETS] and analysis["is_published"] is False
    assert analysis["parameters"] == {"source": TOILETS, "hex_size_m": 2000, "threshold_m": 500}
    # drafts are invisible to the public
    assert api.get(f"/api/analyses/{analysis['id']}/").status_code == 404
    assert analysis["id"] not in [a["id"] for a in api.get("/api/analyses/").json()["results"]]
    # publishing before a run is refused
    assert analyst_api.post(f"/api/analyses/{analysis['id']}/publish/").status_code == 400

    ran = analyst_api.post(f"/api/analyses/{analysis['id']}/run/")
    assert ran.status_code == 202
    detail = analyst_api.get(f"/api/analyses/{analysis['id']}/").json()
    assert detail["status"] == "succeeded" and detail["progress"] == 100 and len(detail["fingerprint"]) == 64
    job = analyst_api.get(f"/api/jobs/{detail['job']}/").json()
    assert job["state"] == "succeeded" and job["kind"] == "analysis"
    output, = detail["outputs"]
    assert output["kind"] == "vector" and output["layer"] == f"analysis-{output['id']}"
    assert output["tilejson"].endswith(f"/tiles/analysis-{output['id']}.json")
    assert set(output["exports"]) == {"csv", "gpkg", "geojson"}
    assert api.get(f"/tiles/{output['layer']}.json").status_code == 404  # still a draft

    published = analyst_api.post(f"/api/analyses/{analysis['id']}/publish/", {"published": True}, format="json")
    assert published.status_code == 200 and published.json()["is_published"] is True
    listed = api.get("/api/analyses/").json()["results"]
    assert [a["id"] for a in listed] == [analysis["id"]]
    tilejson = api.get(f"/tiles/{output['layer']}.json").json()
    assert tilejson["vector_layers"][0]["id"] == output["layer"]
    tile = api.get(f"/tiles/{output['layer']}/11/1746/793.mvt")  # central Seoul
    assert tile.status_code == 200
    decoded = mapbox_vector_tile.decode(_body(tile) if tile.get("Content-Encoding") != "gzip"
                                        else __import__("gzip").decompress(_body(tile)))
    features = decoded[output["layer"]]["features"]
    assert features and {"key", "value", "suppressed", "klass"} <= set(features[0]["properties"])


def test_another_analyst_cannot_see_run_or_publish_a_draft(toilets, analyst_api, make_user, client_for):
    analysis = _create(analyst_api).json()
    other = client_for(make_user("analyst2", role="analyst"))
    assert other.get(f"/api/analyses/{analysis['id']}/").status_code == 404
    assert other.post(f"/api/analyses/{analysis['id']}/run/").status_code == 404
    assert other.post(f"/api/analyses/{analysis['id']}/publish/").status_code == 404
    assert other.delete(f"/api/analyses/{analysis['id']}/").status_code == 404


def test_city_staff_see_drafts_and_an_author_can_edit_and_delete(toilets, analyst_api, staff, client_for):
    analysis = _create(analyst_api).json()
    assert client_for(staff).get(f"/api/analyses/{analysis['id']}/").status_code == 200
    patched = analyst_api.patch(f"/api/analyses/{analysis['id']}/", {"caveats": "Toilets inside buildings count too."},
                                format="json")
    assert patched.status_code == 200 and patched.json()["caveats"].startswith("Toilets")
    bad = analyst_api.patch(f"/api/analyses/{analysis['id']}/", {"parameters": {"source": TOILETS, "hex_size_m": 1}},
                            format="json")
    assert bad.status_code == 400
    assert analyst_api.delete(f"/api/analyses/{analysis['id']}/").status_code == 204
    assert analyst_api.get(f"/api/analyses/{analysis['id']}/").status_code == 404


def test_vector_exports_keep_suppressed_cells_suppressed(contributed, analyst_api, api):
    contributed.add(contributed.spread(CITY_HALL, 6))
    contributed.add(contributed.spread(COEX, 5))
    contributed.add([JAMSIL_STATION])
    analysis = _create(analyst_api, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "hex"}).json()
    analyst_api.post(f"/api/analyses/{analysis['id']}/run/")
    analyst_api.post(f"/api/analyses/{analysis['id']}/publish/")
    output = api.get(f"/api/analyses/{analysis['id']}/").json()["outputs"][0]
    rows = list(csv.DictReader(io.StringIO(_body(api.get(output["exports"]["csv"])).decode("utf-8"))))
    assert len(rows) == 3
    suppressed = [r for r in rows if r["suppressed"] in ("True", "true", "1")]
    shown = [r for r in rows if r not in suppressed]
    # Jamsil's 1 record is under k; COEX's 5 are suppressed too, or the total minus 6 would give Jamsil's 1
    assert len(suppressed) == 2 and all(r["count"] == "" and r["value"] == "" for r in suppressed)
    assert [r["count"] for r in shown] == ["6"]
    geojson = json.loads(_body(api.get(output["exports"]["geojson"])))
    values = sorted((f["properties"]["count"] or 0) for f in geojson["features"])
    assert values == [0, 0, 6]


def test_geopackage_export_opens_with_ogrinfo(toilets, analyst_api, tmp_path):
    analysis = _create(analyst_api).json()
    analyst_api.post(f"/api/analyses/{analysis['id']}/run/")
    output = analyst_api.get(f"/api/analyses/{analysis['id']}/").json()["outputs"][0]
    response = analyst_api.get(output["exports"]["gpkg"])
    assert response.status_code == 200
    path = tmp_path / "out.gpkg"
    path.write_bytes(_body(response))
    info = subprocess.run(["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True).stdout
    from analysis.models import AnalysisCell
    assert f"Feature Count: {AnalysisCell.objects.filter(output_id=output['id']).count()}" in info


def test_raster_export_is_a_geotiff_and_other_formats_are_refused(contributed, analyst_api, tmp_path):
    contributed.add(contributed.spread(CITY_HALL, 10))
    analysis = _create(analyst_api, "hotspot", {"source": CONTRIBUTED_LAYER}).json()
    analyst_api.post(f"/api/analyses/{analysis['id']}/run/")
    outputs = {o["key"]: o for o in analyst_api.get(f"/api/analyses/{analysis['id']}/").json()["outputs"]}
    density = outputs["density"]
    assert density["tiles"].endswith(f"/tiles/{density['layer']}/{{z}}/{{x}}/{{y}}.png")
    assert set(density["exports"]) == {"tif"}
    response = analyst_api.get(density["exports"]["tif"])
    assert response.status_code == 200
    path = tmp_path / "density.tif"
    path.write_bytes(_body(response))
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 5186 and src.read(1).max() > 0
    wrong = analyst_api.get(density["exports"]["tif"].replace("export.tif", "export.csv"))
    assert wrong.status_code == 400 and "GeoTIFF" in wrong.json()["detail"]
    unknown = analyst_api.get(outputs["gistar"]["exports"]["csv"].replace("export.csv", "export.exe"))
    assert unknown.status_code == 400


def test_output_style_colours_cells_by_class_with_the_legend_colours(toilets, analyst_api, api):
    analysis = _create(analyst_api, "aggregation", {"source": TOILETS, "unit": "district", "measure": "per_km2"}).json()
    analyst_api.post(f"/api/analyses/{analysis['id']}/run/")
    analyst_api.post(f"/api/analyses/{analysis['id']}/publish/")
    output = api.get(f"/api/analyses/{analysis['id']}/").json()["outputs"][0]
    assert [entry["value"] for entry in output["legend"]] == [1, 2, 3, 4, 5]
    style = api.get(f"/styles/{output['layer']}.json").json()
    fill = next(layer for layer in style["layers"] if layer.get("source") == output["layer"] and layer["type"] == "fill")
    expression = fill["paint"]["fill-color"]
    assert expression[0] == "match" and expression[1] == ["to-string", ["get", "klass"]]
    assert expression[2:4] == ["1", output["legend"][0]["color"]]
