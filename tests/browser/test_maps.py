"""A citizen makes a safety map in the browser: sign up, create from the template, draw with the mouse,
add a photo, and see it rendered from vector tiles after a reload."""
import pytest
from django.contrib.auth import get_user_model

from maps.models import Feature, Map

from .conftest import rendered, wait_for_map

pytestmark = pytest.mark.browser


def click_map(page, x, y):
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_citizen_signs_up_makes_a_safety_map_draws_and_sees_it_from_tiles(page, jpeg_file, map_templates):
    page.goto("/maps/new/")
    assert "/accounts/login/" in page.url
    page.get_by_role("link", name="가입하기").last.click()
    page.get_by_label("아이디").fill("haneul")
    page.get_by_label("이메일").fill("haneul@example.org")
    page.get_by_label("비밀번호", exact=True).fill("gangnam-night-walk-5")
    page.get_by_label("비밀번호 확인").fill("gangnam-night-walk-5")
    page.click("button[type=submit]")
    page.wait_for_url("**/maps/new/")

    safety = page.locator("input[name=template][value=safety]")
    safety.check()
    page.get_by_label("지도 제목").fill("강남역 밤길 안전 지도")
    page.get_by_label("설명 (마크다운)").fill("강남역 주변 **어두운 골목**")
    page.click("button[type=submit]")
    page.wait_for_url("**/maps/*/edit/")
    map_obj = Map.objects.get(title="강남역 밤길 안전 지도")
    assert map_obj.owner == get_user_model().objects.get(username="haneul")
    assert map_obj.template.slug == "safety" and map_obj.categories
    page.wait_for_function("document.body.dataset.editorReady === 'true'", timeout=20000)

    # A point: the point tool, one click on the map; then its name and a photo.
    page.get_by_role("button", name="● 점").click()
    click_map(page, 300, 420)
    page.wait_for_selector("#feature-form:not([hidden])")
    page.get_by_label("이름").fill("11번 출구 뒤 어두운 골목")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_selector("#feature-form[data-saved]")
    page.set_input_files("#f-photo", str(jpeg_file))
    page.wait_for_selector("#f-photos img", state="attached")

    # An area: four corners, then the first corner again closes it.
    page.get_by_role("button", name="⬠ 면").click()
    corners = [(500, 300), (650, 300), (650, 450), (500, 450)]
    for x, y in corners:
        click_map(page, x, y)
        page.wait_for_timeout(150)
    click_map(page, *corners[0])
    page.wait_for_function("document.querySelectorAll('#f-photos img').length === 0 && !document.getElementById('feature-form').hidden")

    features = Feature.objects.filter(map=map_obj).order_by("pk")
    assert [f.geom.geom_type for f in features] == ["Point", "Polygon"]
    point, area = features
    assert point.name == "11번 출구 뒤 어두운 골목"
    assert point.photos.count() == 1
    assert area.geom.num_coords == 5

    # Reload the map's page: both come back from the map's vector tiles, and the pop-up shows the photo.
    page.goto(f"/maps/{map_obj.pk}/")
    wait_for_map(page)
    page.wait_for_function(
        "(s) => window.gpMap.queryRenderedFeatures().filter(f => f.source === s).length >= 2", arg=f"gp-map-{map_obj.pk}")
    drawn = rendered(page, f"gp-map-{map_obj.pk}")
    assert sorted(f["geometryType"] for f in drawn) == ["Point", "Polygon"]
    assert {f["name"] for f in drawn} >= {"11번 출구 뒤 어두운 골목"}
    assert page.get_by_role("heading", name="강남역 밤길 안전 지도").is_visible()
    assert page.locator("#map-description strong").inner_text() == "어두운 골목"

    page.evaluate("([lon, lat]) => window.gpMap.jumpTo({center: [lon, lat], zoom: 16})", [point.geom.x, point.geom.y])
    wait_for_map(page)
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    click_map(page, box["width"] / 2, box["height"] / 2)
    popup = page.locator(".maplibregl-popup .popup")
    popup.wait_for()
    assert "11번 출구 뒤 어두운 골목" in popup.inner_text()
    photo = popup.locator(".photos img")
    photo.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
