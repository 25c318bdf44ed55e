"""The meeting pages, server-rendered and in a real browser (Chromium; console errors fail the test)."""
import datetime

import pytest
from django.utils import timezone


def test_meeting_list_page_searches_in_korean_and_filters(client, meetings):
    html = client.get("/meetings/", {"q": "주차"}).content.decode()
    assert "2025년 제3차 교통위원회" in html and "2025년 제2차 교통위원회" not in html
    bad = client.get("/meetings/", {"from": "not-a-date"})
    assert bad.status_code == 400 and "날짜" in bad.content.decode()


def test_undisclosed_meeting_page_shows_reason_and_guide_but_not_minutes(client, meetings):
    html = client.get(f"/meetings/{meetings['secret'].pk}/").content.decode()
    assert "제9조 제1항 제5호" in html and "open.go.kr" in html
    assert "비밀논의" not in html
    assert client.get("/meetings/999999/").status_code == 404


def test_scheduled_minutes_page_shows_the_date_not_the_minutes(client, meetings):
    meeting = meetings["parking"]
    meeting.minutes_publish_at = timezone.now() + datetime.timedelta(days=2)
    meeting.save()
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "공영주차장" not in html and 'data-testid="minutes-scheduled"' in html


def test_committee_and_stats_pages(client, meetings):
    assert "김서울" in client.get("/meetings/committees/").content.decode()
    stats = client.get("/meetings/stats/").content.decode()
    assert "교통정책과" in stats and "83%" in stats  # (3 + 2) / 6 held meetings


@pytest.mark.browser
def test_meetings_pages_list_search_map_and_withhold_minutes_in_the_browser(page, meetings):
    page.goto("/meetings/")
    page.wait_for_function("window.gpMeetingsReady === true", timeout=20_000)
    assert page.locator("[data-testid=meeting-item]").count() == 7
    page.wait_for_function(
        "window.gpMap.querySourceFeatures('gp-meetings', {sourceLayer: 'meetings'})"
        ".some(f => f.properties.status === 'upcoming')", timeout=20_000)
    page.fill("#q", "주차")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_function("window.gpMeetingsReady === true")
    assert page.locator("[data-testid=meeting-item]").count() == 1
    page.click("[data-testid=meeting-item] a")
    page.wait_for_function("window.gpMeetingsReady === true", timeout=20_000)
    assert "공영주차장" in page.locator("[data-testid=minutes]").inner_text()
    # an undisclosed meeting: its reason and the request guide, never its minutes
    page.goto(f"/meetings/{meetings['secret'].pk}/")
    page.wait_for_function("window.gpMeetingsReady === true", timeout=20_000)
    assert "제5호" in page.locator("[data-testid=disclosure-reason]").inner_text()
    assert page.locator("[data-testid=request-guide] a[href='https://www.open.go.kr/']").count() == 1
    assert "비밀논의" not in page.content()
