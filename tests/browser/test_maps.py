"""A citizen makes a safety map in the browser: sign up, create from the template, draw with the mouse,
add a photo, and see it rendered from vector tiles after a reload."""
import pytest
from django.contrib.auth import get_user_model

from maps.models import Feature, Map

from .conftest import expect_http_errors, rendered, sign_up, wait_for_map

pytestmark = pytest.mark.browser


def click_map(page, x, y):
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_citizen_signs_up_makes_a_safety_map_draws_and_sees_it_from_tiles(page, jpeg_file, map_templates):
    page.goto("/maps/new/")
    assert "/accounts/login/" in page.url
    page.get_by_role("link", name="가입하기").last.click()
    sign_up(page, "haneul", "gangnam-night-walk-5")
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
    # The thumbnail is a lazy image: it must finish loading (a real picture), however long the server takes.
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle(), timeout=10000)


def test_stale_edit_shows_what_changed_and_overwrite_then_undo_and_redo_go_through_the_api(
        page, citizen, client_for, login, map_templates):
    owner_api = client_for(citizen)
    map_id = owner_api.post("/api/maps/", {"title": "망원동 안전 지도", "template": "safety"}, format="json").json()["id"]
    created = owner_api.post(f"/api/maps/{map_id}/features/", {"type": "Feature", "properties": {
        "name": "망원시장 뒤 골목", "category": "dark_alley"},
        "geometry": {"type": "Point", "coordinates": [126.9063, 37.5560]}}, format="json").json()
    fid = created["id"]
    login(page, citizen)
    page.goto(f"/maps/{map_id}/edit/#17/37.5560/126.9063")
    page.wait_for_function("document.body.dataset.editorReady === 'true'", timeout=20000)
    wait_for_map(page, "editorReady")
    page.get_by_role("button", name="✥ 선택·편집").click()
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#feature-form:not([hidden])")
    assert page.get_by_label("이름").input_value() == "망원시장 뒤 골목"

    # While we type, someone else saves the same field first (the API from another device): our save,
    # based on version 1, changes the name they changed: 409, and both values are shown.
    page.get_by_label("이름").fill("망원시장 북쪽 골목")
    response = owner_api.patch(f"/api/maps/{map_id}/features/{fid}/", {"name": "망원시장 뒷골목 (가로등 고장)"},
                               format="json", HTTP_IF_MATCH=f'"f{fid}-v1"')
    assert response.status_code == 200
    page.wait_for_function("window.gpLive.revision >= 2", timeout=2000)
    page.get_by_role("button", name="저장", exact=True).click()
    conflict = page.locator("dialog[data-testid=conflict-dialog]")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "망원시장 뒷골목 (가로등 고장)" in text and "망원시장 북쪽 골목" in text
    expect_http_errors(page, 409)
    conflict.get_by_role("button", name="내 내용으로 덮어쓰기").click()
    page.wait_for_selector("#feature-form[data-saved]")
    feature = Feature.objects.get(pk=fid)
    assert (feature.name, feature.version) == ("망원시장 북쪽 골목", 3)

    # Undo goes back to their version, redo to ours, both on the server.
    page.get_by_role("button", name="되돌리기").click()
    page.wait_for_function("document.getElementById('f-name').value === '망원시장 뒷골목 (가로등 고장)'")
    assert Feature.objects.get(pk=fid).name == "망원시장 뒷골목 (가로등 고장)"
    page.get_by_role("button", name="다시 하기").click()
    page.wait_for_function("document.getElementById('f-name').value === '망원시장 북쪽 골목'")
    assert Feature.objects.get(pk=fid).name == "망원시장 북쪽 골목"

    # Delete, then undo brings the feature back (as a new row with the same content).
    page.get_by_role("button", name="항목 삭제").click()
    page.wait_for_selector("#feature-form", state="hidden")
    assert not Feature.objects.filter(map_id=map_id).exists()
    page.get_by_role("button", name="되돌리기").click()
    page.wait_for_function(f"() => window.gpDraw.getSnapshot().length === 1")
    page.wait_for_function("!document.getElementById('undo').disabled")
    restored = Feature.objects.get(map_id=map_id)
    assert restored.name == "망원시장 북쪽 골목" and restored.category == "dark_alley"


def test_owner_invites_a_collaborator_and_rotates_the_view_link(page, citizen, citizen2, client_for, login, map_templates):
    api = client_for(citizen)
    map_id = api.post("/api/maps/", {"title": "성수동 동네 지도", "template": "safety", "visibility": "unlisted"},
                      format="json").json()["id"]
    old_key = Map.objects.get(pk=map_id).view_key
    login(page, citizen)
    page.goto(f"/maps/{map_id}/edit/")
    page.wait_for_function("document.body.dataset.editorReady === 'true'", timeout=20000)
    assert page.get_by_label("공개 범위").input_value() == "unlisted"
    page.get_by_label("초대할 아이디").fill(citizen2.username)
    page.get_by_role("button", name="초대", exact=True).click()
    page.wait_for_selector(f"#collaborators li:has-text('{citizen2.username}')")
    assert Map.objects.get(pk=map_id).collaborators.filter(user=citizen2, role="editor").exists()

    view_link = page.get_by_label("보기 링크")
    page.wait_for_function("document.getElementById('link-view').value.includes('key=')")
    assert old_key in view_link.input_value()
    page.locator("[data-rotate=view]").click()
    page.wait_for_function("(old) => !document.getElementById('link-view').value.includes(old)", arg=old_key)
    new_key = Map.objects.get(pk=map_id).view_key
    assert new_key != old_key and new_key in view_link.input_value()
