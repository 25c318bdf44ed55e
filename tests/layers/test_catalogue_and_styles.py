"""TileJSON 3.0, MapLibre styles and the layer catalogue."""
import json

import pytest

pytestmark = pytest.mark.django_db


def all_strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)
    elif isinstance(node, str):
        yield node


def test_tilejson_3_describes_the_layer_and_its_tile_url(client, datasets):
    doc = client.get("/tiles/dataset-seoul_public_toilets.json").json()
    assert doc["tilejson"] == "3.0.0"
    from layers.registry import registry
    from layers.selectors import layer_tile_version

    version = layer_tile_version(registry.get("dataset-seoul_public_toilets"))
    assert doc["tiles"] == [f"http://testserver/tiles/dataset-seoul_public_toilets/{{z}}/{{x}}/{{y}}.mvt?v={version}"]
    assert doc["vector_layers"][0]["id"] == "dataset-seoul_public_toilets"
    assert {"name", "address", "district", "count"} <= set(doc["vector_layers"][0]["fields"])
    west, south, east, north = doc["bounds"]
    assert west < 126.98 < east and south < 37.57 < north
    assert "공공누리" in doc["attribution"]


def test_style_without_a_basemap_uses_only_this_server(client, seoul, settings):
    settings.BASEMAP_TILE_URL = ""
    style = client.get("/styles/dongs.json").json()
    assert style["version"] == 8
    assert set(style["sources"]) == {"base-districts", "dongs"}
    urls = [s for s in all_strings(style) if "://" in s]
    assert urls and all(u.startswith("http://testserver/") for u in urls)
    assert "glyphs" not in style and "sprite" not in style  # nothing to fetch from elsewhere
    types = {layer["id"]: layer["type"] for layer in style["layers"]}
    assert types["dongs-fill"] == "fill" and types["dongs-outline"] == "line"
    assert types["base-districts-fill"] == "fill"


def test_style_with_a_basemap_puts_it_under_the_layers(client, seoul, settings):
    settings.BASEMAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.BASEMAP_ATTRIBUTION = "© Example"
    style = client.get("/styles/districts.json").json()
    assert style["sources"]["basemap"]["tiles"] == ["https://tiles.example.org/{z}/{x}/{y}.png"]
    ids = [layer["id"] for layer in style["layers"]]
    assert ids.index("basemap") < ids.index("districts-fill")


def test_combined_style_draws_several_layers_and_refuses_unknown_ones(client, datasets):
    style = client.get("/styles/combined.json", {"layers": "dongs,dataset-seoul_public_toilets"}).json()
    assert {"dongs", "dataset-seoul_public_toilets"} <= set(style["sources"])
    point_layers = [layer for layer in style["layers"] if layer.get("source") == "dataset-seoul_public_toilets"]
    assert {layer["type"] for layer in point_layers} == {"circle"}
    assert any(layer.get("filter") == ["has", "count"] for layer in point_layers)  # clusters at low zoom
    assert client.get("/styles/combined.json", {"layers": "dongs,nope"}).status_code == 404
    assert client.get("/styles/combined.json").status_code == 400


def test_legend_classes_become_a_colour_expression(register_layer, spots, client):
    from layers.models import DatasetFeature
    from layers.registry import Layer

    register_layer(Layer(
        name="testclasses", title_ko="등급", title_en="Classes", geometry_type="point", fields=("name",),
        style={"property": "name", "color": "#999999"},
        legend=[{"value": "Seoul City Hall", "color": "#ff0000", "label_en": "hall", "label_ko": "시청"},
                {"value": "Gangnam Station", "color": "#0000ff", "label_en": "station", "label_ko": "역"}],
        queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=spots)))
    style = client.get("/styles/testclasses.json").json()
    points = next(layer for layer in style["layers"] if layer["id"] == "testclasses-points")
    assert points["paint"]["circle-color"] == ["match", ["to-string", ["get", "name"]],
                                               "Seoul City Hall", "#ff0000", "Gangnam Station", "#0000ff", "#999999"]
    assert style["metadata"]["geoplatform:legend"]["testclasses"][0]["label_ko"] == "시청"


def test_catalogue_lists_what_the_viewer_may_see_with_its_urls(client, client_for, datasets, private_layer, citizen):
    body = client.get("/api/layers/").json()
    names = {layer["name"] for layer in body["results"]}
    assert {"districts", "dongs", "dataset-seoul_public_toilets"} <= names
    assert "testprivate" not in names
    districts = next(layer for layer in body["results"] if layer["name"] == "districts")
    assert districts["tilejson"] == "http://testserver/tiles/districts.json"
    assert districts["style"] == "http://testserver/styles/districts.json"
    assert districts["ogc_items"] == "http://testserver/ogc/collections/districts/items"
    assert client.get(districts["tilejson"]).status_code == 200
    mine = {layer["name"] for layer in client_for(citizen).get("/api/layers/").json()["results"]}
    assert "testprivate" in mine


def test_tilejson_url_carries_the_secret_link_key(rf):
    from layers.links import tilejson_url

    request = rf.get("/api/maps/3/", {"key": "s3cret"})
    assert tilejson_url(request, "map-3") == "http://testserver/tiles/map-3.json?key=s3cret"
    assert json.dumps(tilejson_url(rf.get("/"), "districts")) == '"http://testserver/tiles/districts.json"'
