"""Change between two periods; the same inputs give the same outputs."""
from analysis.models import Analysis, AnalysisCell
from analysis.services import analysis_run
from tests.conftest import korean_only

from .conftest import CITY_HALL, COEX, CONTRIBUTED_LAYER, JAMSIL_STATION

PERIODS = {"before": {"start": "2026-01-01", "end": "2026-01-31"}, "after": {"start": "2026-02-01", "end": "2026-02-28"}}


def test_comparison_counts_each_period_per_district_and_suppresses_small_counts(contributed, analyst, run_analysis):
    contributed.add(contributed.spread(CITY_HALL, 6), observed="2026-01-10T09:00:00+09:00")  # Jung-gu
    contributed.add(contributed.spread(CITY_HALL, 9)[6:] + contributed.spread(CITY_HALL, 9), observed="2026-02-03T12:00:00+09:00")
    contributed.add(contributed.spread(COEX, 8), observed="2026-01-20T09:00:00+09:00")  # Gangnam-gu
    contributed.add(contributed.spread(COEX, 5), observed="2026-02-20T09:00:00+09:00")
    contributed.add([JAMSIL_STATION] * 2, observed="2026-02-05T09:00:00+09:00")  # Songpa-gu: too few
    # the last minutes of 31 January in Seoul are still January (UTC is 15:50 on the 31st)
    contributed.add(contributed.spread(COEX, 1), observed="2026-01-31T23:50:00+09:00")
    analysis = run_analysis(analyst, "comparison", {"source": CONTRIBUTED_LAYER, "unit": "district", **PERIODS})
    cells = {c.key: c for c in AnalysisCell.objects.filter(output__analysis=analysis)}
    assert len(cells) == 25
    jung, gangnam, songpa = cells["11140"], cells["11680"], cells["11710"]
    assert (jung.count_before, jung.count, jung.value, jung.klass) == (6, 12, 6.0, 1)
    assert songpa.suppressed and songpa.count is None and songpa.count_before is None and songpa.value is None
    # Gangnam (9 before, 5 after) is suppressed too: otherwise after_total − Jung − Gangnam = Songpa's 2
    assert gangnam.suppressed and gangnam.count is None and gangnam.count_before is None
    stats = analysis.outputs.get().stats
    assert stats["suppressed"] == 24 and stats["before_total"] == 15 and stats["after_total"] == 19


def test_comparison_needs_a_layer_with_dates(toilets, analyst, client_for):
    response = client_for(analyst).post("/api/analyses/", {
        "name": "toilets over time", "method": "comparison",
        "parameters": {"source": "dataset-seoul_public_toilets", **PERIODS}}, format="json")
    assert response.status_code == 400
    assert "날짜" in str(response.json()) and korean_only(response.json())


def test_rerunning_with_the_same_inputs_gives_the_same_outputs(toilets, analyst, run_analysis):
    analysis = run_analysis(analyst, "coverage", {"source": "dataset-seoul_public_toilets", "hex_size_m": 2000})
    first = list(AnalysisCell.objects.filter(output__analysis=analysis).order_by("key")
                 .values_list("key", "value", "count", "klass"))
    first_output, first_fingerprint = analysis.outputs.get(), analysis.fingerprint
    analysis = analysis_run(analysis=analysis, user=analyst)
    assert analysis.status == Analysis.Status.SUCCEEDED
    second = list(AnalysisCell.objects.filter(output__analysis=analysis).order_by("key")
                  .values_list("key", "value", "count", "klass"))
    assert analysis.fingerprint == first_fingerprint and second == first
    assert analysis.outputs.get().pk == first_output.pk  # same layer name across runs
    # a different parameter is a different run
    other = run_analysis(analyst, "coverage", {"source": "dataset-seoul_public_toilets", "hex_size_m": 2500})
    assert other.fingerprint != first_fingerprint


def test_rerunning_after_the_data_changed_changes_the_fingerprint(contributed, analyst, run_analysis):
    contributed.add(contributed.spread(CITY_HALL, 5))
    analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "hex"})
    before = analysis.fingerprint
    contributed.add([CITY_HALL])
    analysis = analysis_run(analysis=analysis, user=analyst)
    assert analysis.fingerprint != before
    assert AnalysisCell.objects.get(output__analysis=analysis).count == 6


def test_comparison_of_real_reports_uses_their_public_day(seoul, make_user, analyst, run_analysis):
    from django.contrib.gis.geos import Point

    from reports.models import Report
    from reports.services import category_create, report_create

    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    citizen = make_user("reporter")
    made = [report_create(reporter=citizen, category=road, description="파손 (sample)",
                          geom=Point(COEX[0] + i * 0.0001, COEX[1], srid=4326)) for i in range(12)]
    Report.objects.filter(pk__in=[r.pk for r in made[:5]]).update(created_on="2026-01-31")
    Report.objects.filter(pk__in=[r.pk for r in made[5:]]).update(created_on="2026-02-01")
    analysis = run_analysis(analyst, "comparison", {"source": "reports", "unit": "district", **PERIODS})
    gangnam = AnalysisCell.objects.get(output__analysis=analysis, key="11680")
    assert (gangnam.count_before, gangnam.count, gangnam.value) == (5, 7, 2.0)


def test_changing_parameters_drops_the_old_outputs(toilets, analyst, run_analysis, client_for):
    analysis = run_analysis(analyst, "coverage", {"source": "dataset-seoul_public_toilets", "hex_size_m": 3000})
    client = client_for(analyst)
    same = client.patch(f"/api/analyses/{analysis.pk}/", {"name": "renamed"}, format="json").json()
    assert same["status"] == "succeeded" and len(same["outputs"]) == 1
    changed = client.patch(f"/api/analyses/{analysis.pk}/",
                           {"parameters": {"source": "dataset-seoul_public_toilets", "hex_size_m": 4000}},
                           format="json").json()
    assert changed["status"] == "draft" and changed["outputs"] == [] and changed["fingerprint"] == ""
    assert client.post(f"/api/analyses/{analysis.pk}/publish/").status_code == 400


def test_a_run_over_an_empty_layer_fails_with_a_message_and_stores_nothing(contributed, analyst):
    from analysis.services import analysis_create

    analysis = analysis_create(user=analyst, name="empty", method="hotspot", parameters={"source": CONTRIBUTED_LAYER})
    analysis = analysis_run(analysis=analysis, user=analyst)
    assert analysis.status == Analysis.Status.FAILED
    assert "피처" in analysis.error and korean_only(analysis.error)  # the author's language
    assert not analysis.outputs.exists() and analysis.job.state == "failed"
