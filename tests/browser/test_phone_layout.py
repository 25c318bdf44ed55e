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


def test_at_city_zoom_on_a_phone_cluster_counts_are_few_large_and_never_collide(phone_page, live_seoul):
    from layers.opendata import opendata_load

    opendata_load("seoul_public_toilets")
    phone_page.goto("/layers/dataset-seoul_public_toilets/")
    wait_for_map(phone_page)
    phone_page.evaluate("""() => new Promise((resolve) => {
        window.gpMap.once('idle', resolve); window.gpMap.jumpTo({center: [126.99, 37.55], zoom: 10.5}); })""")
    drawn = phone_page.evaluate("""() => {
        const fs = window.gpMap.queryRenderedFeatures().filter(f => f.source.includes('seoul_public_toilets'));
        const key = f => f.geometry.coordinates.join(',');
        const circles = new Set(fs.filter(f => f.layer.type === 'circle' && Number(f.properties.count) > 1).map(key));
        const counts = new Set(fs.filter(f => f.layer.type === 'symbol').map(key));
        const layers = window.gpMap.getStyle().layers.filter(l => l.type === 'symbol' &&
            (l.source.includes('seoul_public_toilets') || l.id === 'base-districts-label'));
        return {circles: circles.size, counts: counts.size,
                overlap: layers.map(l => [l.id, !!(l.layout || {})['text-allow-overlap'], !!(l.layout || {})['text-ignore-placement']])};
    }""")
    # every count label and district name takes part in collision: none is ever drawn over another
    assert drawn["overlap"] and all(not a and not b for _id, a, b in drawn["overlap"]), drawn["overlap"]
    # few, large clusters: on a phone's screen of Seoul (8 × 8 cells a tile) nearly every count finds room
    assert 5 <= drawn["circles"] <= 120, drawn
    assert drawn["counts"] >= 0.8 * drawn["circles"], drawn
