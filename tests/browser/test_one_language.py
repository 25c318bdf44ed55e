"""One language per reader in the browser: the English pages carry no Hangul (server text, labels, stored
messages, enum labels, sources), and the Korean timeline and notifications carry no English words.

The content these pages show is written in the page's language by the test (a citizen's map title, a
report's description, an officer's answer): content is shown as written, so any Hangul on an English page
is the platform's own text, or a Korean field shown where the English one exists."""
import re

import pytest
from django.contrib.gis.geos import Point

from tests.conftest import HANGUL

from .conftest import wait_for_map

GANGNAM_STATION = (127.0366, 37.5006)  # by Yeoksam Station, inside Gangnam-gu
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
PAGE_TEXT = """() => {
    const clone = document.body.cloneNode(true);
    // the language switch names each language in itself ("한국어"), as every bilingual site does
    clone.querySelectorAll('.lang-switch, script, style, template').forEach((e) => e.remove());
    document.body.appendChild(clone);
    clone.style.position = 'absolute';
    const text = clone.innerText;
    clone.remove();
    return text;
}"""


def _english(page, live_seoul):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])


def _read(page, path, ready=None):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if ready:
        wait_for_map(page, ready)
        page.wait_for_load_state("networkidle")
    return page.evaluate(PAGE_TEXT)


@pytest.fixture
def english_world(citizen, gangnam_officer, report_categories, map_templates, client_for):
    """What a reader of English meets: a public map, a report with an officer's answer, indicators."""
    from dashboards.services import computed_indicators_ensure
    from reports.services import report_create, report_status_change

    citizen.preferred_language = "en"
    citizen.save()
    gangnam_officer.preferred_language = "en"
    gangnam_officer.save()
    map_id = client_for(citizen).post("/api/maps/", {"title": "Safe walks home in Yeoksam", "template": "safety",
                                                     "visibility": "public"}, format="json").json()["id"]
    report = report_create(reporter=citizen, category=report_categories["road_damage"],
                           geom=Point(*GANGNAM_STATION, srid=4326),
                           description="Broken paving stones at exit 11 (sample)")
    report_status_change(report=report, actor=gangnam_officer, status="acknowledged",
                         message="Seen; a crew goes on Monday.")
    indicators = computed_indicators_ensure()
    return {"map": map_id, "report": report.pk, "indicator": indicators[0].slug}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_english_pages_have_no_hangul(request, viewport, live_seoul, login, english_world, citizen,
                                          gangnam_officer):
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    _english(page, live_seoul)
    anonymous = ["/accounts/login/", "/accounts/signup/"]
    citizens = [
        ("/", None), (f"/maps/{english_world['map']}/", "mapReady"), (f"/maps/{english_world['map']}/edit/", "editorReady"),
        ("/report/", "mapReady"), (f"/reports/{english_world['report']}/", None), ("/dashboards/", None),
        (f"/dashboards/{english_world['indicator']}/", None), ("/meetings/", None), ("/meetings/stats/", None),
        ("/analysis/", None), ("/proposals/", None), ("/campaigns/", None), ("/projects/", None),
        ("/roadmap/", None), ("/accounts/", None),
    ]
    found = {}
    for path in anonymous:
        text = _read(page, path)
        if HANGUL.search(text):
            found[path] = HANGUL.findall(text)
    login(page, citizen)
    _english(page, live_seoul)
    for path, ready in citizens:
        text = _read(page, path, ready)
        assert page.evaluate("document.documentElement.lang") == "en", path
        if HANGUL.search(text):
            found[path] = [line for line in text.splitlines() if HANGUL.search(line)][:5]
    # the report page and the account page show what was stored for later reading, in English
    timeline = _read(page, f"/reports/{english_world['report']}/")
    assert "Sent to Gangnam-gu." in timeline and "Acknowledged" in timeline, timeline
    assert "Report #" in _read(page, "/accounts/")
    page.context.clear_cookies()
    login(page, gangnam_officer)
    _english(page, live_seoul)
    text = _read(page, "/review/", "mapReady")
    if HANGUL.search(text):
        found["/review/"] = [line for line in text.splitlines() if HANGUL.search(line)][:5]
    assert not found, found
    if viewport == "desktop":
        page.goto(f"/reports/{english_world['report']}/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path="var/one-language-report-en.png", full_page=True)


@pytest.fixture
def korean_world(citizen, gangnam_officer, report_categories):
    from reports.services import report_create, report_status_change

    citizen.preferred_language = "ko"
    citizen.save()
    report = report_create(reporter=citizen, category=report_categories["road_damage"],
                           geom=Point(*GANGNAM_STATION, srid=4326), description="강남역 11번 출구 앞 보도블록 파손 (예시)")
    for status, message in (("acknowledged", "접수했습니다. 월요일에 현장을 확인하겠습니다."),
                            ("in_progress", "보수 공사를 시작했습니다."), ("resolved", "보도블록을 교체했습니다.")):
        report_status_change(report=report, actor=gangnam_officer, status=status, message=message)
    return report


def _english_words(text: str) -> list[str]:
    """English words in a text."""
    return ENGLISH_WORD.findall(text)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_korean_timeline_and_notifications_have_no_english_words(request, viewport, live_seoul, login,
                                                                     korean_world, citizen):
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    login(page, citizen)
    page.goto(f"/reports/{korean_world.pk}/")
    page.wait_for_load_state("networkidle")
    timeline = page.locator("#timeline").inner_text()
    assert "강남구에 접수되었습니다" in timeline and "보도블록을 교체했습니다" in timeline, timeline
    assert not _english_words(timeline), timeline
    page.goto("/accounts/")
    page.wait_for_load_state("networkidle")
    notifications = page.locator("#notifications").inner_text()
    assert f"#{korean_world.pk}" in notifications and HANGUL.search(notifications), notifications
    assert not _english_words(notifications), notifications
    assert "/reports/" not in notifications  # each entry links to its page instead of printing the path
    # the rest of the account page too (but the person's own user name and e-mail address)
    account = page.locator("main").inner_text().replace(citizen.email, "").replace(citizen.username, "")
    assert not _english_words(account), account
    if viewport == "phone":
        page.screenshot(path="var/one-language-notifications-ko.png", full_page=True)


def test_an_open_data_pop_up_names_its_fields_and_decodes_their_values(page, live_seoul):
    """City Hall's public toilet: "Opening hours", "Phone" and "02-2133-0001~6", never `opening_hours` or "%7E"."""
    from layers.opendata import opendata_load

    opendata_load("seoul_public_toilets")
    _english(page, live_seoul)
    page.goto("/layers/dataset-seoul_public_toilets/")
    wait_for_map(page)
    page.evaluate("window.gpMap.jumpTo({center: [126.9783985, 37.5667309], zoom: 19})")
    page.wait_for_function("!window.gpMap.isMoving() && window.gpMap.areTilesLoaded()")
    x, y = page.evaluate("() => { const p = window.gpMap.project([126.9783985, 37.5667309]); return [p.x, p.y]; }")
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    popup = page.locator(".maplibregl-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "02-2133-0001~6" in text and "Phone" in text and "Opening hours" in text, text
    assert "%7E" not in text and "opening_hours" not in text, text
