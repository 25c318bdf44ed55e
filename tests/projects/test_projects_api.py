"""The projects API: GeoJSON features, staff-only writes, the timeline, followers told of each update,
progress rolled up per district and department, links to proposals and meetings shown back."""
import io

import pytest
from django.contrib.gis.geos import Point
from PIL import Image

from notifications.models import Notification
from projects import services
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike_lane(seoul, staff, client_for, teheran_ro):
    body = {"title_ko": "테헤란로 자전거도로", "title_en": "Teheran-ro bike lane", "department_ko": "도시교통실",
            "department_en": "Urban Transportation Office", "districts": ["11680"],
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in teheran_ro]},
            "budget_planned": 4_200_000_000, "starts_on": "2026-03-02", "ends_on": "2027-06-30"}
    answer = client_for(staff).post("/api/projects/", body, format="json")
    assert answer.status_code == 201, answer.json()
    return Project.objects.get(pk=answer.json()["id"])


def _photo() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 120, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "site.jpg"
    return buffer


def test_projects_are_geojson_features_with_their_districts_and_budget(bike_lane, api):
    collection = api.get("/api/projects/").json()
    assert collection["type"] == "FeatureCollection" and collection["count"] == 1
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "MultiLineString"
    assert feature["properties"]["districts"] == [{"code": "11680", "name_ko": "강남구", "name_en": "Gangnam-gu"}]
    assert feature["properties"]["budget_planned"] == 4_200_000_000 and feature["properties"]["status"] == "planned"
    assert api.get("/api/projects/", {"district": "11440"}).json()["count"] == 0
    assert api.get("/api/projects/", {"bbox": "127.02,37.49,127.07,37.52"}).json()["count"] == 1


def test_only_city_staff_create_or_change_projects(bike_lane, citizen, client_for, api):
    body = {"title_ko": "x", "department_ko": "y", "geometry": {"type": "Point", "coordinates": [127.0, 37.5]}}
    assert api.post("/api/projects/", body, format="json").status_code in (401, 403)
    assert client_for(citizen).post("/api/projects/", body, format="json").status_code == 403
    assert client_for(citizen).patch(f"/api/projects/{bike_lane.pk}/", {"progress": 90}, format="json").status_code == 403
    assert Project.objects.get().progress == 0


def test_staff_patch_progress_and_a_cancelled_project_needs_a_reason(bike_lane, staff, client_for):
    client = client_for(staff)
    answer = client.patch(f"/api/projects/{bike_lane.pk}/", {"progress": 40, "budget_spent": 900_000_000}, format="json")
    assert answer.status_code == 200 and answer.json()["properties"]["progress"] == 40
    refused = client.patch(f"/api/projects/{bike_lane.pk}/", {"status": "cancelled"}, format="json")
    assert refused.status_code == 400 and "cancel_reason" in refused.json()
    assert Project.objects.get().status == "planned"
    done = client.patch(f"/api/projects/{bike_lane.pk}/", {"status": "done"}, format="json")
    assert done.json()["properties"]["progress"] == 100


@pytest.mark.parametrize("body, field", [
    ({"geometry": {"type": "Polygon", "coordinates": [[[127.0, 37.5], [127.1, 37.6], [127.1, 37.5], [127.0, 37.6], [127.0, 37.5]]]}}, "geometry"),
    ({"geometry": {"type": "Point", "coordinates": [200, 37.5]}}, "geometry"),
    ({"geometry": {"type": "GeometryCollection", "geometries": []}}, "geometry"),
    ({"budget_planned": -5}, "budget_planned"),
    ({"budget_planned": 10**30}, "budget_planned"),
    ({"progress": 101}, "progress"),
    ({"districts": ["99999"]}, "districts"),
    ({"title_ko": "a\x00b"}, "detail"),  # the API's one JSON parser refuses NUL before any field is read
    ({"proposals": [2**70]}, "proposals"),
    ({"meetings": [987654]}, "meetings"),
    ({"starts_on": "2027-01-01", "ends_on": "2026-01-01"}, "ends_on"),
])
def test_bad_project_input_is_a_400_naming_the_field_and_stores_nothing(seoul, staff, client_for, body, field):
    base = {"title_ko": "사업", "department_ko": "부서", "geometry": {"type": "Point", "coordinates": [127.0, 37.5]}}
    answer = client_for(staff).post("/api/projects/", {**base, **body}, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()
    assert not Project.objects.exists()


def test_an_update_with_photos_goes_on_the_timeline_and_every_follower_is_told_in_their_language(
        bike_lane, staff, citizen, citizen2, make_user, client_for):
    english = make_user("follower-en")
    english.preferred_language = "en"
    english.save()
    for person in (citizen, citizen2, english):
        assert client_for(person).post(f"/api/projects/{bike_lane.pk}/follow/").status_code == 201
    assert client_for(citizen).post(f"/api/projects/{bike_lane.pk}/follow/").status_code == 200  # once
    assert client_for(citizen2).delete(f"/api/projects/{bike_lane.pk}/follow/").json()["follower_count"] == 2

    answer = client_for(staff).post(f"/api/projects/{bike_lane.pk}/updates/", {
        "date": "2026-05-20", "text_ko": "역삼역~선릉역 구간 착공", "text_en": "Work began between Yeoksam and Seolleung",
        "status": "in_progress", "progress": 30, "photos": [_photo()]}, format="multipart")
    assert answer.status_code == 201, answer.json()
    assert len(answer.json()["photos"]) == 1
    bike_lane.refresh_from_db()
    assert (bike_lane.status, bike_lane.progress) == ("in_progress", 30)

    told = {n.user.username: n for n in Notification.objects.filter(kind="project_update")}
    assert set(told) == {citizen.username, english.username}
    assert "테헤란로 자전거도로" in told[citizen.username].title and "역삼역~선릉역" in told[citizen.username].body
    assert told[english.username].title == "New update on the project you follow: Teheran-ro bike lane"
    assert "Yeoksam and Seolleung" in told[english.username].body

    timeline = client_for(citizen).get(f"/api/projects/{bike_lane.pk}/updates/").json()["results"]
    assert [u["date"] for u in timeline] == ["2026-05-20"] and timeline[0]["photos"][0]["thumbnail_url"]


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_stored(bike_lane, staff, client_for):
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "photo.jpg"
    answer = client_for(staff).post(f"/api/projects/{bike_lane.pk}/updates/", {
        "date": "2026-05-20", "text_ko": "사진", "photos": [fake]}, format="multipart")
    assert answer.status_code == 400 and "photos" in answer.json()
    assert not bike_lane.updates.exists()


def test_progress_is_rolled_up_per_district_and_per_department(seoul, staff, teheran_ro):
    from django.contrib.gis.geos import LineString, Point

    line = LineString(teheran_ro, srid=4326)
    services.project_create(actor=staff, title_ko="테헤란로", department_ko="도시교통실", geom=line,
                            district_codes=["11680"], progress=40, budget_planned=100)
    services.project_create(actor=staff, title_ko="강남·서초 경계 정비", department_ko="도시공간본부", geom=line,
                            district_codes=["11680", "11650"], progress=80, budget_planned=50)
    services.project_create(actor=staff, title_ko="취소된 사업", department_ko="도시교통실",
                            geom=Point(127.03, 37.5, srid=4326), district_codes=["11680"], status="cancelled",
                            cancel_reason="예산 부족", budget_planned=1000)
    from projects.selectors import progress_by_department, progress_by_district

    districts = {row["code"]: row for row in progress_by_district()}
    assert len(districts) == 25
    assert (districts["11680"]["projects"], districts["11680"]["progress"]) == (3, 60)  # cancelled left out of the mean
    assert (districts["11680"]["cancelled"], districts["11680"]["budget_planned"]) == (1, 150)
    assert (districts["11650"]["projects"], districts["11650"]["progress"]) == (1, 80)
    assert districts["11110"]["projects"] == 0 and districts["11110"]["progress"] is None
    departments = {row["department_ko"]: row for row in progress_by_department()}
    assert departments["도시교통실"]["progress"] == 40 and departments["도시공간본부"]["progress"] == 80


def test_the_progress_api_and_the_dashboards_page_show_progress_per_district(seoul, staff, api, teheran_ro):
    from django.contrib.gis.geos import LineString

    services.project_create(actor=staff, title_ko="테헤란로", department_ko="도시교통실",
                            geom=LineString(teheran_ro, srid=4326), district_codes=["11680"], progress=40)
    rows = {r["code"]: r for r in api.get("/api/projects/progress/", {"by": "district"}).json()["results"]}
    assert rows["11680"]["progress"] == 40 and rows["11680"]["in_progress"] == 0 and rows["11680"]["planned"] == 1
    by_department = api.get("/api/projects/progress/", {"by": "department"}).json()["results"]
    assert [r["department_ko"] for r in by_department] == ["도시교통실"]
    assert api.get("/api/projects/progress/", {"by": "mayor"}).status_code == 400
    page = api.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'id="projects-progress"' in page
    assert "강남구" in page and "40%" in page


def test_a_project_cites_proposals_and_meetings_and_each_shows_the_project_back(
        seoul, staff, citizen, client_for, api, teheran_ro):
    from django.utils import timezone

    from campaigns.services import proposal_create
    from meetings.models import Committee, Meeting

    proposal = proposal_create(proposer=citizen, title="테헤란로에 자전거길을", why="출퇴근 자전거가 많습니다.", kind="policy")
    committee = Committee.objects.create(name_ko="서울특별시 교통위원회", name_en="Transport Committee", department_ko="도시교통실")
    meeting = Meeting.objects.create(committee=committee, title_ko="2026년 제2차 교통위원회", starts_at=timezone.now(),
                                     place_name="서울시청", address="서울 중구 세종대로 110")
    body = {"title_ko": "테헤란로 자전거도로", "department_ko": "도시교통실",
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in teheran_ro]},
            "proposals": [proposal.pk], "meetings": [meeting.pk]}
    project = client_for(staff).post("/api/projects/", body, format="json").json()
    assert [p["id"] for p in project["properties"]["proposals"]] == [proposal.pk]
    assert [m["id"] for m in project["properties"]["meetings"]] == [meeting.pk]
    assert api.get(f"/api/proposals/{proposal.pk}/").json()["projects"][0]["id"] == project["id"]
    assert api.get(f"/api/meetings/{meeting.pk}/").json()["projects"][0]["id"] == project["id"]
    assert f'href="/projects/{project["id"]}/"' in api.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/projects/{project["id"]}/"' in api.get("/proposals/").content.decode()
    assert api.get("/api/projects/", {"meeting": meeting.pk}).json()["count"] == 1


def test_the_project_page_renders_the_timeline_and_a_missing_one_is_404(bike_lane, staff, api):
    services.update_post(actor=staff, project=bike_lane, date=__import__("datetime").date(2026, 4, 1),
                         text_ko="설계 완료", progress=10)
    page = api.get(f"/projects/{bike_lane.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "테헤란로 자전거도로" in page and "설계 완료" in page and 'data-testid="follow"' not in page
    assert api.get("/projects/999999/").status_code == 404
    assert api.get(f"/api/projects/{2**70}/").status_code == 404


def test_a_project_cites_the_hazard_reports_it_resolves_and_each_report_shows_it_back_without_the_reporter(
        seoul, staff, citizen, citizen2, client_for, api, teheran_ro):
    from reports.models import Report
    from reports.services import category_create, report_create

    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management",
                           acknowledge_days=2, resolve_days=10)
    seolleung = Point(*teheran_ro[2], srid=4326)
    pothole = report_create(reporter=citizen, category=road, geom=seolleung, description="선릉역 앞 도로 파손")
    hidden = report_create(reporter=citizen2, category=road, geom=seolleung, description="숨겨진 신고")
    Report.objects.filter(pk=hidden.pk).update(is_hidden=True)
    body = {"title_ko": "테헤란로 포장 보수", "department_ko": "도로관리과",
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in teheran_ro]}}
    refused = client_for(staff).post("/api/projects/", {**body, "reports": [hidden.pk]}, format="json")
    assert refused.status_code == 400 and "reports" in refused.json()  # a hidden report cannot be cited
    project = client_for(staff).post("/api/projects/", {**body, "reports": [pothole.pk]}, format="json").json()
    cited = project["properties"]["reports"]
    assert cited == [{"id": pothole.pk, "title": "도로 파손", "title_en": "Damaged road", "url": f"/reports/{pothole.pk}/"}]
    assert citizen.username not in str(project)
    back = api.get(f"/api/reports/{pothole.pk}/").json()["properties"]["projects"]
    assert [p["id"] for p in back] == [project["id"]]


def test_erasing_an_account_forgets_what_it_followed_and_its_volunteer_evaluator_place(bike_lane, citizen):
    from accounts.services import user_delete_account
    from campaigns.models import Evaluator
    from campaigns.services import evaluator_join

    services.project_follow(project=bike_lane, user=citizen)
    evaluator_join(user=citizen)
    user_delete_account(user=citizen)
    assert not bike_lane.follows.exists()
    assert not Evaluator.objects.get().is_active
