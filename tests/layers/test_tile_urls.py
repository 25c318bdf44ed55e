"""Versioned tile URLs: a public tile URL names one state of its layer, so an edge cache may keep it.

TileJSON gives `…/{z}/{x}/{y}.mvt?v=N` where N changes with every committed edit; such a tile is
`public, …, immutable`; a viewer-dependent layer's tiles are `private, no-store`; the next TileJSON
after an edit names new URLs and the next tile shows the edit.
"""
import gzip
from urllib.parse import parse_qs, urlsplit

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point

from layers.models import DatasetFeature
from layers.registry import Layer
from layers.services import layer_version_bump, tile_cache_invalidate
from layers.tilegrid import lonlat_to_tile_fraction

from .conftest import CITY_HALL

pytestmark = pytest.mark.django_db
TOILETS = "dataset-seoul_public_toilets"


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return z, int(fx), int(fy)


def tile_path(tilejson: dict, z, x, y) -> str:
    """The path and query of one tile from the TileJSON's template (as MapLibre fills it in)."""
    parts = urlsplit(tilejson["tiles"][0].replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def version_of(tilejson: dict) -> str:
    return parse_qs(urlsplit(tilejson["tiles"][0]).query)["v"][0]


def names(response) -> set:
    data = response.content
    if response.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    layer = mapbox_vector_tile.decode(data).get(TOILETS, {"features": []})
    return {f["properties"].get("name") for f in layer["features"]}


def test_public_tilejson_names_versioned_tiles_that_are_immutable(client, datasets, settings):
    settings.TILES_IMMUTABLE_MAX_AGE = 86400
    response = client.get(f"/tiles/{TOILETS}.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"  # TileJSON itself is asked again every time
    tilejson = response.json()
    assert version_of(tilejson).isdigit()
    tile = client.get(tile_path(tilejson, *tile_of(CITY_HALL, 16)))
    assert tile.status_code == 200
    assert tile["Cache-Control"] == "public, max-age=86400, immutable"
    assert tile["Access-Control-Allow-Origin"] == "*"
    # without a version, or with one that is not current, nobody may keep it
    bare = client.get(urlsplit(tile_path(tilejson, *tile_of(CITY_HALL, 16))).path)
    assert bare["Cache-Control"] == "public, max-age=0, must-revalidate"
    other = client.get(urlsplit(tile_path(tilejson, *tile_of(CITY_HALL, 16))).path + "?v=1")
    assert other["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_an_edit_changes_the_tile_urls_and_the_next_fetch_shows_it(client, datasets,
                                                                   django_capture_on_commit_callbacks):
    before = client.get(f"/tiles/{TOILETS}.json").json()
    z, x, y = tile_of(CITY_HALL, 16)
    assert "새 화장실" not in names(client.get(tile_path(before, z, x, y)))
    assert client.get(f"/tiles/{TOILETS}.json").json() == before  # no edit, same URLs

    with django_capture_on_commit_callbacks(execute=True):
        feature = DatasetFeature.objects.create(dataset=datasets["seoul_public_toilets"], name="새 화장실",
                                                geom=Point(*CITY_HALL, srid=4326), properties={})
        tile_cache_invalidate(layer_name=TOILETS, geometries=[feature.geom])

    after = client.get(f"/tiles/{TOILETS}.json").json()
    assert version_of(after) != version_of(before)
    fresh = client.get(tile_path(after, z, x, y))
    assert "새 화장실" in names(fresh) and fresh["Cache-Control"].endswith("immutable")
    # the old URL is no longer the layer's current state: served fresh, never kept
    old = client.get(tile_path(before, z, x, y))
    assert old["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_a_rolled_back_edit_keeps_the_version(client, datasets, django_capture_on_commit_callbacks):
    before = version_of(client.get(f"/tiles/{TOILETS}.json").json())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tile_cache_invalidate(layer_name=TOILETS, geometries=[Point(*CITY_HALL, srid=4326)])
    assert len(callbacks) == 1  # the bump waits for a commit that, here, never comes
    assert version_of(client.get(f"/tiles/{TOILETS}.json").json()) == before


def test_a_whole_layer_change_changes_the_version(client, datasets, django_capture_on_commit_callbacks):
    before = version_of(client.get(f"/tiles/{TOILETS}.json").json())
    with django_capture_on_commit_callbacks(execute=True):
        layer_version_bump(layer_name=TOILETS)
    assert version_of(client.get(f"/tiles/{TOILETS}.json").json()) != before


def test_private_tiles_are_never_kept_by_shared_caches(client_for, private_layer, citizen):
    owner = client_for(citizen)
    response = owner.get("/tiles/testprivate.json")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    tilejson = response.json()
    assert "v" not in parse_qs(urlsplit(tilejson["tiles"][0]).query)
    z, x, y = tile_of(CITY_HALL, 15)
    tile = owner.get(tile_path(tilejson, z, x, y))
    assert tile.status_code == 200 and tile["Cache-Control"] == "private, no-store"
    # a version in the URL does not make a private tile public
    assert owner.get(tile_path(tilejson, z, x, y) + "?v=1")["Cache-Control"] == "private, no-store"


def test_a_public_layer_turned_private_stops_serving_immutable_tiles(client, client_for, register_layer, spots,
                                                                     citizen):
    layer = register_layer(Layer(
        name="testflip", title_ko="전환", title_en="Flip", geometry_type="point", fields=("name",),
        queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=spots)))
    tilejson = client.get("/tiles/testflip.json").json()
    z, x, y = tile_of(CITY_HALL, 15)
    assert client.get(tile_path(tilejson, z, x, y))["Cache-Control"].endswith("immutable")
    layer.public = False
    layer.can_view_rule = lambda viewer: viewer.user.is_authenticated and viewer.user.pk == citizen.pk
    assert client.get(tile_path(tilejson, z, x, y)).status_code == 404
    assert client_for(citizen).get(tile_path(tilejson, z, x, y))["Cache-Control"] == "private, no-store"
