"""Pages that fit a phone (375 px wide, no sideways scrolling) and buttons that say what they do."""
import pytest

from .conftest import wait_for_map

pytestmark = pytest.mark.browser


def sideways_overflow(page):
    """How many CSS pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_template_cards_and_the_meetings_search_form_fit_a_375_px_phone(phone_page, login, citizen, map_templates,
                                                                        live_seoul, language):
    if language == "en":
        phone_page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    login(phone_page, citizen)
    phone_page.goto("/maps/new/")
    phone_page.wait_for_selector("#templates .choice")
    assert sideways_overflow(phone_page) <= 0
    for card in phone_page.locator("#templates .choice").all():
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    phone_page.goto("/meetings/")
    form = phone_page.locator("form.meeting-search")
    form.wait_for()
    assert sideways_overflow(phone_page) <= 0
    for field in form.locator("input, select, button").all():
        box = field.bounding_box()
        if box:
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (field.get_attribute("id"), box)


def test_the_copy_link_buttons_are_named_for_what_they_copy(phone_page, login, citizen, client_for, map_templates):
    map_id = client_for(citizen).post("/api/maps/", {"title": "성수동 동네 지도", "template": "safety",
                                                     "visibility": "unlisted"}, format="json").json()["id"]
    login(phone_page, citizen)
    phone_page.goto(f"/maps/{map_id}/edit/")
    wait_for_map(phone_page, "editorReady")
    phone_page.wait_for_function("document.getElementById('link-view') && document.getElementById('link-view').value")
    # one per link (view, edit), each beside its link, named in words (the ⧉ sign is hidden from screen readers)
    field = phone_page.locator(".field", has=phone_page.locator("#link-view"))
    assert field.get_by_role("button", name="링크 복사", exact=True).count() == 1
    assert phone_page.get_by_role("button", name="링크 복사", exact=True).count() == 2


CITY_ZOOM = """() => {
    const m = window.gpMap;
    const source = m.getStyle().layers.find(l => l.source && l.source.includes('seoul_public_toilets')).source;
    const key = f => f.geometry.coordinates.join(',');
    const ofType = (type, test) => new Set(m.queryRenderedFeatures().filter(f => f.source === source && f.layer.type === type
        && test(f.layer.id) && Number(f.properties.count) > 1).map(key));
    const circles = ofType('circle', id => true);
    const counts = ofType('symbol', id => id.includes('count'));
    const rooms = ofType('symbol', id => id.endsWith('::room'));
    const order = m.getLayersOrder();
    const layout = m.getStyle().layers.find(l => l.id === 'base-districts-label').layout;
    return {zoom: m.getZoom(), circles: circles.size, counts: counts.size, rooms: rooms.size,
            counted: [...circles].every(c => counts.has(c) && rooms.has(c)),
            labels: [...new Set(m.queryRenderedFeatures({layers: ['base-districts-label']}).map(f => f.properties.name_ko))],
            labelCollides: !layout['text-allow-overlap'] && !layout['text-ignore-placement'],
            labelUnder: order.indexOf('base-districts-label') < Math.min(...order.map((id, i) => id.startsWith(source) ? i : 1e9))};
}"""


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_at_city_zoom_all_25_district_names_show_beside_every_cluster_and_its_count(request, viewport, live_seoul):
    from layers.opendata import opendata_load

    opendata_load("seoul_public_toilets")
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    page.goto("/layers/dataset-seoul_public_toilets/")
    wait_for_map(page)  # the first view: all of Seoul, clear of the bottom sheet on a phone
    # the names, the circles and their counts are placed over several frames: wait until all are (or fail there)
    page.wait_for_function(f"(d => d.labels.length === 25 && d.circles >= 10 && d.counted)(({CITY_ZOOM})())",
                           timeout=15000)
    drawn = page.evaluate(CITY_ZOOM)
    assert drawn["zoom"] < 11 and drawn["circles"] >= 10, drawn  # city zoom, clusters present
    # every cluster shows its count, and its circle holds its room in the collision index…
    assert drawn["counted"] and drawn["counts"] == drawn["circles"] == drawn["rooms"], drawn
    # …so each district name, taking part in collision, moves beside the clusters instead of giving way
    assert drawn["labelCollides"] and len(drawn["labels"]) == 25, drawn
    assert drawn["labelUnder"], drawn  # and is drawn under the map's own points: a name never hides a point


UNDER_CONTROLS = """() => {
    const m = window.gpMap;
    const canvas = m.getCanvas().getBoundingClientRect();
    const controls = [...m.getContainer().querySelectorAll('.maplibregl-ctrl')].map(c => c.getBoundingClientRect())
        .filter(b => b.width && b.height);
    const under = [];
    for (const b of controls) {
        const box = [[b.left - canvas.left, b.top - canvas.top], [b.right - canvas.left, b.bottom - canvas.top]];
        for (const f of m.queryRenderedFeatures(box, {layers: ['base-districts-label']})) under.push(f.properties.name_en);
    }
    // each control's room: a box in the collision index centred on the control, wherever the map has moved
    const rooms = m.queryRenderedFeatures({layers: ['gp-control-rooms']}).map(f => m.project(f.geometry.coordinates));
    const held = controls.filter(b => rooms.some(p => Math.abs(p.x + canvas.left - (b.left + b.right) / 2) < 1
        && Math.abs(p.y + canvas.top - (b.top + b.bottom) / 2) < 1)).length;
    const order = m.getLayersOrder();
    return {controls: controls.length, under, held, roomsOnTop: order[order.length - 1] === 'gp-control-rooms',
            placed: new Set(m.queryRenderedFeatures({layers: ['base-districts-label']}).map(f => f.properties.name_en)).size};
}"""


def test_on_a_phone_no_district_name_is_placed_under_the_maps_controls(phone_page, live_seoul):
    phone_page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    phone_page.goto("/")
    wait_for_map(phone_page)
    # the names are placed over several frames: wait until most are and each control holds its room, then
    # (labels fade in and out over 300 ms) none may be under a control
    phone_page.wait_for_function(f"(d => d.placed >= 20 && d.held === d.controls)(({UNDER_CONTROLS})())", timeout=15000)
    phone_page.wait_for_timeout(500)
    drawn = phone_page.evaluate(UNDER_CONTROLS)
    assert drawn["controls"] >= 3 and drawn["roomsOnTop"] and not drawn["under"], drawn  # zoom, scale, attribution
    # after the map moves, the controls' boxes follow: Nowon-gu's anchor brought right under the zoom buttons
    phone_page.evaluate("""() => {
        const m = window.gpMap, zoom = m.getContainer().querySelector('.maplibregl-ctrl-group').getBoundingClientRect();
        const canvas = m.getCanvas().getBoundingClientRect();
        const here = m.unproject([zoom.left + zoom.width / 2 - canvas.left, zoom.top + zoom.height / 2 - canvas.top]);
        const nowon = m.getSource('base-district-labels').serialize().data.features.find(f => f.properties.name_en === 'Nowon-gu');
        const [lng, lat] = nowon.geometry.coordinates, c = m.getCenter();
        m.jumpTo({center: [c.lng + lng - here.lng, c.lat + lat - here.lat]});
    }""")
    wait_for_map(phone_page)
    phone_page.wait_for_function(f"(d => d.held === d.controls)(({UNDER_CONTROLS})())")
    phone_page.wait_for_timeout(500)  # labels fade in and out over 300 ms after a move
    drawn = phone_page.evaluate(UNDER_CONTROLS)
    assert drawn["placed"] >= 15 and not drawn["under"], drawn
