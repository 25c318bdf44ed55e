import pytest

from .conftest import wait_for_map

pytestmark = pytest.mark.browser


def test_home_page_draws_seoul_from_the_platforms_own_district_tiles(page):
    page.goto("/")
    assert page.title().endswith("geoplatform")
    wait_for_map(page)
    drawn = page.evaluate("""() => [...new Set(window.gpMap.queryRenderedFeatures({layers: ['base-districts-fill']})
                                 .map((f) => f.properties.code))]""")
    assert len(drawn) == 25 and "11680" in drawn and "11110" in drawn  # all 25 gu, Gangnam and Jongno among them
    assert page.get_by_role("navigation").first.is_visible()
