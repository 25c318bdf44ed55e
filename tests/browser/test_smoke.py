import pytest

pytestmark = pytest.mark.browser


def test_home_page_renders_in_chromium(page):
    page.goto("/")
    assert "geoplatform" in page.title()
