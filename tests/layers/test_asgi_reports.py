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
from layers.asgi_tiles import servable
from layers.registry import registry
from layers.selectors import aggregates_ready
from reports.demo import categories_load
from reports.models import Report

from .conftest import CITY_HALL
from .test_asgi_tiles import SAME, django_get, fetch, light, tile_of  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reports_city(seoul):
    """3,000 reports around Seoul's real subway stations (bench/reportsbench.py's seed), the layer's rows built."""
    categories_load()
    with connection.cursor() as cursor:
        seed_reports(cursor, 3000, indexes=False)
        cursor.execute("ANALYZE reports_report")
    layer = registry.get("reports")
    aggregates_rebuild(layer=layer)
    assert aggregates_ready(layer) and servable(layer)
    return layer


def test_reports_tiles_on_the_light_path_are_byte_identical_to_the_django_path(light, django_get, settings,
                                                                              reports_city):
    """z10-z14 from the counted cells (and the lines drawn in advance), z15-z16 from the rows
    (tests/reports/test_report_tiles.py reads their statements)."""
    settings.TILES_CACHE_BACKEND = "none"  # both sides render
    app, django = light
    zooms = (10, 12, 13, 14, 15, 16)
    urls = ["/tiles/reports/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, z)) for z in zooms]
    answers = fetch(app, urls, **{"Accept-Encoding": "gzip"})
    assert django.paths == [] and app.served == len(urls)  # the public branch: no thread, no Django
    reference = [django_get(url, **{"Accept-Encoding": "gzip"}) for url in urls]
    assert [(a[0], a[2]) for a in answers] == [(r[0], r[2]) for r in reference] and {a[0] for a in answers} == {200}
    assert [{h: a[1].get(h) for h in SAME} for a in answers] == [{h: r[1].get(h) for h in SAME} for r in reference]
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
    assert report.pk in before[3][1] and all(c for c, _ in before[:3])
    content_hidden_set(target=report, hidden=True, actor=staff, action="moderation.hide")  # autocommit: hooks run
    after = look()
    assert [c for c, _ in after[:3]] == [c - 1 for c, _ in before[:3]]
    assert report.pk not in after[3][1]
