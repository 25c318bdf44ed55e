"""The vector base map in a real browser: the Protomaps-schema archive served by this server is drawn with
labels in the reader's language, and nothing is fetched from anywhere but this server."""
import re
from urllib.parse import urlsplit

import pytest

from .conftest import wait_for_map

pytestmark = pytest.mark.browser
YEOKSAM = (127.0366, 37.5006)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def label_texts(page):
    """The text of every base-map label placed on screen, as MapLibre evaluated it."""
    return page.evaluate("""() => window.gpMap.queryRenderedFeatures()
        .filter(f => f.source === 'basemap' && f.layer.type === 'symbol')
        .map(f => { const t = f.layer.layout['text-field']; return typeof t === 'string' ? t :
                    (t && t.sections ? t.sections.map(s => s.text).join('') : String(t)); })""")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_vector_basemap_draws_seouls_dongs_and_stations_named_in_the_readers_language(page, basemap, language,
                                                                                          live_seoul):
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/report/")
    wait_for_map(page)
    page.evaluate(f"window.gpMap.jumpTo({{center: [{YEOKSAM[0]}, {YEOKSAM[1]}], zoom: 15}})")
    page.wait_for_function("window.gpMap.loaded() && window.gpMap.areTilesLoaded()")
    page.wait_for_function("window.gpMap.getSource('basemap') && window.gpMap.isSourceLoaded('basemap')")
    page.wait_for_function("window.gpMap.queryRenderedFeatures().some(f => f.source === 'basemap' && f.sourceLayer === 'places')")
    texts = label_texts(page)
    if language == "ko":
        assert "역삼1동" in texts and "역삼역" in texts, texts
        assert not any("Yeoksam" in text for text in texts), texts
    else:
        assert "Yeoksam 1(il)-dong" in texts and "Yeoksam Station" in texts, texts
        assert "역삼1동" not in texts and "역삼역" not in texts, texts
    assert not any("\n" in text for text in texts), texts  # one name a label, never "English\n한국어"
    earth = page.evaluate("window.gpMap.queryRenderedFeatures().filter(f => f.source === 'basemap' && f.sourceLayer === 'earth').length")
    assert earth > 0
    assert hosts == {urlsplit(live_seoul.url).netloc}, hosts  # tiles, style and fonts all from this server


# --- without a base map (offline): the city's own data orients people at street zoom -----------------------
YEOKSAM_STATION = (127.036456, 37.500622)  # the open data's point for 역삼역 (line 2)
YEOKSAM_PARK_TOILET = (127.029659, 37.5009)  # the public toilet of 역삼공원, Teheran-ro 7-gil


@pytest.fixture
def landmarks(live_seoul, settings):
    from layers.opendata import opendata_load

    settings.BASEMAP_PMTILES = settings.BASEMAP_TILE_URL = ""
    for slug in ("seoul_subway_stations", "seoul_public_libraries", "seoul_public_toilets"):
        opendata_load(slug)


def placed_labels(page, prefix="base-"):
    """{layer id: [label text]} of the labels MapLibre placed on screen (collided ones are not placed)."""
    return page.evaluate("""(prefix) => {
        const out = {};
        for (const f of window.gpMap.queryRenderedFeatures()) {
            if (!f.layer.id.startsWith(prefix) || f.layer.type !== 'symbol') continue;
            const t = f.layer.layout['text-field'];
            const text = typeof t === 'string' ? t : (t && t.sections ? t.sections.map(s => s.text).join('') : String(t));
            (out[f.layer.id] = out[f.layer.id] || []).push(text);
        }
        return out;
    }""", prefix)


def show(page, lonlat, zoom):
    """Move the map and wait until it has drawn everything there (tiles loaded, symbols placed)."""
    page.evaluate("""([lon, lat, zoom]) => new Promise((resolve) => {
        window.gpMap.once('idle', resolve);
        window.gpMap.jumpTo({center: [lon, lat], zoom});
    })""", [*lonlat, zoom])


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_offline_street_zoom_names_the_dongs_stations_libraries_and_toilets(request, viewport, landmarks):
    page = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    page.goto("/report/")
    wait_for_map(page)
    show(page, YEOKSAM_STATION, 14.2)
    page.wait_for_function("window.gpMap.queryRenderedFeatures().some(f => f.layer.id === 'base-dongs-label')")
    labels = placed_labels(page)
    assert "역삼1동" in labels["base-dongs-label"], labels
    assert "역삼역" in labels["base-landmarks-station-label"], labels
    show(page, YEOKSAM_PARK_TOILET, 17)
    labels = placed_labels(page)
    assert labels.get("base-landmarks-toilets-label"), labels
    # the same place at city zoom: no landmark yet (they would crowd the districts)
    show(page, YEOKSAM_STATION, 11)
    assert not any(layer.startswith("base-landmarks") for layer in placed_labels(page)), placed_labels(page)


def test_offline_landmarks_in_english_have_no_hangul(page, landmarks, live_seoul):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    page.goto("/report/")
    wait_for_map(page)
    show(page, YEOKSAM_STATION, 14.2)
    page.wait_for_function("window.gpMap.queryRenderedFeatures().some(f => f.layer.id === 'base-landmarks-station-label')")
    labels = placed_labels(page)
    assert "Yeoksam Station" in labels["base-landmarks-station-label"], labels
    assert "Yeoksam 1(il)-dong" in labels["base-dongs-label"], labels
    show(page, YEOKSAM_PARK_TOILET, 17)
    labels = placed_labels(page)
    texts = [text for layer in labels.values() for text in layer]
    assert "Public toilet" in labels.get("base-landmarks-toilets-label", []), labels
    assert not any(HANGUL.search(text) for text in texts), texts


def test_landmarks_lie_under_the_maps_own_points_and_their_labels_never_overlap(page, landmarks, make_user):
    import json

    from django.contrib.gis.geos import GEOSGeometry

    from maps.services import feature_create, map_create

    owner = make_user("minji")
    m = map_create(owner=owner, title="역삼역 주변 지도")
    feature_create(map_obj=m, actor=owner, name="역삼역 3번 출구 계단",
                   geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": list(YEOKSAM_STATION)})))
    page.goto(f"/maps/{m.pk}/")
    wait_for_map(page)
    show(page, YEOKSAM_STATION, 16)
    page.wait_for_function("window.gpMap.queryRenderedFeatures().some(f => f.layer.id === 'base-landmarks-station-dot')")
    top = page.evaluate("""(lonlat) => {
        const p = window.gpMap.project(lonlat);
        return window.gpMap.queryRenderedFeatures([[p.x - 2, p.y - 2], [p.x + 2, p.y + 2]]).map(f => f.source);
    }""", list(YEOKSAM_STATION))
    # the map's own point is drawn over the station's dot (queryRenderedFeatures lists the topmost first)
    assert top[0] == f"gp-map-{m.pk}" and "base-landmarks-station" in top, top
    # every base label takes part in collision: none is drawn over another label
    placement = page.evaluate("""() => window.gpMap.getStyle().layers
        .filter(l => l.id.startsWith('base-') && l.type === 'symbol')
        .map(l => [l.id, (l.layout || {})['text-allow-overlap'] || false, (l.layout || {})['text-ignore-placement'] || false])""")
    assert placement and all(not overlap and not ignore for _id, overlap, ignore in placement), placement
    order = page.evaluate("window.gpMap.getStyle().layers.map(l => l.id)")
    own = [i for i, layer in enumerate(order) if layer.startswith(f"gp-map-{m.pk}")]
    base = [i for i, layer in enumerate(order) if layer.startswith("base-")]
    assert own and max(base) < min(own)  # the whole base, labels included, is under the map's own layers
