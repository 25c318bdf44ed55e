"""Indicators computed from the platform's own hazard reports and crowd maps, checked against counts by hand."""
import datetime
import statistics

import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone

from dashboards.models import Indicator
from dashboards.selectors import indicator_values
from dashboards.services import computed_indicators_ensure, computed_indicators_refresh
from reports.models import Report, ReportDistrict
from reports.services import category_create, report_create, report_status_change


def _values(slug):
    return {v.district.code: v.value for v in indicator_values(indicator=Indicator.objects.get(slug=slug))}


def _inside(district) -> Point:
    point = district.geom.point_on_surface
    return Point(point.x, point.y, srid=4326)


def _make_reports(seoul, citizen, officer, mapo_officer):
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road")
    base = timezone.now() - datetime.timedelta(days=30)
    gangnam, mapo = seoul["11680"], seoul["11440"]
    spec = [  # (district, days to acknowledge, days to resolve) — None: not reached
        (gangnam, 1, 3), (gangnam, 2, 5), (gangnam, 4, None), (gangnam, None, None), (mapo, 0.5, None),
    ]
    reports = []
    for district, ack, res in spec:
        report = report_create(reporter=citizen, category=road, geom=_inside(district),
                               description="보도블록이 깨져 있습니다 [예시]")
        who = officer if district.code == "11680" else mapo_officer
        if ack is not None:
            report_status_change(report=report, actor=who, status="acknowledged", message="확인했습니다")
        if res is not None:
            report_status_change(report=report, actor=who, status="resolved", message="보수했습니다")
        Report.objects.filter(pk=report.pk).update(created_at=base)
        ReportDistrict.objects.filter(report=report).update(
            acknowledged_at=base + datetime.timedelta(days=ack) if ack is not None else None,
            closed_at=base + datetime.timedelta(days=res) if res is not None else None)
        reports.append(report)
    # a hidden (spam) report in Gangnam does not count
    hidden = report_create(reporter=citizen, category=road, geom=_inside(gangnam), description="스팸 [예시]")
    Report.objects.filter(pk=hidden.pk).update(is_hidden=True)
    # a line across the Gangnam/Seocho boundary counts in both (Teheran-ro to Gangnam-daero)
    across = report_create(reporter=citizen, category=road, description="경계를 가로지르는 도로 [예시]",
                           geom=LineString(_inside(seoul["11650"]), _inside(gangnam), srid=4326))
    return reports, across


def test_report_indicators_match_counts_done_by_hand(seoul, citizen, gangnam_officer, mapo_officer):
    _, across = _make_reports(seoul, citizen, gangnam_officer, mapo_officer)
    across_codes = set(across.districts.values_list("code", flat=True))
    assert {"11650", "11680"} <= across_codes
    computed_indicators_ensure()
    computed_indicators_refresh(keys=["reports", "reports-per-10k", "reports-open", "reports-resolved",
                                      "reports-resolved-share", "reports-days-to-acknowledge",
                                      "reports-days-to-resolve"])
    reports = _values("reports")
    assert len(reports) == 25
    assert reports["11680"] == 4 + 1  # four in Gangnam and the line across; the hidden one not counted
    assert reports["11440"] == 1
    assert reports["11650"] == 1
    assert reports["11110"] == 0
    gangnam_population = seoul["11680"].population
    assert _values("reports-per-10k")["11680"] == round(5 * 10_000 / gangnam_population, 2)
    assert _values("reports-resolved")["11680"] == 2
    assert _values("reports-open")["11680"] == 3 and _values("reports-open")["11440"] == 1
    assert _values("reports-resolved-share")["11680"] == 40.0
    assert _values("reports-days-to-acknowledge")["11680"] == statistics.median([1, 2, 4])
    assert _values("reports-days-to-acknowledge")["11440"] == 0.5
    assert _values("reports-days-to-resolve")["11680"] == statistics.median([3, 5])
    assert "11440" not in _values("reports-days-to-resolve")  # nothing resolved: no value, not zero


def test_report_indicators_refresh_by_themselves_after_a_new_report(seoul, citizen,
                                                                   django_capture_on_commit_callbacks):
    computed_indicators_ensure()
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_create(reporter=citizen, category=road, geom=_inside(seoul["11440"]), description="파손 [예시]")
        report_create(reporter=citizen, category=road, geom=_inside(seoul["11440"]), description="파손 2 [예시]")
    assert sum(getattr(c, "marker", "").startswith("dashboards-refresh") for c in callbacks) == 1
    assert _values("reports")["11440"] == 2


def test_crowd_map_features_count_only_published_public_features(seoul, citizen):
    from maps.models import Feature, Map

    public = Map.objects.create(title="안전 지도 [예시]", owner=citizen, visibility="public")
    private = Map.objects.create(title="내 지도 [예시]", owner=citizen, visibility="private")
    mapo, jongno = _inside(seoul["11440"]), _inside(seoul["11110"])
    Feature.objects.create(map=public, geom=mapo, name="a")
    Feature.objects.create(map=public, geom=mapo, name="b")
    Feature.objects.create(map=public, geom=jongno, name="c", status="pending")
    Feature.objects.create(map=public, geom=jongno, name="d", is_hidden=True)
    Feature.objects.create(map=private, geom=jongno, name="e")
    computed_indicators_ensure()
    computed_indicators_refresh(keys=["map-features"])
    features = _values("map-features")
    assert features["11440"] == 2 and features["11110"] == 0 and sum(features.values()) == 2


def test_population_indicators_use_the_mois_figures(seoul):
    computed_indicators_ensure()
    computed_indicators_refresh(keys=["population", "persons-per-household"])
    values = indicator_values(indicator=Indicator.objects.get(slug="population"))
    assert {v.period for v in values} == {"2025-09"}
    assert sum(v.value for v in values) == 9_318_500  # Seoul total in data/seoul/SOURCES.md
    gangnam = seoul["11680"]
    assert _values("persons-per-household")["11680"] == round(gangnam.population / gangnam.households, 2)


@pytest.mark.django_db(transaction=True)  # each report its own commit, as in production
def test_many_reports_queue_one_refresh_a_period_which_then_counts_them_all(seoul, citizen, settings):
    """At Seoul's size (25,000 reports a day, a refresh reading every one) the worker refreshes once a period,
    not once a report; the refresh reads whatever arrived until it runs, and the next report queues the next one."""
    from django_tasks import task_backends

    from dashboards.computed import REPORT_KEYS
    from dashboards.tasks import computed_indicators_refresh_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # kept, not run
    settings.DASHBOARDS_REFRESH_SECONDS = 300
    computed_indicators_ensure()
    backend = task_backends["default"]

    def refreshes():
        return [r for r in backend.results if r.task.func is computed_indicators_refresh_task.func]

    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road")
    before = timezone.now()
    for n in range(3):  # three reports, three commits
        report_create(reporter=citizen, category=road, geom=_inside(seoul["11440"]), description=f"파손 {n} [예시]")
    [queued] = refreshes()
    assert set(queued.args[0]) == set(REPORT_KEYS)
    assert before + datetime.timedelta(seconds=300) <= queued.task.run_after <= timezone.now() + datetime.timedelta(
        seconds=300)
    assert "11440" not in _values("reports") or _values("reports")["11440"] == 0  # not refreshed yet

    queued.task.call(*queued.args, **queued.kwargs)  # the worker, five minutes on
    assert _values("reports")["11440"] == 3
    assert not Indicator.objects.filter(refresh_queued_at__isnull=False).exists()
    report_create(reporter=citizen, category=road, geom=_inside(seoul["11440"]), description="파손 3 [예시]")
    assert len(refreshes()) == 2


@pytest.mark.django_db(transaction=True)
def test_a_mark_left_by_a_lost_refresh_does_not_hold_the_next_one_back(seoul, citizen, settings):
    from django_tasks import task_backends

    from dashboards.computed import REPORT_KEYS
    from dashboards.tasks import computed_indicators_refresh_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.DASHBOARDS_REFRESH_SECONDS = 300
    computed_indicators_ensure()
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road")
    Indicator.objects.filter(computation__in=REPORT_KEYS).update(
        refresh_queued_at=timezone.now() - datetime.timedelta(minutes=49))  # under ten periods: still waiting
    report_create(reporter=citizen, category=road, geom=_inside(seoul["11440"]), description="파손 [예시]")
    backend = task_backends["default"]
    assert not [r for r in backend.results if r.task.func is computed_indicators_refresh_task.func]
    Indicator.objects.filter(computation__in=REPORT_KEYS).update(
        refresh_queued_at=timezone.now() - datetime.timedelta(minutes=51))  # over ten periods: lost
    report_create(reporter=citizen, category=road, geom=_inside(seoul["11440"]), description="파손 2 [예시]")
    assert len([r for r in backend.results if r.task.func is computed_indicators_refresh_task.func]) == 1
