"""The tile cache, on the file system and on Redis: per-variant entries, targeted invalidation, no stale writes.

Time is a clock the tests move (`layers.cache._clock`), never a sleep past the invalidation slack.
"""
import pytest
from django.contrib.gis.geos import Point, Polygon

from layers import cache as cache_module
from layers.cache import FilesystemTileCache, RedisTileCache, cache_clock, tile_cache, tile_variant
from layers.services import layer_version_bump, tile_cache_invalidate, tile_ranges_for
from layers.tilegrid import lonlat_to_tile_fraction, tile_range

CITY_HALL = (126.9779, 37.5663)
JAMSIL = (127.1001, 37.5133)


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return int(fx), int(fy)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The cache's clock, moved by the test: `clock.advance(seconds)`."""

    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds):
            self.now += seconds

    moved = Clock()
    monkeypatch.setattr(cache_module, "_clock", lambda: moved.now)
    return moved


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on_commit work as the end of the test's transaction would."""
    return django_capture_on_commit_callbacks


@pytest.fixture(params=["filesystem", "redis"])
def cache(request, settings, tmp_path):
    if request.param == "redis":
        settings.TILES_CACHE_BACKEND = "redis"
        settings.TILES_REDIS_URL = request.getfixturevalue("redis_url")
        backend = tile_cache()
        assert isinstance(backend, RedisTileCache)
        backend.clear()
    else:
        backend = tile_cache()
        assert isinstance(backend, FilesystemTileCache)
    return backend


def fill(cache, layer, lonlat, zooms, variant="v1", started=None):
    started = started or cache_clock()
    for z in zooms:
        x, y = tile_of(lonlat, z)
        assert cache.set(layer, z, x, y, variant, f"{z}".encode(), started)


def cached(cache, layer, lonlat, z, variant="v1"):
    x, y = tile_of(lonlat, z)
    return cache.get(layer, z, x, y, variant)


def test_variants_of_one_tile_are_kept_apart(cache):
    private_a = tile_variant(version="3", permission="u1:")
    private_b = tile_variant(version="3", permission="u2:")
    assert private_a != private_b != tile_variant(version="4", permission="u1:")
    started = cache_clock()
    cache.set("map-1", 14, 1, 2, private_a, b"only for user 1", started)
    assert cache.get("map-1", 14, 1, 2, private_a) == b"only for user 1"
    assert cache.get("map-1", 14, 1, 2, private_b) is None


@pytest.mark.django_db
def test_invalidation_drops_the_touched_tiles_at_every_zoom_and_keeps_the_rest(cache, committed, clock):
    zooms = range(0, 19)
    fill(cache, "reports", CITY_HALL, zooms)
    fill(cache, "reports", JAMSIL, zooms)
    fill(cache, "districts", CITY_HALL, zooms)
    clock.advance(1)
    with committed(execute=True):
        tile_cache_invalidate(layer_name="reports", geometries=[Point(*CITY_HALL, srid=4326)])
    for z in zooms:
        assert cached(cache, "reports", CITY_HALL, z) is None
        assert cached(cache, "districts", CITY_HALL, z) == f"{z}".encode()  # another layer
    # Jamsil is 11 km away: it shares the low-zoom tiles only
    assert all(cached(cache, "reports", JAMSIL, z) is None for z in range(0, 10))
    assert all(cached(cache, "reports", JAMSIL, z) == f"{z}".encode() for z in range(12, 19))


@pytest.mark.django_db
def test_invalidation_waits_for_the_commit(cache, committed, clock):
    fill(cache, "reports", CITY_HALL, [16])
    clock.advance(1)
    with committed(execute=False) as callbacks:
        tile_cache_invalidate(layer_name="reports", geometries=[Point(*CITY_HALL, srid=4326)])
        assert cached(cache, "reports", CITY_HALL, 16) is not None
    assert len(callbacks) == 1
    callbacks[0]()
    assert cached(cache, "reports", CITY_HALL, 16) is None


@pytest.mark.django_db
def test_a_render_begun_before_an_invalidation_is_not_stored(cache, committed, clock):
    began = cache_clock()
    clock.advance(1)
    with committed(execute=True):
        tile_cache_invalidate(layer_name="reports", geometries=[Point(*JAMSIL, srid=4326)])
    x, y = tile_of(CITY_HALL, 15)
    assert cache.set("reports", 15, x, y, "v1", b"maybe stale", began) is False
    assert cache.get("reports", 15, x, y, "v1") is None
    clock.advance(1)
    assert cache.set("reports", 15, x, y, "v1", b"fresh", cache_clock()) is True


@pytest.mark.django_db
def test_version_bump_drops_the_whole_layer(cache, committed, clock):
    fill(cache, "map-7", CITY_HALL, range(5, 17))
    fill(cache, "map-8", CITY_HALL, [12])
    clock.advance(1)
    with committed(execute=True):
        layer_version_bump(layer_name="map-7")
    assert all(cached(cache, "map-7", CITY_HALL, z) is None for z in range(5, 17))
    assert cached(cache, "map-8", CITY_HALL, 12) == b"12"


@pytest.mark.django_db
def test_a_render_begun_within_the_slack_of_an_invalidation_is_not_stored_either(cache, committed, clock):
    x, y = tile_of(CITY_HALL, 15)
    with committed(execute=True):
        tile_cache_invalidate(layer_name="reports", geometries=[Point(*JAMSIL, srid=4326)])
    invalidated = cache_clock()
    clock.advance(cache_module.INVALIDATION_SLACK / 2)
    assert cache.set("reports", 15, x, y, "v1", b"too close", cache_clock()) is False
    clock.advance(cache_module.INVALIDATION_SLACK)
    assert cache_clock() - invalidated > cache_module.INVALIDATION_SLACK
    assert cache.set("reports", 15, x, y, "v1", b"after the slack", cache_clock()) is True


def test_ranges_cover_a_polygon_and_its_neighbours_buffers():
    gangnam_box = Polygon.from_bbox((127.02, 37.46, 127.12, 37.53))
    gangnam_box.srid = 4326
    ranges = tile_ranges_for([gangnam_box])
    assert set(ranges) == set(range(0, 23))
    x0, y0, x1, y1 = ranges[14][0]
    assert (x1 - x0 + 1) * (y1 - y0 + 1) > 4
    fx, fy = lonlat_to_tile_fraction(127.02, 37.53, 14)
    assert x0 <= int(fx) <= x1 and y0 <= int(fy) <= y1
    # a point on a tile's edge also touches the tile across the edge (its buffer)
    edge_lon = -180 + 360 * 100 / 2 ** 8
    assert tile_range((edge_lon, 0, edge_lon, 0), 8)[0] == 99
