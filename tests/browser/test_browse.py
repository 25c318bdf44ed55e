"""Browsing: public maps by theme and search on the home page, the layer switcher, moderation."""
import pytest

from maps.models import Map

from .conftest import wait_for_map

pytestmark = pytest.mark.browser


def _map(api, title, theme_template, visibility="public"):
    return api.post("/api/maps/", {"title": title, "template": theme_template, "visibility": visibility},
                    format="json").json()["id"]


def test_home_lists_public_maps_by_theme_and_search_and_never_private_ones(page, citizen, client_for, map_templates):
    api = client_for(citizen)
    _map(api, "강남역 밤길 안전 지도", "safety")
    _map(api, "망원동 먹자골목 지도", "food")
    _map(api, "우리 집 앞 비밀 지도", "safety", visibility="private")
    page.goto("/")
    wait_for_map(page)
    cards = page.locator("#maps .map-card h3")
    cards.first.wait_for()
    assert sorted(cards.all_inner_texts()) == ["강남역 밤길 안전 지도", "망원동 먹자골목 지도"]
    page.get_by_role("button", name="맛집").click()
    page.wait_for_selector("#maps[data-query*='theme=food']")
    assert cards.all_inner_texts() == ["망원동 먹자골목 지도"]
    page.get_by_role("button", name="모든 주제").click()
    page.get_by_label("지도 검색").fill("밤길")
    page.get_by_role("button", name="검색", exact=True).click()
    page.wait_for_selector("#maps[data-query*='q=']")
    assert cards.all_inner_texts() == ["강남역 밤길 안전 지도"]


def test_layer_switcher_adds_the_hazard_reports_layer_from_tiles(page, citizen, client_for, map_templates, report_categories):
    api = client_for(citizen)
    map_id = _map(api, "시청 주변 지도", "safety")
    response = api.post("/api/reports/", {"type": "Feature", "geometry": {"type": "Point", "coordinates": [126.9779, 37.5663]},
                                          "properties": {"category": "road_damage", "description": "시청 앞 포트홀"}},
                        format="json")
    assert response.status_code == 201
    page.goto(f"/maps/{map_id}/#15/37.5663/126.9779")
    wait_for_map(page)
    page.get_by_text("레이어").click()
    page.wait_for_selector(".layer-switcher[data-loaded=true]")
    page.get_by_label("위험 신고", exact=True).check()
    page.wait_for_function("() => window.gpMap.getSource('gp-reports')")
    wait_for_map(page)
    page.wait_for_function("() => window.gpMap.queryRenderedFeatures().some(f => f.source === 'gp-reports')")
    assert page.get_by_label("위험 신고", exact=True).is_checked()


def test_city_staff_restore_a_map_hidden_by_flags(page, staff, citizen, make_user, client_for, login, map_templates):
    map_id = _map(client_for(citizen), "신고가 몰린 지도", "safety")
    for name in ("flagger1", "flagger2", "flagger3"):
        response = client_for(make_user(name)).post("/api/flags/", {"target_type": "map", "target_id": map_id,
                                                                   "reason": "spam"}, format="json")
        assert response.status_code == 201
    assert Map.objects.get(pk=map_id).is_hidden
    login(page, staff)
    page.get_by_role("link", name="관리").click()
    card = page.locator(f"[data-target='map-{map_id}']")
    card.wait_for()
    assert "3" in card.inner_text() and "스팸" in card.inner_text()
    card.get_by_role("button", name="복원").click()
    page.wait_for_selector(f"[data-target='map-{map_id}']", state="detached")
    assert not Map.objects.get(pk=map_id).is_hidden
