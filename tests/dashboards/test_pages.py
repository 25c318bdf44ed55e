"""The dashboard pages, server-rendered and in a real browser (Chromium; console errors fail the test)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards.services import computed_indicators_ensure, computed_indicators_refresh, indicator_import

VALUES = "자치구,기간,값\n강남구,2025-08,90\n강남구,2025-09,120\n마포구,2025-09,80\n종로구,2025-09,10\n서초구,2025-09,100\n"


@pytest.fixture
def filled(indicator, staff):
    indicator_import(indicator=indicator, user=staff, upload=SimpleUploadedFile("v.csv", VALUES.encode()))
    computed_indicators_ensure()
    computed_indicators_refresh(keys=["population"])
    return indicator


def test_dashboard_groups_indicators_by_theme_with_figures(client, filled):
    html = client.get("/dashboards/").content.decode()
    assert "교통" in html and "복지" in html  # transport (parking complaints) and welfare (population)
    assert "불법주차 민원" in html and "주민등록인구" in html
    assert "9,318,500" in html  # Seoul's registered population, the sum of the gu
    assert 'id="page-config"' in html or "gp-config" in html


def test_indicator_page_shows_definition_table_and_csv_link(client, filled):
    html = client.get(f"/dashboards/{filled.slug}/").content.decode()
    assert "교통정책과" in html and f"/api/indicators/{filled.pk}/data.csv" in html
    assert "2025-08" in html and "2025-09" in html
    assert client.get("/dashboards/no-such-indicator/").status_code == 404


def test_indicator_page_in_english(client, filled):
    client.cookies["django_language"] = "en"
    html = client.get(f"/dashboards/{filled.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Parking complaints" in html and "Download CSV" in html


@pytest.mark.browser
def test_dashboard_renders_charts_and_choropleth_and_takes_feedback_in_the_browser(page, login, citizen, filled):
    page.goto("/dashboards/")
    page.wait_for_function("window.gpDashboardReady === true", timeout=20_000)
    assert page.locator("[data-testid=indicator-card]").count() >= 2
    # Chart.js drew into the ranking canvases
    assert page.evaluate(f"!!document.getElementById('chart-{filled.pk}').getContext('2d')")
    page.click(f"[data-show-map='{filled.pk}']")
    page.wait_for_function(f"window.gpMap && window.gpMap.getSource('gp-indicator-{filled.pk}') !== undefined")
    page.wait_for_function(
        f"window.gpMap.querySourceFeatures('gp-indicator-{filled.pk}', {{sourceLayer: 'indicator-{filled.pk}'}})"
        f".some(f => f.properties.district_code === '11680' && f.properties.value === 120)", timeout=20_000)
    assert "≤" in page.locator("#dash-legend").inner_text()
    # a signed-in citizen leaves feedback on the indicator's own page
    login(page, citizen)
    page.goto(f"/dashboards/{filled.slug}/")
    page.wait_for_function("window.gpDashboardReady === true", timeout=20_000)
    page.fill("#fb-body", "마포구 수치가 이상해 보입니다")
    page.select_option("#fb-rating", "2")
    page.select_option("#fb-district", "11440")
    page.click("#feedback-form button[type=submit]")
    page.wait_for_selector("#feedback-list li:has-text('마포구 수치가 이상해 보입니다')")
    assert page.locator("#feedback-count").inner_text() == "1"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/dashboards/", "indicator"])
def test_on_a_phone_the_dashboards_are_map_first_with_the_indicators_in_a_bottom_sheet(phone_page, filled, path):
    page = phone_page
    page.goto(f"/dashboards/{filled.slug}/" if path == "indicator" else path)
    page.wait_for_function("window.gpDashboardReady === true && document.body.dataset.mapReady === 'true'",
                           timeout=20_000)
    map_box = page.locator("#dash-map").bounding_box()
    sheet = page.locator(".map-panel").bounding_box()
    assert map_box["width"] >= 374 and map_box["y"] + map_box["height"] >= 666  # the whole screen under the header
    assert (sheet["y"] - map_box["y"]) * map_box["width"] / (375 * 667) >= 0.6  # the sheet peeks: the map shows
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.get_by_test_id("sheet-handle").click()  # open the sheet: the indicators are there
    if path == "indicator":
        assert page.locator("#fb-body, a[href*='login']").first.count() == 1
    else:
        button = page.locator(f"[data-show-map='{filled.pk}']")
        button.scroll_into_view_if_needed()
        button.click()
        page.wait_for_function(f"window.gpMap.getSource('gp-indicator-{filled.pk}') !== undefined")
        page.wait_for_function("document.querySelector('.map-panel').dataset.sheet === 'peek'")  # the map shows again
