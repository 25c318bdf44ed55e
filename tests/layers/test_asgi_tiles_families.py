"""Every layer family on the light tile path (layers/asgi_tiles.py `answer_resolved`), with exactly the Django
path's permission checks: maps (private, unlisted with its secret link, hidden features, pending suggestions),
open datasets, analysis outputs (drafts, k-suppressed cells). For every viewer, an attacker included, the light
path either answers what Django answers (status, bytes, headers) or steps aside so that Django answers (its 404).

Transactional: the light path reads through its own connections, so the rows must be committed.
"""
import gzip
import json

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.test import Client
from rest_framework.authtoken.models import Token

from layers.asgi_tiles import TilesFirst
from maps.models import Feature
from maps.services import collaborator_set, feature_create, feature_update, map_create

from tests.analysis.conftest import contributed, run_analysis  # noqa: F401  (fixtures)

from .test_asgi_tiles import SAME, Django, django_get, fetch, light, tile_of  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

LIBRARY = (127.0826, 37.4811)  # 강남구립못골도서관 (data/seoul/seoul_public_libraries.geojson)
NEARBY = (127.0841, 37.4822)  # ~180 m away: the same z14 tile
GZIP = {"Accept-Encoding": "gzip"}


def _names(status, body, layer):
    if status != 200:
        return []
    decoded = mapbox_vector_tile.decode(gzip.decompress(body))
    return sorted(f["properties"].get("name") for f in decoded.get(layer, {"features": []})["features"])


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _vary(headers) -> list[str]:
    """Vary without LocaleMiddleware's Accept-Language (a tile has no language; the light path never adds it)."""
    return [v.strip() for v in headers.get("vary", "").split(",") if v.strip() and v.strip() != "Accept-Language"]


def compare(app, django, django_get, url, **headers):
    """(served by the light path?, its answer) after checking that answer against the Django path's."""
    before, fell = app.served, len(django.paths)
    [(status, got, body)] = fetch(app, [url], **headers)
    served = app.served == before + 1
    assert served != (len(django.paths) == fell + 1)
    ref_status, ref_headers, ref_body = django_get(url, **headers)
    if served:
        assert (status, body) == (ref_status, ref_body), url
        assert {h: got.get(h) for h in SAME} == {h: ref_headers.get(h) for h in SAME}, url
        assert _vary(got) == _vary(ref_headers), url
        return True, (status, got, body)
    return False, (ref_status, ref_headers, ref_body)


@pytest.fixture
def no_tile_cache(settings):
    settings.TILES_CACHE_BACKEND = "none"  # both paths render (a shared cache would make them equal anyway)


@pytest.fixture
def maps_world(citizen, citizen2, make_user, seoul):
    """Three maps of `citizen` (public, unlisted, private), each with a published and a hidden feature in one tile;
    a moderated public map with a pending suggestion of `citizen2`."""
    friend, stranger = make_user("friend"), make_user("stranger")
    maps = {}
    for visibility in ("public", "unlisted", "private"):
        m = map_create(owner=citizen, title=f"못골 도서관 지도 {visibility}", visibility=visibility)
        feature_create(map_obj=m, actor=citizen, geom=Point(*LIBRARY, srid=4326), name="못골도서관 앞")
        hidden = feature_create(map_obj=m, actor=citizen, geom=Point(*NEARBY, srid=4326), name="신고된 장소")
        Feature.objects.filter(pk=hidden.pk).update(is_hidden=True)
        collaborator_set(map_obj=m, actor=citizen, user=friend, role="viewer")
        maps[visibility] = m
    moderated = map_create(owner=citizen, title="제안 받는 지도", contribution_mode="moderated")
    feature_create(map_obj=moderated, actor=citizen, geom=Point(*LIBRARY, srid=4326), name="못골도서관 앞")
    feature_create(map_obj=moderated, actor=citizen2, geom=Point(*NEARBY, srid=4326), name="제안")
    maps["moderated"] = moderated
    return {"maps": maps, "owner": citizen, "friend": friend, "stranger": stranger, "suggester": citizen2}


def test_map_tiles_on_the_light_path_answer_as_django_for_every_viewer_and_never_to_an_attacker(
        light, django_get, no_tile_cache, maps_world):
    app, django = light
    z, x, y = tile_of(LIBRARY, 14)
    w = maps_world
    tokens = {name: Token.objects.create(user=w[name]).key for name in ("owner", "friend", "stranger")}
    viewers = {
        "anonymous": {},
        "stranger (session)": {"Cookie": _session(w["stranger"])},
        "stranger (token)": {"Authorization": f"Token {tokens['stranger']}"},
        "a forged token": {"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"},
        "a forged session": {"Cookie": f"{settings.SESSION_COOKIE_NAME}=notasessionkeyatall0123456789ab"},
        "owner (session)": {"Cookie": _session(w["owner"])},
        "owner (token)": {"Authorization": f"Token {tokens['owner']}"},
        "collaborator (session)": {"Cookie": _session(w["friend"])},
        "collaborator (token)": {"Authorization": f"Token {tokens['friend']}"},
    }
    sees = {"public": set(viewers), "unlisted": {v for v in viewers if v.startswith(("owner", "collaborator"))}}
    sees["private"] = sees["unlisted"]
    for visibility in ("public", "unlisted", "private"):
        m = w["maps"][visibility]
        for viewer, headers in viewers.items():
            for key in ("", "?key=wrong-key-0123456789", f"?key={m.view_key}"):
                url = f"/tiles/{m.layer_name}/{z}/{x}/{y}.mvt{key}"
                allowed = viewer in sees[visibility] or (visibility == "unlisted" and key.endswith(m.view_key))
                served, (status, _, body) = compare(app, django, django_get, url, **headers, **GZIP)
                if allowed:
                    assert served and status == 200, (visibility, viewer, key)
                    # the hidden feature is in no one's tile, the owner's included (as on the Django path)
                    assert _names(status, body, m.layer_name) == ["못골도서관 앞"], (visibility, viewer, key)
                else:  # stepped aside: Django's 404, the same as for a map that does not exist
                    assert not served and status == 404, (visibility, viewer, key)
                    assert b"\x1a" not in body  # no tile bytes at all
    # a private map's tile asked with the key of the unlisted one, and a map that does not exist
    for url in (f"/tiles/{w['maps']['private'].layer_name}/{z}/{x}/{y}.mvt?key={w['maps']['unlisted'].view_key}",
                f"/tiles/map-99999999/{z}/{x}/{y}.mvt"):
        served, (status, _, _) = compare(app, django, django_get, url, **GZIP)
        assert not served and status == 404

    # pending suggestions: the suggester and the owner see the suggestion, the public sees only what is published
    moderated = w["maps"]["moderated"]
    url = f"/tiles/{moderated.layer_name}/{z}/{x}/{y}.mvt"
    expected = {"anonymous": ["못골도서관 앞"], "stranger (token)": ["못골도서관 앞"],
                "owner (token)": ["못골도서관 앞", "제안"]}
    for viewer, names in expected.items():
        served, (status, headers, body) = compare(app, django, django_get, url, **viewers[viewer], **GZIP)
        assert served and _names(status, body, moderated.layer_name) == names, viewer
        assert headers["cache-control"] == "private, no-store" and "access-control-allow-origin" not in headers
    suggester = {"Authorization": f"Token {Token.objects.create(user=w['suggester']).key}"}
    served, (status, _, body) = compare(app, django, django_get, url, **suggester, **GZIP)
    assert served and _names(status, body, moderated.layer_name) == ["못골도서관 앞", "제안"]
    assert len(django.paths) > 0 and app.served > 0


def test_an_edit_to_a_private_map_shows_in_the_owners_next_light_tile_and_never_leaks_through_the_cache(
        light, maps_world):
    app, django = light
    w = maps_world
    m = w["maps"]["private"]
    owner = {"Authorization": f"Token {Token.objects.create(user=w['owner']).key}"}
    url = "/tiles/{}/{}/{}/{}.mvt".format(m.layer_name, *tile_of(LIBRARY, 16))
    [(status, headers, body)] = fetch(app, [url], **owner, **GZIP)
    assert status == 200 and headers["x-tile-cache"] == "miss"
    assert fetch(app, [url], **owner, **GZIP)[0][1]["x-tile-cache"] == "hit"
    feature = m.features.get(name="못골도서관 앞")
    feature_update(feature=feature, actor=w["owner"], expected_version=feature.version, name="못골도서관 정문")
    [(status, headers, body)] = fetch(app, [url], **owner, **GZIP)
    assert status == 200 and headers["x-tile-cache"] == "miss"
    assert _names(status, body, m.layer_name) == ["못골도서관 정문"]
    # the owner's cached tile is never anyone else's: the stranger and the anonymous fall through to Django's 404
    stranger = {"Authorization": f"Token {Token.objects.create(user=w['stranger']).key}"}
    served = app.served
    assert [a[0] for a in fetch(app, [url], **stranger, **GZIP) + fetch(app, [url], **GZIP)] == [599, 599]
    assert app.served == served and django.paths[-2:] == [url, url]


def test_open_dataset_tiles_are_served_by_the_light_path_and_an_unpublished_one_is_djangos_404(
        light, django_get, no_tile_cache, datasets, spots):
    app, django = light
    z, x, y = tile_of((126.9779, 37.5663), 15)  # City Hall
    served, (status, _, body) = compare(app, django, django_get,
                                        f"/tiles/dataset-seoul_public_toilets/{z}/{x}/{y}.mvt", **GZIP)
    assert served and status == 200 and _names(status, body, "dataset-seoul_public_toilets")
    # `spots` is not published: its layer does not exist for anyone, on either path
    served, (status, _, _) = compare(app, django, django_get, f"/tiles/dataset-{spots.slug}/{z}/{x}/{y}.mvt", **GZIP)
    assert not served and status == 404


def test_analysis_output_tiles_keep_k_suppression_and_a_draft_stays_the_analysts(
        light, django_get, no_tile_cache, seoul, make_user, analyst):
    from analysis.services import analysis_create, analysis_publish, analysis_run
    from reports.services import category_create, report_create

    app, django = light
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    reporter = make_user("haneul.reporter")
    k = settings.ANALYSIS_K_ANONYMITY
    city_hall, coex = (126.9779, 37.5663), (127.0588, 37.5115)
    for (lon, lat), n in ((city_hall, k - 2), (coex, k + 1)):  # one cell below k, one above
        for i in range(n):
            report_create(reporter=reporter, category=road, geom=Point(lon + i * 0.0001, lat, srid=4326),
                          description="도로가 파였습니다 (sample)")
    analysis = analysis_create(user=analyst, name="도로 파손 분포", method="aggregation",
                               parameters={"source": "reports", "unit": "hex", "hex_size_m": 500})
    analysis = analysis_run(analysis=analysis, user=analyst)
    assert analysis.status == "succeeded", analysis.error
    output = analysis.outputs.get()
    analyst_token = {"Authorization": f"Token {Token.objects.create(user=analyst).key}"}
    urls = ["/tiles/{}/{}/{}/{}.mvt".format(output.layer_name, *tile_of(place, 11)) for place in (city_hall, coex)]

    for url in urls:  # a draft: the analyst's, nobody else's
        assert compare(app, django, django_get, url, **analyst_token, **GZIP)[0]
        served, (status, _, _) = compare(app, django, django_get, url, **GZIP)
        assert not served and status == 404

    analysis_publish(analysis=analysis, user=analyst)
    counts, suppressed = [], 0
    for url in urls:
        served, (status, _, body) = compare(app, django, django_get, url, **GZIP)
        assert served and status == 200
        for feature in mapbox_vector_tile.decode(gzip.decompress(body))[output.layer_name]["features"]:
            properties = feature["properties"]
            if properties.get("suppressed"):
                suppressed += 1
                assert properties.get("count") in (None, "") and properties.get("value") in (None, "")
            elif properties.get("count") not in (None, ""):
                counts.append(properties["count"])
    assert suppressed >= 1  # the cell of k - 2 reports is there, without its count
    assert all(count >= k for count in counts), counts


def test_a_key_on_a_public_layer_is_answered_light_but_a_nul_in_the_query_or_a_png_of_a_vector_layer_is_djangos(
        light, django_get, no_tile_cache, seoul):
    app, django = light
    z, x, y = tile_of((126.9779, 37.5663), 14)
    served, (status, _, _) = compare(app, django, django_get, f"/tiles/districts/{z}/{x}/{y}.mvt?key=anything", **GZIP)
    assert served and status == 200  # a key on a public layer changes nothing; the light path answers it
    served, (status, _, body) = compare(app, django, django_get, f"/tiles/districts/{z}/{x}/{y}.mvt?v=%00", **GZIP)
    assert not served and status == 400 and json.loads(body)["detail"]
    served, (status, _, _) = compare(app, django, django_get, f"/tiles/districts/{z}/{x}/{y}.png")
    assert not served and status == 404  # not a raster layer: Django's 404
    assert isinstance(app, TilesFirst) and isinstance(django, Django)


def test_density_png_tiles_of_an_analysis_are_served_light_as_django_serves_them_and_keep_a_lone_record_hidden(
        light, django_get, no_tile_cache, contributed, analyst, run_analysis):
    from analysis.services import analysis_publish
    from tests.analysis.conftest import CITY_HALL, COEX, GANGNAM_STATION, JAMSIL_STATION

    app, django = light
    contributed.add(contributed.spread(CITY_HALL, 30, step=0.0003))
    contributed.add([JAMSIL_STATION])  # a lone record: its cell holds fewer than k, it never shows
    contributed.add([GANGNAM_STATION, COEX, (126.9246, 37.5219), (127.0565, 37.6542)])
    hotspot = run_analysis(analyst, "hotspot", {"source": contributed.name, "bandwidth_m": 500, "cell_size_m": 100,
                                                "hex_size_m": 500})
    layer = hotspot.outputs.get(key="density").layer_name
    analyst_token = {"Authorization": f"Token {Token.objects.create(user=analyst).key}"}
    hall, lone = ("/tiles/{}/{}/{}/{}.png".format(layer, *tile_of(place, 12)) for place in (CITY_HALL, JAMSIL_STATION))

    served, (status, headers, body) = compare(app, django, django_get, hall, **analyst_token)  # the draft
    assert served and status == 200 and headers["content-type"] == "image/png" and body[:4] == b"\x89PNG"
    served, (status, _, _) = compare(app, django, django_get, hall)
    assert not served and status == 404  # nobody else's

    analysis_publish(analysis=hotspot, user=analyst)
    served, (status, headers, body) = compare(app, django, django_get, hall)
    assert served and status == 200 and body[:4] == b"\x89PNG" and headers["access-control-allow-origin"] == "*"
    served, (status, _, body) = compare(app, django, django_get, lone)
    assert served and status == 204 and body == b""
