"""The ASGI light tile path (layers/asgi_tiles.py): public tiles without Django's request cycle, the same bytes
and headers as the Django path, and never a tile that is not provably public.

Transactional: the light path reads through its own connection pool, so the rows must be committed.
"""
import asyncio
import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from rest_framework.authtoken.models import Token

from layers.aggregates import aggregates_rebuild
from layers.asgi_tiles import TilesFirst
from layers.models import DatasetFeature
from layers.registry import Layer
from layers.selectors import aggregates_ready, layer_tile_version
from layers.services import tile_cache_invalidate
from layers.tilegrid import lonlat_to_tile_fraction

from tests.core.test_db_router import primary_down  # noqa: F401  (a fixture)

from .conftest import CITY_HALL

pytestmark = pytest.mark.django_db(transaction=True)
SEA = (125.8, 37.0)  # Yellow Sea: no feature


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return z, int(fx), int(fy)


class Django:
    """Stands in for the rest of the ASGI application: records what fell through to it."""

    def __init__(self):
        self.paths = []

    async def __call__(self, scope, receive, send):
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def light():
    django = Django()
    return TilesFirst(django), django


async def _get(app, url, headers):
    parts = urlsplit(url)
    sent = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer is sent

    async def send(message):
        sent.append(message)

    raw_headers = [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await app({"type": "http", "method": "GET", "path": parts.path, "raw_path": parts.path.encode(),
               "query_string": parts.query.encode(), "headers": raw_headers, "scheme": "http",
               "server": ("testserver", 80), "client": ("127.0.0.1", 5000), "root_path": "",
               "http_version": "1.1", "asgi": {"version": "3.0"}}, receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def run_loop(coroutine):
    """Run a coroutine on a new event loop in a thread of its own, as a uvicorn worker would: the main thread
    may already run one (Playwright's sync API keeps its loop running once a browser test has started)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def fetch(app: TilesFirst, urls, **headers):
    """GET each URL through the ASGI app on one event loop (as one uvicorn worker), then close its pool."""
    async def run():
        try:
            return [await _get(app, url, headers) for url in urls]
        finally:
            await app.close()

    return run_loop(run())


@pytest.fixture
def django_get(wsgi):
    """GET through the whole Django stack (WSGI, every middleware, the URL resolver): the reference answer."""
    handler = WSGIHandler()

    def get(url, **headers):
        status, response_headers, body = wsgi(handler, url, **{f"HTTP_{k.upper().replace('-', '_')}": v
                                                               for k, v in headers.items()})
        return status, {k.lower(): v for k, v in response_headers.items()}, body

    return get


@pytest.fixture
def toilets_layer(register_layer, datasets):
    """A fixed public layer of the real toilets, its low zooms pre-aggregated (as bench/layers.py's)."""
    layer = register_layer(Layer(
        name="testtoilets", title_ko="화장실", title_en="Toilets", geometry_type="point", fields=("name",),
        queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset__slug="seoul_public_toilets"),
        static_queryset=True, aggregated=True))
    aggregates_rebuild(layer=layer)
    assert aggregates_ready(layer)
    return layer


SAME = ("content-type", "content-encoding", "cache-control", "etag", "access-control-allow-origin",
        "x-content-type-options", "referrer-policy", "x-tile-cache")


def test_public_tiles_are_byte_identical_to_the_django_path_and_never_reach_django(light, django_get, settings,
                                                                                   toilets_layer, dong_shapes,
                                                                                   monkeypatch):
    settings.TILES_CACHE_BACKEND = "none"  # both sides render (a shared cache would make them equal anyway)
    app, django = light
    statements = []
    query = TilesFirst.query

    async def recording(self, sql, params, **options):
        statements.append(sql)
        return await query(self, sql, params, **options)

    monkeypatch.setattr(TilesFirst, "query", recording)
    version = layer_tile_version(toilets_layer)
    urls = []
    for name in ("testtoilets", "testdongs"):
        for z in (10, 12, 14, 16):  # aggregated clusters, raw points; generalised and raw polygons
            urls.append("/tiles/{}/{}/{}/{}.mvt".format(name, *tile_of(CITY_HALL, z)))
    urls += ["/tiles/testtoilets/{}/{}/{}.mvt?v={}".format(*tile_of(CITY_HALL, 15), version),
             "/tiles/testtoilets/{}/{}/{}.mvt?v=1".format(*tile_of(CITY_HALL, 15)),
             "/tiles/testtoilets/{}/{}/{}.pbf".format(*tile_of(SEA, 14))]
    answers = fetch(app, urls, **{"Accept-Encoding": "gzip"})
    assert django.paths == [] and app.served == len(urls)
    drawn = 0
    for url, (status, headers, body) in zip(urls, answers):
        ref_status, ref_headers, ref_body = django_get(url, **{"Accept-Encoding": "gzip"})
        assert (status, body) == (ref_status, ref_body), url
        assert {h: headers.get(h) for h in SAME} == {h: ref_headers.get(h) for h in SAME}, url
        if status == 200:
            drawn += 1
            assert headers["vary"] == "Accept-Encoding" and int(headers["content-length"]) == len(body)
            assert mapbox_vector_tile.decode(gzip.decompress(body))
    assert drawn == len(urls) - 1 and answers[-1][0] == 204
    # low zooms read the pre-aggregated rows: clusters at z10/z12, generalised shapes at z10/z12/z14
    tiles = [sql for sql in statements if "ST_AsMVT" in sql]
    assert ["layers_tilecluster" in sql for sql in tiles[:4]] == [True, True, False, False]
    assert ["layers_tileshape" in sql for sql in tiles[4:8]] == [True, True, True, False]
    assert answers[8][1]["cache-control"].endswith("immutable")
    assert answers[9][1]["cache-control"] == "public, max-age=0, must-revalidate"

    # a client without gzip, and a revalidation: as Django answers them
    url = urls[3]
    [(status, headers, body), (again, _, empty)] = (
        fetch(app, [url]) + fetch(app, [url], **{"If-None-Match": answers[3][1]["etag"]}))
    assert (status, body) == django_get(url)[::2] and body == gzip.decompress(answers[3][2])
    assert again == 304 and empty == b"" and django.paths == []


def test_tiles_are_stored_as_isal_gzip_and_a_tile_cached_in_zlibs_gzip_still_serves_the_same_on_both_paths(
        light, django_get, toilets_layer):
    from layers.cache import cache_clock, tile_cache, tile_variant
    from layers.registry import Viewer
    from layers.tile_views import GZIP_CODEC, stored_vector_tile
    from layers.tiles import render_vector_tile

    app, django = light
    assert GZIP_CODEC == "isal"  # bin/setup installs it: the CPU of an uncached tile (bench/RESULTS.md)
    drawn, kept = tile_of(CITY_HALL, 16), tile_of(CITY_HALL, 15)
    mvt = {zxy: render_vector_tile(toilets_layer, Viewer.anonymous(), *zxy) for zxy in (drawn, kept)}
    assert all(mvt.values())
    # a tile stored before this change, by zlib (another encoder, another level): read as it is, not redrawn
    old = gzip.compress(mvt[kept], compresslevel=6, mtime=0)
    assert old != stored_vector_tile(mvt[kept])
    tile_cache().set("testtoilets", *kept, tile_variant(version=toilets_layer.version()), old, cache_clock())
    urls = ["/tiles/testtoilets/{}/{}/{}.mvt".format(*zxy) for zxy in (drawn, kept)]
    answers = fetch(app, urls, **{"Accept-Encoding": "gzip"})
    plain = fetch(app, urls)
    assert django.paths == []
    for url, zxy, (status, headers, body), (plain_status, _, plain_body) in zip(urls, (drawn, kept), answers, plain):
        ref_status, ref_headers, ref_body = django_get(url, **{"Accept-Encoding": "gzip"})
        assert (status, body, headers["etag"]) == (ref_status, ref_body, ref_headers["etag"]) == (
            200, stored_vector_tile(mvt[zxy]) if zxy == drawn else old, ref_headers["etag"]), url
        assert gzip.decompress(body) == mvt[zxy]  # any gzip reader reads it (the browser's, nginx's)
        assert (plain_status, plain_body) == django_get(url)[::2] == (200, mvt[zxy])  # a client without gzip
    assert [a[1]["x-tile-cache"] for a in answers] == ["miss", "hit"]


def test_a_tile_the_viewer_may_not_see_always_falls_through_to_djangos_404(light, private_layer, citizen, client,
                                                                          register_layer, spots, datasets, seoul):
    app, django = light
    z, x, y = tile_of(CITY_HALL, 15)
    private = f"/tiles/testprivate/{z}/{x}/{y}.mvt"
    client.force_login(citizen)
    owner = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    token = Token.objects.create(user=citizen)
    fetch(app, [private])  # anonymous
    fetch(app, [private], Authorization="Token not-a-token")
    fetch(app, [f"{private}?key=not-the-key"])
    fetch(app, [f"/tiles/no_such_layer/{z}/{x}/{y}.mvt", "/tiles/districts/3/99/0.mvt",
                f"/tiles/districts/{z}/{x}/{y}.png"])  # no such layer, no such tile, not a raster layer
    assert app.served == 0 and len(django.paths) == 6
    # the owner, by session or token: answered by the light path (tests/layers/test_asgi_tiles_families.py
    # compares such answers with Django's)
    assert [a[0] for a in fetch(app, [private], Cookie=owner) + fetch(app, [private],
                                                                       Authorization=f"Token {token.key}")] == [200, 200]
    assert app.served == 2 and len(django.paths) == 6

    # revoked: a layer served while public is never served to others once it is not
    layer = register_layer(Layer(name="testrevoked", title_ko="철회", title_en="Revoked", geometry_type="point",
                                 fields=("name",), static_queryset=True,
                                 queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=spots)))
    url = f"/tiles/testrevoked/{z}/{x}/{y}.mvt"
    assert fetch(app, [url])[0][0] == 200 and app.served == 3
    register_layer(Layer(name="testrevoked", title_ko="철회", title_en="Revoked", geometry_type="point",
                         fields=("name",), public=False, static_queryset=True,
                         can_view_rule=lambda viewer: viewer.user.pk == citizen.pk,
                         queryset_factory=layer.queryset_factory))
    assert fetch(app, [url])[0][0] == 599 and app.served == 3
    [(status, headers, _)] = fetch(app, [url], Cookie=owner)
    assert status == 200 and headers["cache-control"] == "private, no-store" and app.served == 4


def test_an_edit_shows_in_the_next_light_tile_at_z16_and_in_the_aggregated_z10_tile(light, toilets_layer):
    app, django = light
    z10 = "/tiles/testtoilets/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, 10))
    z16 = "/tiles/testtoilets/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, 16))

    def count(body):
        return sum(f["properties"]["count"] for f in mapbox_vector_tile.decode(body)["testtoilets"]["features"])

    def names(body):
        layer = mapbox_vector_tile.decode(body).get("testtoilets", {"features": []})
        return {f["properties"].get("name") for f in layer["features"]}

    before, street = fetch(app, [z10, z16])
    assert [before[1]["x-tile-cache"], street[1]["x-tile-cache"]] == ["miss", "miss"]
    assert [a[1]["x-tile-cache"] for a in fetch(app, [z10, z16])] == ["hit", "hit"]  # now cached

    with transaction.atomic():  # committed: the invalidation door runs in the commit hook
        feature = DatasetFeature.objects.create(dataset_id=DatasetFeature.objects.filter(
            dataset__slug="seoul_public_toilets").values_list("dataset_id", flat=True).first(),
            name="새 화장실", geom=Point(*CITY_HALL, srid=4326), properties={})
        tile_cache_invalidate(layer_name="testtoilets", geometries=[feature.geom])

    after, street_after = fetch(app, [z10, z16])  # bound at z10: 0 s (aggregates refreshed before the commit returned)
    assert [after[1]["x-tile-cache"], street_after[1]["x-tile-cache"]] == ["miss", "miss"]
    assert count(after[2]) == count(before[2]) + 1
    assert "새 화장실" in names(street_after[2]) and "새 화장실" not in names(street[2])
    assert django.paths == []


def test_a_tile_while_the_database_is_down_is_djangos_503_and_the_light_path_steps_aside(settings, seoul,
                                                                                         primary_down):
    from django.core.asgi import get_asgi_application

    settings.TILES_POOL_TIMEOUT = 0.5
    app = TilesFirst(get_asgi_application())
    url = "/tiles/districts/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, 14))
    started = time.monotonic()
    [(status, headers, body), (status2, _, _)] = fetch(app, [url, url], **{"Accept-Language": "en"})
    assert status == status2 == 503 and int(headers["retry-after"]) > 0
    assert json.loads(body)["detail"] == "The database is unavailable right now. Try again in a minute."
    assert app.served == 0
    assert time.monotonic() - started < 5  # the second request did not wait for the pool again


def test_the_asgi_application_puts_the_light_path_in_front_and_closes_its_pool_at_shutdown(seoul):
    from geoplatform.asgi import build_application

    application = build_application(static_files=False)
    assert isinstance(application, TilesFirst) and "websocket" in application.app.application_mapping
    url = "/tiles/districts/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, 14))

    async def serve_then_shut_down():
        answer = await _get(application, url, {})
        messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        sent = []

        async def receive():
            return next(messages)

        async def send(message):
            sent.append(message["type"])

        await application({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
        return answer, sent

    (status, _, _), sent = run_loop(serve_then_shut_down())
    assert status == 200 and application.served == 1
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"] and application._pool is None
