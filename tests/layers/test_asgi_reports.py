"""The `reports` layer on the light tile path's public branch (layers/asgi_tiles.py): answered on the event loop, from
its pre-aggregated rows at low zooms, byte for byte what the Django path answers, and an edit in the next fetch.

Transactional: the light path reads through its own connection pool, so the rows must be committed.
"""
import gzip

import mapbox_vector_tile
import pytest
from django.db import connection

from bench.reportsbench import seed_reports
from layers.aggregates import aggregates_rebuild
from layers.asgi_tiles import TilesFirst, servable
from layers.registry import registry
from layers.selectors import aggregates_ready
from reports.demo import CATEGORIES
from reports.models import Report, ReportCategory

from .conftest import CITY_HALL
from .test_asgi_tiles import SAME, django_get, fetch, light, tile_of  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reports_city(seoul):
    """3,000 reports around Seoul's real subway stations (bench/reportsbench.py's seed), the layer's rows built."""
    for position, (code, ko, en, body_ko, body_en, sensitive, ack, resolve) in enumerate(CATEGORIES):
        ReportCategory.objects.get_or_create(code=code, defaults=dict(
            name_ko=ko, name_en=en, responsible_body_ko=body_ko, responsible_body_en=body_en, is_sensitive=sensitive,
            acknowledge_days=ack, resolve_days=resolve, position=position))
    with connection.cursor() as cursor:
        seed_reports(cursor, 3000, indexes=False)
        cursor.execute("ANALYZE reports_report")
    layer = registry.get("reports")
    aggregates_rebuild(layer=layer)
    assert aggregates_ready(layer) and servable(layer)
    return layer


def test_reports_tiles_on_the_light_path_are_byte_identical_to_the_django_path(light, django_get, settings,
                                                                              reports_city, monkeypatch):
    settings.TILES_CACHE_BACKEND = "none"  # both sides render
    app, django = light
    statements = []
    query = TilesFirst.query

    async def recording(self, sql, params, **options):
        statements.append(sql)
        return await query(self, sql, params, **options)

    monkeypatch.setattr(TilesFirst, "query", recording)
    urls = ["/tiles/reports/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, z)) for z in (10, 12, 13, 14, 15, 16)]
    answers = fetch(app, urls, **{"Accept-Encoding": "gzip"})
    assert django.paths == [] and app.served == len(urls)  # the public branch: no thread, no Django
    for url, (status, headers, body) in zip(urls, answers):
        ref_status, ref_headers, ref_body = django_get(url, **{"Accept-Encoding": "gzip"})
        assert status == ref_status == 200 and body == ref_body, url
        assert {h: headers.get(h) for h in SAME} == {h: ref_headers.get(h) for h in SAME}, url
    tiles = [sql for sql in statements if "ST_AsMVT" in sql]
    # z10-z13 from the counted cells, z14 from the reports drawn in advance, z15-z16 from the rows
    assert ["layers_tilecluster" in sql for sql in tiles] == [True, True, True, False, False, False]
    assert ["reports_report" in sql for sql in tiles] == [False, False, False, False, True, True]
    counts = [sum(f["properties"].get("count", 0) for f in mapbox_vector_tile.decode(gzip.decompress(
        body))["reports"]["features"]) for _, _, body in answers[:2]]
    assert all(counts) and counts[0] >= counts[1]


def test_a_hidden_report_is_gone_from_the_next_light_tile_at_every_zoom(light, reports_city, staff, settings):
    from moderation.services import content_hidden_set

    app, _ = light
    report = next(r for r in Report.objects.public().filter(category__is_sensitive=False).order_by("pk")
                  if r.public_geom.geom_type == "Point")
    place = (report.public_geom.x, report.public_geom.y)
    urls = ["/tiles/reports/{}/{}/{}.mvt".format(*tile_of(place, z)) for z in (10, 12, 14, 16)]

    def look():
        out = []
        for _, _, body in fetch(app, urls):
            layer = mapbox_vector_tile.decode(body).get("reports", {"features": []})["features"]
            out.append((sum(f["properties"].get("count", 0) for f in layer), {f.get("id") for f in layer}))
        return out

    before = look()  # kept in the tile cache
    assert report.pk in before[2][1] and report.pk in before[3][1]
    content_hidden_set(target=report, hidden=True, actor=staff, action="moderation.hide")  # autocommit: hooks run
    after = look()
    assert [c for c, _ in after[:2]] == [c - 1 for c, _ in before[:2]]
    assert report.pk not in after[2][1] and report.pk not in after[3][1]
