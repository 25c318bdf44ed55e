"""In Chromium, on a desktop and on a phone: the project page shows its map, timeline and links; a citizen
follows it; city staff post an update and draw a new project on the map."""
import datetime

import pytest
from django.contrib.gis.geos import LineString

from notifications.models import Notification
from projects import services
from projects.models import Project, ProjectFollow

pytestmark = pytest.mark.browser


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

    page.goto("/projects/")
    _map_drawn(page, "gpProjectsReady")
    page.locator("#project-create summary").click()
    page.fill("#p-title-ko", "선릉로 보도 확장")
    page.fill("#p-dept", "보행정책과")
    page.check("input[name=kind][value=MultiLineString]")
    canvas = page.locator("#projects-map canvas")
    box = canvas.bounding_box()
    for dx in (0.3, 0.5, 0.7):
        canvas.click(position={"x": box["width"] * dx, "y": box["height"] * 0.6})
        page.wait_for_timeout(400)  # apart, so that MapLibre sees clicks and not a double-click
    assert page.locator("[data-vertices]").inner_text() == "3"
    page.get_by_role("button", name="등록", exact=True).click()
    page.wait_for_url("**/projects/*/")
    created = Project.objects.get(title_ko="선릉로 보도 확장")
    assert created.geom.geom_type == "MultiLineString" and created.geom.num_points == 3
    assert created.districts.exists()
