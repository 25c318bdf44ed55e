"""Privacy by design: sources as the analyst may see them, public fields only, full detail logged."""
import csv
import io
import json
import re

import pytest
from django.contrib.gis.geos import Point

from analysis.models import Analysis, AnalysisCell
from analysis.services import analysis_run
from tests.conftest import korean_only

from .conftest import CITY_HALL, COEX


def _body(response):
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


@pytest.fixture
def reports(seoul, make_user):
    """Five dark-alley reports (a sensitive category) near City Hall and five road reports near COEX."""
    from reports.services import category_create, report_create

    dark = category_create(code="dark_alley", name_ko="어두운 골목", name_en="Dark alley", is_sensitive=True,
                           responsible_body_ko="안전총괄과", responsible_body_en="Safety")
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    reporter = make_user("haneul.reporter")
    made = []
    for lon, lat in [(CITY_HALL[0] + i * 0.00013, CITY_HALL[1] + i * 0.00007) for i in range(5)]:
        made.append(report_create(reporter=reporter, category=dark, geom=Point(lon, lat, srid=4326),
                                  description="골목이 어둡습니다 (sample) secret-description-text"))
    for lon, lat in [(COEX[0] + i * 0.0001, COEX[1]) for i in range(5)]:
        made.append(report_create(reporter=reporter, category=road, geom=Point(lon, lat, srid=4326),
                                  description="도로가 파였습니다 (sample) secret-description-text"))
    return {"reporter": reporter, "reports": made}


@pytest.fixture
def published_report_analysis(reports, analyst, run_analysis):
    from analysis.services import analysis_publish

    analysis = run_analysis(analyst, "aggregation", {"source": "reports", "unit": "hex", "hex_size_m": 500})
    return analysis_publish(analysis=analysis, user=analyst)


def test_public_records_export_has_no_identity_no_times_no_exact_sensitive_location(published_report_analysis,
                                                                                      reports, api):
    response = api.get(f"/api/analyses/{published_report_analysis.pk}/records.csv")
    assert response.status_code == 200
    text = _body(response).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 10
    reporter = reports["reporter"]
    for needle in (reporter.username, reporter.email, "secret-description-text"):
        assert needle not in text
    assert not any(re.search(r"reporter|author|email|user", column) for column in rows[0])
    assert not re.search(r"\d{2}:\d{2}", text)  # days only, never a time of day
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]) for row in rows)
    for report in reports["reports"]:
        exact = f"{report.geom.x:.6f}"[:-1]  # exact longitude to ~1 m
        if report.category.is_sensitive:
            assert exact not in text
            assert report.public_geom != report.geom
    coarse = [r for r in rows if r["category_code"] == "dark_alley"]
    assert len(coarse) == 5 and {r["coarsened"] for r in coarse} == {"True"}


def test_full_detail_records_export_is_for_analysts_only_and_logged(published_report_analysis, citizen, analyst,
                                                                     client_for):
    from audit.models import AuditLog

    url = f"/api/analyses/{published_report_analysis.pk}/records.csv?detail=full"
    refused = client_for(citizen).get(url)
    assert refused.status_code == 403 and korean_only(refused.json()["detail"])
    assert not AuditLog.objects.filter(action="analysis.records_export_full").exists()
    response = client_for(analyst).get(url)
    assert response.status_code == 200
    assert "secret-description-text" not in _body(response).decode("utf-8")
    entry = AuditLog.objects.get(action="analysis.records_export_full")
    assert entry.actor_id == analyst.pk and entry.target_id == str(published_report_analysis.pk)
    assert client_for(analyst).get(url.replace("full", "everything")).status_code == 400


def test_report_aggregates_never_name_the_reporter_and_suppress_small_cells(published_report_analysis, reports, api):
    detail = api.get(f"/api/analyses/{published_report_analysis.pk}/").json()
    output = detail["outputs"][0]
    exported = _body(api.get(output["exports"]["geojson"])).decode("utf-8")
    everything = json.dumps(detail, ensure_ascii=False) + exported
    assert reports["reporter"].username not in everything and "secret-description-text" not in everything
    cells = list(AnalysisCell.objects.filter(output_id=output["id"]))
    assert all(c.suppressed == (c.count is None) for c in cells)
    assert all(c.count >= 5 for c in cells if not c.suppressed)
    assert sum(c.count or 0 for c in cells) + 0 <= 10


def test_a_private_map_never_enters_an_analysis_of_someone_who_cannot_see_it(citizen, analyst, client_for, seoul):
    from maps.services import feature_create, map_create

    private = map_create(owner=citizen, title="내 비밀 지도", visibility="private")
    for lon, lat in [(CITY_HALL[0] + i * 0.0001, CITY_HALL[1]) for i in range(6)]:
        feature_create(map_obj=private, actor=citizen, geom=Point(lon, lat, srid=4326), name="집 (sample)")
    response = client_for(analyst).post("/api/analyses/", {
        "name": "peek", "method": "aggregation", "parameters": {"source": private.layer_name}}, format="json")
    assert response.status_code == 400
    assert not Analysis.objects.exists()


def test_a_map_made_private_after_creation_fails_the_next_run(citizen, analyst, run_analysis, seoul):
    from maps.services import feature_create, map_create, map_update

    shared = map_create(owner=citizen, title="우리 동네 지도", visibility="public")
    for lon, lat in [(CITY_HALL[0] + i * 0.0001, CITY_HALL[1]) for i in range(6)]:
        feature_create(map_obj=shared, actor=citizen, geom=Point(lon, lat, srid=4326), name="가게 (sample)")
    analysis = run_analysis(analyst, "aggregation", {"source": shared.layer_name, "unit": "hex"})
    assert AnalysisCell.objects.get(output__analysis=analysis).count == 6
    map_update(map_obj=shared, actor=citizen, visibility="private")
    analysis = analysis_run(analysis=analysis, user=analyst)
    assert analysis.status == Analysis.Status.FAILED
    assert "알 수 없는 레이어" in analysis.error and korean_only(analysis.error)  # the author's language
