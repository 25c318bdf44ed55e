"""The demo loader over real data, and the `map-<id>` layer family as other apps see it."""
import io
import json

from django.contrib.auth.models import AnonymousUser

from geoplatform.demo import demo_users_load
from layers.registry import Viewer, registry
from maps.demo import load_demo
from maps.models import Feature, Map
from maps.services import map_update


def test_demo_maps_are_built_from_real_data_and_loading_twice_changes_nothing(db, seoul):
    demo_users_load(io.StringIO())
    load_demo(io.StringIO())
    counts = {m.title: m.features.count() for m in Map.objects.all()}
    assert set(counts) == {"마포구 장애인 화장실 지도", "종로 동네 도서관 지도", "테헤란로 밤길 안전 지도"}
    assert counts["마포구 장애인 화장실 지도"] > 50 and counts["종로 동네 도서관 지도"] > 5
    safety = Map.objects.get(title="테헤란로 밤길 안전 지도")
    kinds = sorted({f.geom.geom_type for f in safety.features.all()})
    assert kinds == ["LineString", "Point", "Polygon"]
    mapo = seoul["11440"].geom.buffer(0.001)
    assert not Feature.objects.filter(map__title="마포구 장애인 화장실 지도").exclude(geom__intersects=mapo).exists()
    total = Feature.objects.count()
    load_demo(io.StringIO())
    assert Feature.objects.count() == total and Map.objects.count() == 3


def test_map_layer_carries_the_template_colours_and_follows_visibility(make_map, citizen, safety_template):
    m = make_map(citizen, template=safety_template, contribution_mode="open")
    layer = registry.get(f"map-{m.pk}")
    assert layer.public is True and layer.meta["map_id"] == m.pk
    assert layer.style["category_colors"]["dark_alley"] == "#3d405b"
    assert [item["key"] for item in layer.legend][:2] == ["dark_alley", "dangerous_crossing"]
    assert set(layer.fields) == {"id", "name", "category", "status", "map_id"}
    anonymous = Viewer(user=AnonymousUser())
    assert f"map-{m.pk}" in [lay.name for lay in registry.listed(anonymous)]

    map_update(map_obj=m, actor=citizen, visibility="private")
    layer = registry.get(f"map-{m.pk}")
    assert layer.public is False and layer.can_view(anonymous) is False
    assert layer.can_view(Viewer(user=citizen)) is True
    assert f"map-{m.pk}" not in [lay.name for lay in registry.listed(anonymous)]
    assert registry.get("map-999999999") is None and registry.get("map-abc") is None


def test_moderated_map_layer_is_never_shared_between_viewers(make_map, citizen):
    m = make_map(citizen, contribution_mode="moderated")
    assert registry.get(f"map-{m.pk}").public is False


def test_map_list_filters_by_theme_and_owner(client_for, make_map, citizen, citizen2, safety_template):
    safety = make_map(citizen, template=safety_template)
    food = make_map(citizen2, title="망원시장 먹거리", theme="food")
    anonymous = client_for(None)
    assert [r["id"] for r in anonymous.get("/api/maps/?theme=food").json()["results"]] == [food.pk]
    assert [r["id"] for r in anonymous.get("/api/maps/?owner=minji").json()["results"]] == [safety.pk]
    assert anonymous.get("/api/maps/?theme=spaceships").status_code == 400


def test_the_maplibre_style_of_a_map_colours_features_by_template_category(client_for, make_map, citizen,
                                                                          safety_template):
    m = make_map(citizen, template=safety_template)
    style = client_for(None).get(f"/styles/map-{m.pk}.json").json()
    colours = json.dumps([layer.get("paint") for layer in style["layers"]])
    assert '"dark_alley", "#3d405b"' in colours and '"emergency_bell", "#c1121f"' in colours
