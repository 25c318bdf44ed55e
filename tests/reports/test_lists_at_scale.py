"""Report lists whose cost must not grow with the total number of reports (NOTES-scale-audit.md, sections 1, 2,
3 and 7): the officer's queue walks its districts' rows by id, the overdue filters test the report rows directly,
Open311 bounds its window on the indexed instant, and a signed-in user's list needs no DISTINCT. Each test checks
that the rows are the ones the rules give, and the SQL or the plan that keeps them cheap."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import OPEN_STATUSES, Report, ReportDistrict, Status
from reports.selectors import report_is_overdue, report_list

from .conftest import GANGNAM, SEOCHO

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def ids(body):
    return [f["id"] for f in body["features"]]


def report_sql(queries) -> str:
    """The statements that read reports (the page and its count), lower-cased."""
    return "\n".join(q["sql"].lower() for q in queries if '"reports_report"' in q["sql"])


@pytest.fixture
def scene(make_report, citizen, citizen2, places, seoul):
    """Reports in Gangnam, on the Gangnam/Seocho border and in Mapo, with district statuses and due dates that
    cover every case of the overdue rules (submitted late to acknowledge, open late to close, closed, on time)."""
    today = timezone.localdate()
    gangnam, seocho = seoul[GANGNAM], seoul[SEOCHO]
    made = {
        "late_ack": make_report(citizen, places["seolleung"]),
        "late_close": make_report(citizen, places["samseong"]),
        "on_time": make_report(citizen2, places["seolleung"]),
        "closed_late": make_report(citizen2, places["samseong"]),
        "border": make_report(citizen, places["gangnam_seocho_border"]),
        "border_seocho_late": make_report(citizen2, places["gangnam_seocho_border"]),
        "dark": make_report(citizen, places["seolleung"], category="dark"),
        "mapo": make_report(citizen, places["mangwon"]),
        "mapo_hidden": make_report(citizen2, places["hapjeong"]),
        "gangnam_hidden": make_report(citizen2, places["samseong"]),
    }
    past = {"acknowledge_due": today - 3 * DAY, "resolve_due": today - DAY}

    def state(name, report_status, district_statuses=None, **dates):
        report = made[name]
        Report.objects.filter(pk=report.pk).update(status=report_status, **dates)
        for district, status in (district_statuses or {}).items():
            ReportDistrict.objects.filter(report=report, district=district).update(status=status)
        if not district_statuses:
            ReportDistrict.objects.filter(report=report).update(status=report_status)

    state("late_ack", Status.SUBMITTED, **past)
    state("late_close", Status.IN_PROGRESS, **past)
    state("on_time", Status.ACKNOWLEDGED)
    state("closed_late", Status.RESOLVED, **past)
    state("border", Status.ACKNOWLEDGED, {gangnam: Status.RESOLVED, seocho: Status.ACKNOWLEDGED}, **past)
    state("border_seocho_late", Status.SUBMITTED, {gangnam: Status.ACKNOWLEDGED, seocho: Status.SUBMITTED},
          acknowledge_due=today - DAY)
    state("dark", Status.SUBMITTED, **past)
    state("mapo", Status.SUBMITTED, **past)
    state("mapo_hidden", Status.SUBMITTED, is_hidden=True)
    state("gangnam_hidden", Status.REJECTED, is_hidden=True)
    return {name: Report.objects.get(pk=r.pk) for name, r in made.items()}


def queue_reference(district_codes, *, statuses=(), overdue=None):
    """What the queue holds by its rules, computed in Python from the districts' own rows, oldest first."""
    today = timezone.localdate()
    rows = {}
    for rd in ReportDistrict.objects.filter(district__code__in=district_codes).select_related("report"):
        rows.setdefault(rd.report, []).append(rd.status)
    kept = []
    for report, own in rows.items():
        if statuses and not set(own) & set(statuses):
            continue
        late = ((report.acknowledge_due < today and Status.SUBMITTED in own)
                or (report.resolve_due < today and bool(set(own) & set(OPEN_STATUSES))))
        if overdue is None or late == overdue:
            kept.append(report)
    return [r.pk for r in sorted(kept, key=lambda r: (r.created_at, r.pk))]


# --- 1. The officer's review queue --------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {}, {"status": "submitted,acknowledged,in_progress"}, {"status": "resolved"}, {"status": "submitted"},
    {"overdue": "true"}, {"overdue": "false"}, {"status": "submitted,acknowledged,in_progress", "overdue": "true"},
    {"status": "submitted,acknowledged,in_progress", "overdue": "false"},
])
@pytest.mark.parametrize("codes", [[GANGNAM], [SEOCHO], [GANGNAM, SEOCHO]])
def test_the_queue_holds_its_districts_reports_by_their_own_statuses_oldest_first(
        scene, client_for, make_user, params, codes):
    officer = make_user("officer_" + "_".join(codes), role="district_officer", districts=codes)
    body = client_for(officer).get("/api/reports/", {"queue": "mine", "limit": 500, **params}).json()
    statuses = params["status"].split(",") if "status" in params else ()
    overdue = {"true": True, "false": False}.get(params.get("overdue"))
    assert ids(body) == queue_reference(codes, statuses=statuses, overdue=overdue)
    assert body["count"] == len(ids(body))


def test_the_late_border_report_is_overdue_in_seochos_queue_only(scene, client_for, gangnam_officer, make_user):
    seocho_officer = make_user("officer_seocho", role="district_officer", districts=[SEOCHO])
    late = scene["border_seocho_late"].pk
    assert late in ids(client_for(seocho_officer).get("/api/reports/", {"queue": "mine", "overdue": "true"}).json())
    gangnam = client_for(gangnam_officer)
    assert late not in ids(gangnam.get("/api/reports/", {"queue": "mine", "overdue": "true"}).json())
    assert late in ids(gangnam.get("/api/reports/", {"queue": "mine", "overdue": "false"}).json())


def test_the_queue_filters_on_district_ids_with_one_exists_and_no_subquery_of_report_ids(
        scene, client_for, gangnam_officer, seoul):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(gangnam_officer).get("/api/reports/", {
            "queue": "mine", "limit": 500, "status": "submitted,acknowledged,in_progress", "overdue": "true"})
    assert response.status_code == 200
    sql = report_sql(queries)
    assert sql, "no query read the reports"
    assert '"districts_district"."code" in (' not in sql  # the codes were resolved to ids once, before
    assert f'"district_id" in ({seoul[GANGNAM].pk})' in sql
    assert "in (select" not in sql and "distinct" not in sql
    page = next(q for q in sql.splitlines() if q.endswith(" limit 500"))
    assert page.count("exists(") == 3  # the statuses, late to acknowledge, late to close
    assert 'order by "reports_report"."id" asc' in page


def test_the_queue_ids_follow_creation_order(scene):
    """The queue is ordered by id because ids are handed out as reports are created: the same order as created_at
    (report_create is the one place reports are made; auto_now_add stamps it in the INSERT's request)."""
    by_time = list(Report.objects.order_by("created_at", "id").values_list("pk", flat=True))
    assert by_time == sorted(by_time)


@pytest.mark.parametrize("params, index", [
    ({"statuses": OPEN_STATUSES}, "reportdistrict_open_idx"),
    ({}, "reportdistrict_district_idx"),
])
def test_the_queue_page_walks_its_districts_index_in_report_order(scene, gangnam_officer, params, index):
    """With few rows the planner would read whole tables; told not to, it takes the index that makes the page
    cost `limit` rows at Seoul's size: one district's rows in report order, no sort."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = report_list(user=gangnam_officer, queue=True, **params)[:500].explain()
    assert index in plan, plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan


def test_the_queue_indexes_exist_as_the_migration_made_them():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reports_reportdistrict'")
        indexes = dict(cursor.fetchall())
    assert "(district_id, report_id)" in indexes["reportdistrict_district_idx"]
    opened = indexes["reportdistrict_open_idx"]
    assert "(district_id, report_id) WHERE" in opened
    assert all(f"'{status}'" in opened for status in ("submitted", "acknowledged", "in_progress"))
    assert "resolved" not in opened


# --- 2. The public ?overdue= filter ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "citizen", "gangnam_officer", "staff"])
def test_overdue_true_and_false_split_the_visible_reports_exactly(scene, client, client_for, who, request):
    reader = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    everything = set(ids(reader.get("/api/reports/", {"limit": 500}).json()))
    with CaptureQueriesContext(connection) as queries:
        late = set(ids(reader.get("/api/reports/", {"limit": 500, "overdue": "true"}).json()))
        on_time = set(ids(reader.get("/api/reports/", {"limit": 500, "overdue": "false"}).json()))
    assert late | on_time == everything and not late & on_time
    reports = Report.objects.in_bulk(everything)
    assert late == {pk for pk, r in reports.items() if report_is_overdue(r)}
    assert {scene["late_ack"].pk, scene["late_close"].pk, scene["dark"].pk, scene["mapo"].pk} <= late
    assert {scene["on_time"].pk, scene["closed_late"].pk} <= on_time
    sql = report_sql(queries)
    assert "in (select" not in sql and "distinct" not in sql


# --- 3. Open311 requests.json -------------------------------------------------------------------------------------
def test_open311_window_is_bounded_on_created_at_and_keeps_the_local_days(scene, client):
    today = timezone.localdate()
    inside, before, after, midnight = (scene[n] for n in ("late_ack", "on_time", "mapo", "late_close"))
    first, last = today - 20 * DAY, today - 10 * DAY

    def made_at(report, day, hour, minute=0, second=0):
        instant = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))
        Report.objects.filter(pk=report.pk).update(created_on=timezone.localdate(instant), created_at=instant)

    made_at(inside, first, 0, 0, 1)  # first thing on the first (local) day
    made_at(before, first - DAY, 23, 59, 59)
    made_at(after, last + DAY, 0, 30)
    made_at(midnight, last + DAY, 0, 0, 2)
    Report.objects.filter(pk=midnight.pk).update(created_on=last)  # begun on the last day, saved just after midnight
    # The window is given in UTC instants in the middle of the days; Open311 keeps whole local days
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time(15))).astimezone(datetime.UTC)
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time(9))).astimezone(datetime.UTC)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/open311/v2/requests.json", {"start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                           "end_date": end.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert response.status_code == 200, response.content
    got = {int(r["service_request_id"]) for r in response.json()}
    assert got == {inside.pk, midnight.pk}
    sql = report_sql(queries)
    assert '"reports_report"."created_at" >=' in sql and '"reports_report"."created_at" <' in sql


def test_open311_list_reads_the_districts_of_sensitive_reports_in_the_same_number_of_queries(
        make_report, citizen, places, client):
    def queries_for_the_dark_alley_list():
        with CaptureQueriesContext(connection) as queries:
            rows = client.get("/open311/v2/requests.json", {"service_code": "dark_alley"}).json()
        assert all(r["service_code"] == "dark_alley" for r in rows)
        return len(rows), len(queries)

    make_report(citizen, places["seolleung"], category="dark")
    one = queries_for_the_dark_alley_list()
    for place in ("samseong", "mangwon", "hapjeong"):
        make_report(citizen, places[place], category="dark")
    four = queries_for_the_dark_alley_list()
    assert (one[0], four[0]) == (1, 4)
    assert four[1] == one[1]


def test_the_api_list_of_sensitive_reports_does_not_read_their_public_district_one_by_one(
        make_report, citizen, places, client):
    for place in ("seolleung", "samseong", "mangwon"):
        make_report(citizen, places[place], category="dark")
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/reports/", {"category": "dark_alley"}).json()
    assert len(body["features"]) == 3
    assert all(f["properties"]["districts"] for f in body["features"])
    assert not [q for q in queries if q["sql"].lstrip().startswith('SELECT "districts_district"')
                and 'WHERE "districts_district"."id" =' in q["sql"]]


# --- 7. A signed-in user's list -----------------------------------------------------------------------------------
@pytest.mark.parametrize("who, sees_hidden", [
    ("anonymous", set()),
    ("citizen", set()),
    ("citizen2", {"mapo_hidden", "gangnam_hidden"}),  # the reporter of both
    ("gangnam_officer", {"gangnam_hidden"}),
    ("mapo_officer", {"mapo_hidden"}),
    ("staff", {"mapo_hidden", "gangnam_hidden"}),
])
def test_hidden_reports_are_listed_only_to_their_reporter_officers_and_staff(
        scene, client, client_for, request, who, sees_hidden):
    reader = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as queries:
        body = reader.get("/api/reports/", {"limit": 500}).json()
    hidden = {name for name, r in scene.items() if r.is_hidden}
    expected = {r.pk for name, r in scene.items() if name not in hidden or name in sees_hidden}
    assert sorted(ids(body), reverse=True) == ids(body) and len(ids(body)) == len(set(ids(body)))  # no repeats
    assert set(ids(body)) == expected and body["count"] == len(expected)
    sql = report_sql(queries)
    assert "distinct" not in sql and 'join "reports_reportdistrict"' not in sql
    assert '"districts_district"."code" in (' not in sql


def test_an_officers_list_shows_a_hidden_report_on_two_of_their_districts_once(
        scene, client_for, make_user):
    both = make_user("officer_both", role="district_officer", districts=[GANGNAM, SEOCHO])
    Report.objects.filter(pk=scene["border"].pk).update(is_hidden=True)
    listed = ids(client_for(both).get("/api/reports/", {"limit": 500}).json())
    assert listed.count(scene["border"].pk) == 1
