"""Map-first pages on a phone (375×667) and a desktop: reporting a hazard, a report's page, the officer's
review and the meetings. On a phone the map fills the screen and the page is a bottom sheet that opens
to its form and actions; on a desktop the page is a column beside a full-height map. A report filed on a
phone arrives in the district's queue and is answered from the officer's phone."""
import datetime
import os

import pytest
from django.utils import timezone

from reports.models import Report

from .conftest import open_sheet, wait_for_map

pytestmark = pytest.mark.browser

YEOKSAM_1 = (127.0355, 37.4995)  # 역삼1동, Gangnam-gu, 150 m from Yeoksam station
SEOCHO_SIDE = (127.0200, 37.4930)  # 서초동, Seocho-gu, west of Gangnam-daero
CITY_HALL = (126.9779692, 37.5662952)


def map_share(page):
    """The part of the screen where the map shows: below the header, above the sheet and the tool row."""
    return page.evaluate("""() => {
        const map = document.querySelector('.map-full .gp-map').getBoundingClientRect();
        const covering = [...document.querySelectorAll('.map-full > .map-panel, .map-full .edit-tools')]
            .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.left < map.right - 1 && r.right > map.left + 1);
        const top = Math.max(map.top, 0);
        const bottom = Math.min(map.bottom, ...covering.map(r => r.top), window.innerHeight);
        return (bottom - top) * map.width / (window.innerWidth * window.innerHeight);
    }""")


def uncovered(page, selector):
    """Whether the centre of each element matching `selector` is the element itself (nothing sits over it)."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].map(e => {
        const r = e.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return e === top || e.contains(top);
    })""", selector)


def in_view(page, selector):
    """Whether the element is wholly inside the screen and, on a phone, inside the sheet's visible part."""
    return page.evaluate("""(selector) => {
        const r = document.querySelector(selector).getBoundingClientRect();
        const panel = document.querySelector('.map-full > .map-panel').getBoundingClientRect();
        return r.height > 0 && r.top >= Math.max(0, panel.top) - 1 && r.bottom <= Math.min(window.innerHeight, panel.bottom) + 1;
    }""", selector)


def shot(page, name):
    """With GP_SHOTS=<folder>, keep a screenshot of what the test saw (to look at, not to compare)."""
    if os.environ.get("GP_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["GP_SHOTS"], f"{name}.png"))


def tap_map_at(page, lon, lat):
    x, y = page.evaluate("([lon, lat]) => { const p = window.gpMap.project([lon, lat]); return [p.x, p.y]; }", [lon, lat])
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)


@pytest.fixture
def stations(live_seoul):
    from layers.opendata import opendata_load

    opendata_load("seoul_subway_stations")


@pytest.fixture
def gangnam_report(citizen2, report_categories):
    from django.contrib.gis.geos import Point

    from reports.services import report_create

    return report_create(reporter=citizen2, category=report_categories["sidewalk_damage"],
                         geom=Point(127.0489, 37.5045, srid=4326), description="선릉역 앞 보도블록 파손")


@pytest.fixture
def city_hall_meeting(live_seoul):
    from meetings.services import committee_create, meeting_create

    committee = committee_create(name_ko="서울특별시 교통위원회", name_en="Seoul Transport Committee",
                                 department_ko="교통정책과", department_en="Transport Policy Division")
    return meeting_create(committee=committee, title_ko="2025년 제3차 교통위원회", title_en="3rd Transport Committee 2025",
                          starts_at=timezone.now() + datetime.timedelta(days=7), place_name="서울특별시청",
                          address="서울특별시 중구 세종대로 110", lon=CITY_HALL[0], lat=CITY_HALL[1],
                          agenda="1. 자치구 교통 현안 보고")


# page → (who signs in, path, what the open sheet must show)
PAGES = {
    "report": ("citizen", "/report/", "#send"),
    "report-detail": ("citizen2", "/reports/{report}/", "#timeline li"),
    "review": ("officer", "/review/", "#queue .queue-item"),
    "meetings": (None, "/meetings/", "form.meeting-search button[type=submit]"),
    "meeting": (None, "/meetings/{meeting}/", "#minutes-title"),
}


@pytest.fixture
def page_path(request, citizen, citizen2, gangnam_officer, gangnam_report, city_hall_meeting, login):
    def open_page(page, name):
        who, path, _ = PAGES[name]
        user = {"citizen": citizen, "citizen2": citizen2, "officer": gangnam_officer}.get(who)
        if user:
            login(page, user)
        page.goto(path.format(report=gangnam_report.pk, meeting=city_hall_meeting.pk))
        if name.startswith("meeting"):
            page.wait_for_function("window.gpMeetingsReady === true")
            page.wait_for_function("window.gpMap.loaded() && window.gpMap.areTilesLoaded()", timeout=20000)
        else:
            wait_for_map(page)
    return open_page


@pytest.mark.parametrize("name", list(PAGES))
def test_on_a_phone_the_map_fills_the_screen_and_the_sheet_opens_to_the_page(phone_page, page_path, name):
    page_path(phone_page, name)
    assert phone_page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    share = map_share(phone_page)
    shot(phone_page, f"{name}-phone")
    assert share >= 0.6, share
    # the map's own controls (zoom, attribution, scale) are never under the sheet, a tool row or a notice
    assert all(uncovered(phone_page, ".maplibregl-ctrl-zoom-in, .maplibregl-ctrl-attrib-button, .maplibregl-ctrl-scale"))
    assert phone_page.locator(".map-full > .map-panel").get_attribute("data-sheet") == "peek"
    open_sheet(phone_page)
    target = PAGES[name][2]
    phone_page.locator(target).first.scroll_into_view_if_needed()
    assert in_view(phone_page, target), target
    assert all(uncovered(phone_page, target)[:1]), target
    shot(phone_page, f"{name}-phone-open")
    # the map keeps the upper part of the screen while the sheet is open
    assert phone_page.evaluate("document.querySelector('.map-full > .map-panel').getBoundingClientRect().top") >= 667 * 0.45


@pytest.mark.parametrize("name", list(PAGES))
def test_on_a_desktop_the_page_is_a_column_beside_a_full_height_map(page, page_path, name):
    page_path(page, name)
    layout = page.evaluate("""() => {
        const map = document.querySelector('.map-full .gp-map').getBoundingClientRect();
        const panel = document.querySelector('.map-full > .map-panel').getBoundingClientRect();
        const header = document.querySelector('.site-header').getBoundingClientRect();
        return {mapLeft: map.left, panelRight: panel.right, mapTop: map.top, mapBottom: map.bottom,
                headerBottom: header.bottom, width: map.width, scroll: document.scrollingElement.scrollHeight - window.innerHeight};
    }""")
    shot(page, f"{name}-desktop")
    assert layout["panelRight"] <= layout["mapLeft"] + 1, layout  # beside, not over
    assert abs(layout["mapTop"] - layout["headerBottom"]) <= 1 and layout["mapBottom"] >= 899, layout
    assert layout["width"] >= 600 and layout["scroll"] <= 1, layout  # (the header's height is fractional)
    assert page.locator(PAGES[name][2]).first.is_visible()
    if name == "review":  # the queue and the selected report side by side, each a readable column
        assert page.locator("#queue-section").bounding_box()["width"] >= 320
        assert page.locator("#detail").bounding_box()["width"] >= 320


def test_a_report_filed_on_a_phone_reaches_the_officers_phone_and_the_answer_reaches_the_reporter(
        phone_page, chromium, live_seoul, citizen, gangnam_officer, login, report_categories, stations):
    from tests.conftest import _page

    phone = phone_page
    login(phone, citizen)
    phone.goto("/report/")
    wait_for_map(phone)
    phone.evaluate("window.gpMap.jumpTo({center: [127.028, 37.497], zoom: 14})")
    phone.wait_for_function("!window.gpMap.isMoving()")
    tap_map_at(phone, *YEOKSAM_1)
    line = phone.get_by_test_id("place-words")
    phone.wait_for_function("document.getElementById('place-words').textContent.includes('접수: 강남구')")
    # where the pin is, in words, shows above the map while the sheet is lowered…
    assert in_view(phone, "#place-words") and "역삼1동, 강남구" in line.inner_text()
    shot(phone, "report-phone-placed")
    phone.evaluate("""([lon, lat]) => window.gpMap.fire('click', {lngLat: {lng: lon, lat: lat},
        point: window.gpMap.project([lon, lat]), originalEvent: {target: window.gpMap.getCanvas()}})""", list(SEOCHO_SIDE))
    phone.wait_for_function("document.getElementById('place-words').textContent.includes('접수: 서초구')")
    assert in_view(phone, "#place-words")
    phone.evaluate("""([lon, lat]) => window.gpMap.fire('click', {lngLat: {lng: lon, lat: lat},
        point: window.gpMap.project([lon, lat]), originalEvent: {target: window.gpMap.getCanvas()}})""", list(YEOKSAM_1))
    phone.wait_for_function("document.getElementById('place-words').textContent.includes('접수: 강남구')")
    # …and while the form is filled in the open sheet
    open_sheet(phone)
    phone.get_by_role("radio", name="보도 파손").tap()
    phone.get_by_label("무엇이 문제인가요?").fill("역삼역 4번 출구 앞 보도블록이 들떠 있습니다.")
    phone.get_by_role("button", name="신고 보내기").scroll_into_view_if_needed()
    assert in_view(phone, "#place-words") and "접수: 강남구" in line.inner_text()
    shot(phone, "report-phone-form")
    phone.get_by_role("button", name="신고 보내기").tap()
    phone.wait_for_url("**/reports/*/")
    report = Report.objects.get()
    assert [d.code for d in report.districts.all()] == ["11680"]

    # The Gangnam officer, on a phone, finds it first in the queue, newest first
    context, officer = _page(chromium, live_seoul, viewport={"width": 375, "height": 667}, is_mobile=True,
                             has_touch=True, device_scale_factor=2)
    try:
        login(officer, gangnam_officer)
        officer.goto("/review/")
        wait_for_map(officer)
        item = officer.locator(".queue-item").first
        item.wait_for()
        assert item.get_attribute("data-report-id") == str(report.pk)
        open_sheet(officer)
        item.tap()
        officer.wait_for_function(f"document.body.dataset.selectedReport === '{report.pk}'")
        # the selected report's details come into view in the open sheet, its actions a full-width tap away
        officer.wait_for_function("""() => { const d = document.getElementById('detail').getBoundingClientRect();
            const s = document.querySelector('.map-full > .map-panel').getBoundingClientRect();
            return s.top <= 667 * 0.55 && d.top >= s.top && d.top < s.top + 80; }""")
        assert "역삼역 4번 출구" in officer.locator("#d-description").inner_text()
        officer.get_by_label("새 상태").select_option("acknowledged")
        officer.get_by_label("신고자에게 보낼 공개 메시지").fill("확인했습니다. 내일 보수하겠습니다.")
        send = officer.get_by_role("button", name="상태 변경")
        send.scroll_into_view_if_needed()
        box = send.bounding_box()
        assert box["width"] >= 300 and box["height"] >= 44 and in_view(officer, "#status-form button[type=submit]")
        shot(officer, "review-phone-detail")
        send.tap()
        officer.wait_for_selector("#d-timeline li[data-status=acknowledged]")
        assert not officer.console_errors, officer.console_errors
    finally:
        context.close()
    report.refresh_from_db()
    assert report.status == "acknowledged"

    # The reporter's page shows the step, in the sheet over the report's place
    phone.reload()
    wait_for_map(phone)
    assert map_share(phone) >= 0.6
    open_sheet(phone)
    phone.locator("#timeline li[data-status=acknowledged]").scroll_into_view_if_needed()
    assert in_view(phone, "#timeline li[data-status=acknowledged]")
    assert "내일 보수하겠습니다" in phone.locator("#timeline").inner_text()
    shot(phone, "report-detail-phone-answered")
