"""Hazard reports in the browser: a citizen reports on a phone, the Gangnam officer answers, the
citizen reads the answer; drafts survive a lost connection; bad places get the server's message."""
import pytest

from reports.models import Report

from .conftest import expect_console_errors, expect_http_errors, open_sheet, wait_for_map

pytestmark = pytest.mark.browser

SEOLLEUNG = {"longitude": 127.048950, "latitude": 37.504503}  # 선릉역, Gangnam-gu


def tap_map(page, x, y):
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)


def test_citizen_reports_on_a_phone_and_reads_the_gangnam_officers_answer(
        phone_page, page, citizen, gangnam_officer, mapo_officer, login, report_categories, jpeg_file):
    phone = phone_page
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation(SEOLLEUNG)
    login(phone, citizen)
    phone.goto("/report/")
    wait_for_map(phone)
    phone.get_by_role("button", name="◎ 내 위치").tap()
    phone.wait_for_function("document.body.dataset.located === 'true'")
    assert "37.5045" in phone.locator("#location-status").inner_text()
    open_sheet(phone)  # the form is in the bottom sheet under the map
    phone.get_by_role("radio", name="보도 파손").tap()
    phone.get_by_label("무엇이 문제인가요?").fill("선릉역 1번 출구 앞 보도블록이 깨져 있어 넘어질 뻔했습니다.")
    phone.set_input_files("#photos", str(jpeg_file))
    assert phone.locator("#photo-previews img").count() == 1
    phone.get_by_role("button", name="신고 보내기").tap()
    phone.wait_for_url("**/reports/*/")
    report = Report.objects.get()
    assert report.reporter == citizen and report.category.code == "sidewalk_damage"
    assert abs(report.geom.x - SEOLLEUNG["longitude"]) < 1e-5
    assert report.photos.count() == 1
    assert [d.code for d in report.districts.all()] == ["11680"]
    phone.wait_for_selector("#timeline li")
    assert phone.locator("#report-status").inner_text() == "접수"

    # The Gangnam officer sees it in the queue (list and map) and acknowledges it with a message.
    login(page, gangnam_officer)
    page.get_by_role("link", name="검토").click()
    wait_for_map(page)
    item = page.locator(f".queue-item[data-report-id='{report.pk}']")
    item.wait_for()
    assert "보도 파손" in item.inner_text()
    assert page.evaluate("window.gpMap.getSource('queue').getData().then(d => d.features.map(f => f.id))") == [report.pk]
    item.click()
    page.wait_for_function(f"document.body.dataset.selectedReport === '{report.pk}'")
    page.get_by_label("새 상태").select_option("acknowledged")
    page.get_by_label("신고자에게 보낼 공개 메시지").fill("확인했습니다. 이번 주 안에 보도블록을 교체하겠습니다.")
    page.get_by_role("button", name="상태 변경").last.click()
    page.wait_for_selector("#d-timeline li[data-status=acknowledged]")
    page.get_by_label("내부 메모 (공개되지 않음)").fill("도로관리과 김 주무관 현장 확인 예정")
    page.get_by_role("button", name="메모 추가").click()
    page.wait_for_selector("#notes li")
    report.refresh_from_db()
    assert report.status == "acknowledged"

    # The reporter sees the answer (and never the internal note).
    phone.reload()
    phone.wait_for_selector("#timeline li[data-status=acknowledged]")
    assert phone.locator("#report-status").inner_text() == "확인"
    timeline = phone.locator("#timeline").inner_text()
    assert "이번 주 안에 보도블록을 교체하겠습니다" in timeline
    assert "김 주무관" not in timeline
    # …and is told in the app: the header's badge leads to the notifications, which link to the report.
    phone.wait_for_selector(".nav-toggle.has-unread")
    phone.get_by_role("button", name="메뉴").tap()
    phone.locator("#notif-badge").tap()
    phone.wait_for_url("**/accounts/*")
    phone.locator(f"#notifications a[href='/reports/{report.pk}/']").first.wait_for()

    # The Mapo officer does not have it in the queue.
    page.get_by_test_id("sign-out").click()
    login(page, mapo_officer)
    page.goto("/review/")
    wait_for_map(page)
    page.wait_for_function("document.getElementById('queue-status').textContent.length > 0 && !document.getElementById('queue-status').textContent.includes('…')")
    assert page.locator(f".queue-item[data-report-id='{report.pk}']").count() == 0


def test_a_report_written_offline_is_kept_and_sent_when_back_online(phone_page, citizen, login, report_categories):
    phone = phone_page
    login(phone, citizen)
    phone.goto("/report/")
    wait_for_map(phone)
    phone.evaluate("window.gpMap.jumpTo({center: [126.9780, 37.5665], zoom: 15})")  # Seoul City Hall, Jung-gu
    wait_for_map(phone)
    box = phone.locator("#map canvas.maplibregl-canvas").bounding_box()
    tap_map(phone, box["width"] / 2, box["height"] / 2)
    phone.wait_for_function("document.body.dataset.located === 'true'")
    open_sheet(phone)
    phone.get_by_role("radio", name="불법 주정차").tap()
    phone.get_by_label("무엇이 문제인가요?").fill("시청 앞 버스정류장에 상습 불법 주차")
    phone.context.set_offline(True)
    phone.get_by_role("button", name="신고 보내기").tap()
    banner = phone.locator("#drafts-banner")
    banner.wait_for()
    assert "1건" in banner.inner_text()
    assert Report.objects.count() == 0
    phone.context.set_offline(False)
    phone.wait_for_selector("#drafts-banner", state="hidden")
    report = Report.objects.get()
    assert report.description == "시청 앞 버스정류장에 상습 불법 주차"
    assert [d.code for d in report.districts.all()] == ["11140"]
    # While offline the browser could not fetch what the page asked for then (a font slice, a tile).
    expect_console_errors(phone, "ERR_INTERNET_DISCONNECTED")


def test_a_report_outside_seoul_shows_the_servers_message(page, citizen, login, report_categories):
    login(page, citizen)
    page.goto("/report/")
    wait_for_map(page)
    page.evaluate("window.gpMap.jumpTo({center: [126.70, 37.45], zoom: 13})")  # Incheon
    wait_for_map(page)
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_role("radio", name="도로 파손").check()
    page.get_by_label("무엇이 문제인가요?").fill("인천의 도로")
    page.get_by_role("button", name="신고 보내기").click()
    error = page.locator("#report-error")
    error.wait_for()
    assert "서울" in error.inner_text() or "Seoul" in error.inner_text()
    assert Report.objects.count() == 0
    expect_http_errors(page, 400)


def test_a_report_drawn_along_the_gangnam_seocho_boundary_goes_to_both_districts(page, citizen, login, report_categories):
    login(page, citizen)
    page.goto("/report/")
    wait_for_map(page)
    page.evaluate("window.gpMap.jumpTo({center: [127.0285, 37.4990], zoom: 15})")
    wait_for_map(page)
    page.get_by_role("button", name="╱ 길 따라 (선)").click()
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    west, east = (page.evaluate("([lon, lat]) => { const p = window.gpMap.project([lon, lat]); return [p.x, p.y]; }", point)
                  for point in ([127.0240, 37.4990], [127.0330, 37.4990]))
    for x, y in (west, east, east):
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(200)
    page.wait_for_function("document.body.dataset.located === 'true'")
    page.get_by_role("radio", name="위험한 횡단보도").check()
    page.get_by_label("무엇이 문제인가요?").fill("강남대로를 건너는 횡단보도 신호가 너무 짧습니다.")
    page.get_by_role("button", name="신고 보내기").click()
    page.wait_for_url("**/reports/*/")
    report = Report.objects.get()
    assert report.geom.geom_type == "LineString"
    assert sorted(d.code for d in report.districts.all()) == ["11650", "11680"]
    page.wait_for_selector("#report-facts dd")
    assert "강남구" in page.locator("#report-facts").inner_text() and "서초구" in page.locator("#report-facts").inner_text()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_officer_reads_their_districts_part_and_the_reports_own_status_side_by_side_when_they_differ(
        page, live_seoul, citizen, gangnam_officer, login, report_categories, language):
    from django.contrib.gis.geos import LineString, Point

    from reports.services import report_create, report_status_change
    from tests.conftest import HANGUL

    # along the Gangnam-Seocho boundary: Gangnam-gu acknowledges its part, Seocho-gu has not answered yet
    report = report_create(reporter=citizen, category=report_categories["road_damage"],
                           geom=LineString((127.0240, 37.4990), (127.0330, 37.4990), srid=4326),
                           description="강남대로 경계의 도로 파손")
    report_status_change(report=report, actor=gangnam_officer, status="acknowledged", message="확인했습니다.")
    alone = report_create(reporter=citizen, category=report_categories["road_damage"],
                          geom=Point(SEOLLEUNG["longitude"], SEOLLEUNG["latitude"], srid=4326), description="선릉역 앞 도로 파손")
    report_status_change(report=alone, actor=gangnam_officer, status="acknowledged", message="확인했습니다.")
    report.refresh_from_db()
    assert report.status == "submitted"
    assert sorted(report.districts.values_list("code", flat=True)) == ["11650", "11680"]
    login(page, gangnam_officer)
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    page.goto("/review/")
    wait_for_map(page)
    item = page.locator(f".queue-item[data-report-id='{report.pk}']")
    item.locator(".badge[data-status=acknowledged]").wait_for()  # the queue shows Gangnam-gu's part
    item.click()
    page.wait_for_function(f"document.body.dataset.selectedReport === '{report.pk}'")
    header = page.locator("#d-status").inner_text().strip()
    expected = {"ko": "강남구: 확인 · 전체: 접수", "en": "Gangnam-gu: Acknowledged · overall: Submitted"}[language]
    assert header == expected
    if language == "en":
        assert not HANGUL.search(header)
    # a report of Gangnam-gu alone has one status: the header says it once
    page.locator(f".queue-item[data-report-id='{alone.pk}']").click()
    page.wait_for_function(f"document.body.dataset.selectedReport === '{alone.pk}'")
    assert page.locator("#d-status").inner_text().strip() == {"ko": "확인", "en": "Acknowledged"}[language]
