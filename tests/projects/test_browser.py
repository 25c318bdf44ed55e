"""In Chromium, on a desktop and on a phone: the project page shows its map, timeline and links; a citizen
follows it; city staff post an update and draw a new project on the map."""
import datetime
import re

import pytest
from django.contrib.gis.geos import LineString

from notifications.models import Notification
from projects import services
from projects.models import Project, ProjectFollow

from tests.browser.conftest import expect_http_errors

pytestmark = pytest.mark.browser
PROJECT_PAGE = re.compile(r".*/projects/\d+/$")


@pytest.fixture
def bike_lane(make_user, teheran_ro, live_seoul):
    staff = make_user("projects-staff", role="city_staff")
    project = services.project_create(
        actor=staff, title_ko="테헤란로 자전거도로", title_en="Teheran-ro bike lane", department_ko="도시교통실",
        geom=LineString(teheran_ro, srid=4326), district_codes=["11680"], budget_planned=4_200_000_000,
        status="in_progress", progress=35)
    services.update_post(actor=staff, project=project, date=datetime.date(2026, 5, 20), text_ko="역삼역~선릉역 구간 착공")
    return staff, project


def _map_drawn(page, flag):
    page.wait_for_function(f"window.{flag} === true", timeout=30_000)
    page.wait_for_function("window.gpMap && window.gpMap.loaded() && window.gpMap.areTilesLoaded()", timeout=30_000)


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_a_citizen_follows_a_project_on_its_page_on_desktop_and_phone(request, device, login, make_user, bike_lane):
    page = request.getfixturevalue(device)
    _staff, project = bike_lane
    citizen = make_user(f"follower-{device}")
    login(page, citizen)
    page.goto(f"/projects/{project.pk}/")
    assert page.get_by_test_id("project-title").inner_text() == "테헤란로 자전거도로"
    assert page.get_by_test_id("progress").inner_text() == "35%"
    assert "역삼역~선릉역 구간 착공" in page.get_by_test_id("timeline").inner_text()
    _map_drawn(page, "gpProjectReady")
    rendered = page.evaluate("""() => window.gpMap.queryRenderedFeatures()
        .filter((f) => f.sourceLayer === 'projects').map((f) => f.properties.id)""")
    assert project.pk in rendered
    box = page.locator("#project-map").bounding_box()
    width = page.viewport_size["width"]
    assert box["width"] <= width and box["height"] >= 200  # the map fits the screen, phone or desktop
    page.get_by_test_id("follow").click()
    page.locator("[data-testid=follow][aria-pressed=true]").wait_for()
    assert page.get_by_test_id("followers").inner_text() == "1"
    assert ProjectFollow.objects.filter(project=project, user=citizen).exists()


def test_staff_post_an_update_that_reaches_followers_and_draw_a_new_project(page, login, make_user, bike_lane):
    staff, project = bike_lane
    follower = make_user("browser-follower")
    services.project_follow(project=project, user=follower)
    login(page, staff)
    page.goto(f"/projects/{project.pk}/")
    page.locator("#update-box summary").click()
    page.fill("#u-date", "2026-06-10")
    page.fill("#u-text", "선릉역~삼성역 구간 완공")
    page.select_option("#u-status", "in_progress")
    page.fill("#u-progress", "70")
    page.get_by_role("button", name="올리기").click()
    page.locator(".timeline li", has_text="선릉역~삼성역 구간 완공").wait_for()
    assert page.get_by_test_id("progress").inner_text() == "70%"
    assert Notification.objects.filter(user=follower, kind="project_update").count() == 1



def _tap_map(page, selector, points):
    canvas = page.locator(f"{selector} canvas")
    box = canvas.bounding_box()
    for dx, dy in points:
        canvas.click(position={"x": box["width"] * dx, "y": box["height"] * dy})
        page.wait_for_timeout(400)  # apart, so that MapLibre sees clicks and not a double-click


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_staff_add_a_project_with_every_field_and_a_line_of_two_parts_drawn_on_the_map(
        request, device, login, make_user, live_seoul):
    page = request.getfixturevalue(device)
    staff = make_user(f"drawing-staff-{device}", role="city_staff")
    login(page, staff)
    page.goto("/projects/")
    page.get_by_test_id("add-project").click()
    page.wait_for_url("**/projects/new/")
    page.wait_for_function("window.gpProjectFormReady === true", timeout=30_000)
    page.evaluate("window.gpMap.jumpTo({center: [127.0495, 37.5045], zoom: 15})")
    page.check("input[name=kind][value=MultiLineString]")
    _tap_map(page, "#draw-map", [(0.2, 0.5), (0.4, 0.55), (0.6, 0.5)])
    page.get_by_role("button", name="이 부분 마치고 다음 부분 그리기").click()
    _tap_map(page, "#draw-map", [(0.3, 0.3), (0.5, 0.25)])
    assert page.get_by_test_id("vertices").inner_text() == "5" and page.get_by_test_id("parts").inner_text() == "2"
    page.fill("#f-title-ko", "선릉로 보도 확장")
    page.fill("#f-title-en", "Seolleung-ro pavement widening")
    page.fill("#f-desc-ko", "보도 폭을 2 m 넓힙니다.")
    page.fill("#f-dept-ko", "보행정책과")
    page.fill("#f-dept-en", "Pedestrian Policy Division")
    page.select_option("#f-districts", ["11680"])
    page.fill("#f-budget", "3500000000")
    page.fill("#f-spent", "120000000")
    page.fill("#f-start", "2026-03-02")
    page.fill("#f-end", "2027-11-30")
    page.select_option("#f-status", "cancelled")
    page.fill("#f-progress", "10")
    page.get_by_role("button", name="사업 등록").click()
    page.locator("#project-error").wait_for()
    assert "사업을 취소한 이유를 쓰세요." in page.locator("#project-error").inner_text()
    assert not Project.objects.filter(title_ko="선릉로 보도 확장").exists()  # a cancelled project says why
    expect_http_errors(page, 400)
    page.fill("#f-reason", "지하철 공사와 겹쳐 미룹니다.")
    page.get_by_role("button", name="사업 등록").click()
    page.wait_for_url(PROJECT_PAGE)
    created = Project.objects.get(title_ko="선릉로 보도 확장")
    assert created.geom.geom_type == "MultiLineString" and len(created.geom) == 2
    assert [len(part) for part in created.geom] == [3, 2]
    assert [d.code for d in created.districts.all()] == ["11680"]
    assert (created.title_en, created.department_en, created.description_ko) == (
        "Seolleung-ro pavement widening", "Pedestrian Policy Division", "보도 폭을 2 m 넓힙니다.")
    assert (created.budget_planned, created.budget_spent, str(created.starts_on), str(created.ends_on)) == (
        3_500_000_000, 120_000_000, "2026-03-02", "2027-11-30")
    assert (created.status, created.cancel_reason, created.progress) == ("cancelled", "지하철 공사와 겹쳐 미룹니다.", 10)
    assert page.get_by_test_id("cancel-reason").inner_text() == "지하철 공사와 겹쳐 미룹니다."
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_staff_edit_a_project_and_redraw_it_as_an_area(page, login, bike_lane):
    staff, project = bike_lane
    login(page, staff)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_test_id("edit-project").click()
    page.wait_for_url(f"**/projects/{project.pk}/edit/")
    page.wait_for_function("window.gpProjectFormReady === true", timeout=30_000)
    assert page.input_value("#f-title-ko") == "테헤란로 자전거도로"
    assert page.get_by_test_id("parts").inner_text() == "1"  # the line as it is, ready to change
    page.fill("#f-spent", "900000000")
    page.fill("#f-progress", "55")
    page.select_option("#f-status", "in_progress")
    page.get_by_role("button", name="사업 저장").click()
    page.wait_for_url(re.compile(rf".*/projects/{project.pk}/$"))
    project.refresh_from_db()
    assert (project.budget_spent, project.progress, project.geom.geom_type) == (900_000_000, 55, "MultiLineString")
    assert page.get_by_test_id("progress").inner_text() == "55%"

    page.goto(f"/projects/{project.pk}/edit/")
    page.wait_for_function("window.gpProjectFormReady === true", timeout=30_000)
    page.check("input[name=kind][value=MultiPolygon]")
    page.get_by_role("button", name="다시 그리기").click()
    _tap_map(page, "#draw-map", [(0.3, 0.3), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)])
    page.get_by_role("button", name="사업 저장").click()
    page.wait_for_url(re.compile(rf".*/projects/{project.pk}/$"))
    project.refresh_from_db()
    assert project.geom.geom_type == "MultiPolygon" and project.geom[0].num_points == 5


def test_staff_import_a_csv_on_the_page_and_see_each_bad_rows_error(page, login, make_user, live_seoul, tmp_path,
                                                                     teheran_ro):
    staff = make_user("import-staff", role="city_staff")
    line = "LINESTRING(" + ", ".join(f"{x} {y}" for x, y in teheran_ro) + ")"
    upload = tmp_path / "projects.csv"
    upload.write_text("\n".join([
        "title_ko,title_en,department_ko,district,geometry,budget_planned,budget_spent,starts_on,ends_on,status,progress",
        f'테헤란로 자전거도로,,도시교통실,Gangnam,"{line}",100,0,2026-01-01,,계획,0',
        '구가 없는 사업,,도시교통실,Atlantis-gu,"POINT(127.03 37.50)",100,0,,,계획,0',
        '진행률 초과,,도시교통실,11680,"POINT(127.03 37.50)",1,0,,,진행 중,150',
    ]) + "\n", encoding="utf-8")
    login(page, staff)
    page.goto("/projects/")
    page.locator("#project-import summary").click()
    page.set_input_files("#i-file", str(upload))
    page.get_by_role("button", name="가져오기").click()
    page.get_by_test_id("imported").wait_for()
    assert page.get_by_test_id("imported").inner_text().startswith("1")
    rows = page.locator("#import-errors li")
    assert rows.count() == 2
    assert page.locator("#import-errors li[data-row='3']").inner_text().count("Atlantis-gu") == 1
    assert "progress" in page.locator("#import-errors li[data-row='4']").inner_text()
    created = Project.objects.get(title_ko="테헤란로 자전거도로")
    assert created.geom.geom_type == "MultiLineString" and [d.code for d in created.districts.all()] == ["11680"]
