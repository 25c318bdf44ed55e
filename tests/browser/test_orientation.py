"""Finding one's street and reading one language, on a phone (375×667) and a desktop, in Korean and
English: the live place line, map-first phone pages, clusters that zoom when tapped, 404 pages."""
import re

import pytest

from .conftest import expect_http_errors, open_sheet, wait_for_map

pytestmark = pytest.mark.browser
HANGUL = re.compile(r"[\uac00-\ud7a3]")
YEOKSAM_1 = (127.0355, 37.4995)  # 역삼1동, 150 m from Yeoksam station
SEOCHO_SIDE = (127.0200, 37.4930)  # 서초동, Seocho-gu, west of Gangnam-daero


@pytest.fixture
def stations(live_seoul):
    from layers.opendata import opendata_load

    opendata_load("seoul_subway_stations")


def click_at(page, lon, lat):
    """Click the map where (lon, lat) is drawn (MapLibre turns taps and clicks into the same event)."""
    page.locator("#map").scroll_into_view_if_needed()
    x, y = page.evaluate("([lon, lat]) => { const p = window.gpMap.project([lon, lat]); return [p.x, p.y]; }", [lon, lat])
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    if page.context.pages and page.viewport_size["width"] < 500:
        page.touchscreen.tap(box["x"] + x, box["y"] + y)  # a finger on a phone
    else:
        page.mouse.click(box["x"] + x, box["y"] + y)


def show_gangnam_station(page):
    page.evaluate("window.gpMap.jumpTo({center: [127.028, 37.497], zoom: 14})")
    page.wait_for_function("!window.gpMap.isMoving()")


def place_line(page):
    line = page.get_by_test_id("place-words")
    line.wait_for(state="visible")
    return line


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_korean_place_line_follows_the_pin_and_names_the_receiving_office(request, viewport, stations):
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    page.goto("/report/")
    wait_for_map(page)
    show_gangnam_station(page)
    click_at(page, *YEOKSAM_1)
    line = place_line(page)
    page.wait_for_function("document.getElementById('place-words').textContent.includes('역삼1동')")
    text = line.inner_text()
    assert "역삼1동, 강남구" in text and "역삼역에서" in text and "접수: 강남구" in text
    show_gangnam_station(page)
    if viewport == "desktop":  # drag the pin across Gangnam-daero with the mouse
        marker = page.locator(".maplibregl-marker").bounding_box()
        x, y = page.evaluate("([lon, lat]) => { const p = window.gpMap.project([lon, lat]); return [p.x, p.y]; }",
                             list(SEOCHO_SIDE))
        box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
        page.mouse.move(marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] - 4)
        page.mouse.down()
        page.mouse.move(box["x"] + x, box["y"] + y, steps=12)
        page.mouse.up()
    else:  # the map's own click event at the new place (a second emulated tap is taken as a double tap)
        page.evaluate("""([lon, lat]) => window.gpMap.fire('click',
            {lngLat: {lng: lon, lat: lat}, point: window.gpMap.project([lon, lat]),
             originalEvent: {target: window.gpMap.getCanvas()}})""", list(SEOCHO_SIDE))
    page.wait_for_function("document.getElementById('place-words').textContent.includes('접수: 서초구')")
    assert "서초구" in line.inner_text() and "역삼1동" not in line.inner_text()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_english_place_line_has_no_hangul(request, viewport, stations, live_seoul):
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    page.goto("/report/")
    wait_for_map(page)
    show_gangnam_station(page)
    click_at(page, *YEOKSAM_1)
    line = place_line(page)
    page.wait_for_function("document.getElementById('place-words').textContent.includes('Goes to')")
    text = line.inner_text()
    assert "Gangnam-gu" in text and "Yeoksam Station" in text and not HANGUL.search(text), text
    main_text = page.locator("main").inner_text()
    assert not HANGUL.search(main_text), HANGUL.findall(main_text)[:10]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_map_editors_place_line_names_the_dong_and_gu_of_each_feature_placed(page, language, stations, live_seoul,
                                                                               login, citizen, client_for, map_templates):
    """Placing a feature on one's map says where it is in words, and the words follow the next one placed
    (across Gangnam-daero, into Seocho-gu); in English without Hangul."""
    map_id = client_for(citizen).post("/api/maps/", {"title": "역삼동 산책 지도", "template": "safety"},
                                      format="json").json()["id"]
    login(page, citizen)
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    page.goto(f"/maps/{map_id}/edit/")
    wait_for_map(page, "editorReady")
    line = page.get_by_test_id("place-words")
    english = language == "en"
    places = [(YEOKSAM_1, ("역삼1동, 강남구", "Yeoksam 1(il)-dong, Gangnam-gu")),
              (SEOCHO_SIDE, ("서초1동, 서초구", "Seocho 1(il)-dong, Seocho-gu"))]
    for spot, words in places:
        show_gangnam_station(page)
        page.locator(".edit-tools button[data-mode=point]").click()
        click_at(page, *spot)
        page.wait_for_selector("#feature-form:not([hidden])")
        page.wait_for_function("(words) => document.getElementById('place-words').textContent.includes(words)",
                               arg=words[english])
        text = line.inner_text()
        assert ("Station" in text and not HANGUL.search(text)) if english else "역에서" in text, text
    assert places[0][1][english] not in line.inner_text()


def test_the_editors_map_takes_at_least_60_percent_of_a_phone_screen(phone_page, login, citizen, client_for,
                                                                     map_templates):
    map_id = client_for(citizen).post("/api/maps/", {"title": "망원동 안전 지도", "template": "safety"},
                                      format="json").json()["id"]
    login(phone_page, citizen)
    phone_page.goto(f"/maps/{map_id}/edit/")
    wait_for_map(phone_page, "editorReady")
    visible = phone_page.evaluate("""() => {
        const map = document.getElementById('map').getBoundingClientRect();
        const covering = [...document.querySelectorAll('.map-panel, .edit-tools')].map(e => e.getBoundingClientRect());
        const top = Math.max(map.top, 0);
        const bottom = Math.min(map.bottom, ...covering.map(r => r.top), window.innerHeight);
        return (bottom - top) * map.width / (window.innerWidth * window.innerHeight);
    }""")
    assert visible >= 0.6, visible
    # nothing of the drawing tools sits over the map's own controls
    tools = phone_page.locator(".edit-tools").bounding_box()
    for control in phone_page.locator(".maplibregl-ctrl-top-right .maplibregl-ctrl, .layer-switcher").all():
        box = control.bounding_box()
        if box:
            assert box["y"] + box["height"] <= tools["y"] or box["y"] >= tools["y"] + tools["height"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_tapped_or_clicked_cluster_zooms_in(request, viewport, live_seoul):
    from layers.opendata import opendata_load

    opendata_load("seoul_public_toilets")
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    page.goto("/layers/dataset-seoul_public_toilets/")
    wait_for_map(page)
    page.evaluate("window.gpMap.jumpTo({center: [126.99, 37.55], zoom: 11})")
    page.wait_for_function("window.gpMap.loaded() && window.gpMap.areTilesLoaded()")
    page.wait_for_function("""() => window.gpMap.queryRenderedFeatures().some(
        f => f.source.includes('seoul_public_toilets') && Number(f.properties.count) > 1)""")
    cluster = page.evaluate("""() => {
        // a cluster in the open part of the map: below the top controls, above the bottom sheet (phone)
        const panel = document.querySelector('.map-panel').getBoundingClientRect();
        const sheet = panel.top > 100 ? panel : {top: window.innerHeight};
        const canvas = window.gpMap.getCanvas().getBoundingClientRect();
        const f = window.gpMap.queryRenderedFeatures().find(f => {
            if (!f.source.includes('seoul_public_toilets') || !(Number(f.properties.count) > 1)) return false;
            const p = window.gpMap.project(f.geometry.coordinates);
            return p.y > 90 && canvas.top + p.y < sheet.top - 20 && p.x > 20 && p.x < canvas.width - 60;
        });
        return f.geometry.coordinates;
    }""")
    before = page.evaluate("window.gpMap.getZoom()")
    x, y = page.evaluate("([lon, lat]) => { const p = window.gpMap.project([lon, lat]); return [p.x, p.y]; }", cluster)
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    if viewport == "phone":
        page.touchscreen.tap(box["x"] + x, box["y"] + y)
    else:
        page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function(f"window.gpMap.getZoom() >= {before} + 1.5")
    assert page.locator(".maplibregl-popup").count() == 0


def test_a_missing_map_or_report_is_a_404_page(page, live_seoul):
    expect = []
    for path in ("/maps/999999/", "/maps/999999/edit/?key=x", "/reports/999999/", "/layers/no-such-layer/"):
        response = page.goto(path)
        expect.append((path, response.status))
    expect_http_errors(page, 404)
    assert all(status == 404 for _path, status in expect), expect


def test_an_officers_review_on_a_phone_opens_on_their_district_newest_first(
        phone_page, login, gangnam_officer, citizen, report_categories):
    from django.contrib.gis.geos import Point

    from reports.services import report_create

    older, newer = (report_create(reporter=citizen, category=report_categories["sidewalk_damage"],
                                  geom=Point(lon, lat, srid=4326), description=text)
                    for lon, lat, text in [(127.0489, 37.5045, "선릉역 앞 보도 파손"), (127.0355, 37.4995, "역삼역 앞 보도 파손")])
    login(phone_page, gangnam_officer)
    phone_page.goto("/review/")
    wait_for_map(phone_page)
    lon, lat, zoom = phone_page.evaluate("(() => { const c = window.gpMap.getCenter(); return [c.lng, c.lat, window.gpMap.getZoom()]; })()")
    assert 127.0 < lon < 127.12 and 37.45 < lat < 37.54 and zoom > 10.5  # Gangnam-gu, not all of Seoul
    phone_page.wait_for_selector(".queue-item")
    ids = lambda: phone_page.locator(".queue-item").evaluate_all("items => items.map(i => Number(i.dataset.reportId))")
    assert ids() == [newer.pk, older.pk]
    phone_page.select_option("#q-sort", "oldest")
    assert ids() == [older.pk, newer.pk]
    open_sheet(phone_page)  # the queue is in the bottom sheet under the map
    phone_page.locator(".queue-item").first.tap()
    phone_page.wait_for_function(f"document.body.dataset.selectedReport === '{older.pk}'")
    # the details scroll to the top of the open sheet
    phone_page.wait_for_function("(() => { const r = document.getElementById('detail').getBoundingClientRect(); "
                                 "const s = document.querySelector('.map-full > .map-panel').getBoundingClientRect(); "
                                 "return r.top >= s.top && r.top < s.top + 80; })()")
    button = phone_page.get_by_role("button", name="상태 변경").bounding_box()
    assert button["width"] >= 300 and button["height"] >= 44  # a full-width button a thumb reaches
