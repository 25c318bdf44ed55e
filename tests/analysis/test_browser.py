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
    assert page.get_by_test_id("method").inner_text() == "핫스팟"  # the page's language alone (Korean here)
    assert "dataset-seoul_public_libraries" in page.get_by_test_id("sources").inner_text()
    gistar = analysis.outputs.get(key="gistar")
    with page.expect_response(lambda r: f"/tiles/{gistar.layer_name}/" in r.url and r.status in (200, 204)):
        page.locator(f"#output-switch input[value='{gistar.layer_name}']").check()
        page.evaluate("window.gpMap.triggerRepaint()")
    page.wait_for_function(
        f"window.gpMap.getStyle().layers.some(l => l.source === 'gp-{gistar.layer_name}' "
        f"&& (l.layout || {{}}).visibility !== 'none')")
