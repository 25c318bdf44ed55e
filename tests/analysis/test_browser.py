"""An analysis page in Chromium: the map draws the published outputs (vector cells and raster tiles)."""
import pytest

from analysis.services import analysis_create, analysis_publish, analysis_run

pytestmark = pytest.mark.browser


def test_published_hotspot_page_draws_raster_tiles_and_switches_to_hex_cells(page, live_seoul, make_user):
    from layers.opendata import opendata_load

    opendata_load("seoul_public_libraries")
    analyst = make_user("analyst", role="analyst")
    analysis = analysis_create(user=analyst, name="도서관 핫스팟", method="hotspot",
                               parameters={"source": "dataset-seoul_public_libraries", "bandwidth_m": 1500,
                                           "cell_size_m": 250, "hex_size_m": 2000})
    analysis = analysis_run(analysis=analysis, user=analyst)
    analysis_publish(analysis=analysis, user=analyst)
    density = analysis.outputs.get(key="density")
    with page.expect_response(lambda r: f"/tiles/{density.layer_name}/" in r.url and r.status == 200) as tile:
        page.goto(f"/analysis/{analysis.pk}/")
    assert tile.value.headers["content-type"] == "image/png"
    page.locator("details.about > summary").click()
    assert page.get_by_test_id("method").inner_text() == "핫스팟"  # one language: the Korean page says it in Korean only
    assert "서울시 공공도서관" in page.get_by_test_id("sources").inner_text()
    gistar = analysis.outputs.get(key="gistar")
    with page.expect_response(lambda r: f"/tiles/{gistar.layer_name}/" in r.url and r.status in (200, 204)):
        page.locator(f"#output-switch input[value='{gistar.layer_name}']").check()
        page.evaluate("window.gpMap.triggerRepaint()")
    page.wait_for_function(
        f"window.gpMap.getStyle().layers.some(l => l.source === 'gp-{gistar.layer_name}' "
        f"&& (l.layout || {{}}).visibility !== 'none')")
    # the cells and the density lie under the base's names (districts, dongs), which stay readable over them
    order = page.evaluate("window.gpMap.getStyle().layers.map(l => [l.id, l.source || ''])")
    ids = [layer_id for layer_id, _source in order]
    outputs = [i for i, (_id, source) in enumerate(order) if source in (f"gp-{density.layer_name}", f"gp-{gistar.layer_name}")]
    assert outputs and max(outputs) < ids.index("base-districts-label"), order
    if "base-dongs-label" in ids:
        assert max(outputs) < ids.index("base-dongs-label"), order


@pytest.mark.parametrize("language", ["ko", "en"])
def test_on_a_phone_an_analysis_is_map_first_and_speaks_in_words(phone_page, live_seoul, make_user, contributed,
                                                                 language):
    """The results map fills the screen; the panel (a bottom sheet) says what it shows in the reader's words:
    no layer names, job states or parameter names, and why some areas are hidden."""
    import re

    from tests.browser.conftest import wait_for_map

    page = phone_page
    contributed.add(contributed.spread((127.0276, 37.4979), 7))  # around Gangnam Station: shown
    contributed.add(contributed.spread((126.9779, 37.5663), 2))  # two at City Hall: fewer than k, hidden
    analyst = make_user("analyst", role="analyst")
    analysis = analysis_create(user=analyst, name="시민 기록 집계", method="aggregation",
                               parameters={"source": contributed.name, "unit": "hex", "hex_size_m": 1000})
    analysis_publish(analysis=analysis_run(analysis=analysis, user=analyst), user=analyst)
    hidden = analysis.outputs.get().stats["suppressed"]
    assert hidden >= 1
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_seoul.url}])
    page.goto(f"/analysis/{analysis.pk}/")
    wait_for_map(page)
    map_box = page.locator("#analysis-map").bounding_box()
    sheet = page.locator(".map-panel").bounding_box()
    # the map takes the whole width and reaches the bottom of the screen; the sheet peeks over its lower part
    assert map_box["width"] >= 374 and map_box["y"] + map_box["height"] >= 666
    open_map = (sheet["y"] - max(map_box["y"], 0)) * map_box["width"] / (375 * 667)
    assert open_map >= 0.6, open_map
    page.get_by_test_id("sheet-handle").click()
    page.locator("details.about > summary").click()
    text = page.locator(".map-panel").inner_text()
    for raw in (contributed.name, "hex_size_m", "analysis-", "succeeded", "k_applied"):
        assert raw not in text, raw
    if language == "ko":
        assert "‘시민 기록’ 기록을 육각형 칸마다 센 결과입니다." in text
        assert "육각형 칸 크기" in text and "1,000 m" in text
        assert f"기록이 5건 미만인 구역은 보여 주지 않습니다. 그렇게 적으면 누군지 드러날 수 있기 때문입니다. 이렇게 숨긴 구역: {hidden}." in text
        assert "숨김: 기록 5건 미만" in text  # the legend's grey, in words
    else:
        assert "The records of “Citizens' records” counted per hexagon." in text
        assert "Hexagon size" in text and "1,000 m" in text
        assert f"areas with fewer than 5 records are not shown: so few could point at someone. Hidden this way: {hidden}." in text
        assert "hidden: fewer than 5 records" in text
        assert not re.search(r"[\uac00-\ud7a3]", text.replace(analysis.name, "")), text
