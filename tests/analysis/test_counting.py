"""The one-pass count (analysis/counting.py) equals the straightforward per-record join, on real Seoul data.

The reference is the join the analyses used before issue 14: every record tested against the areas with
`ST_Intersects` through the GiST index, and counted in the first area by key whose closed area holds it.
The records are the city's 4,585 public toilets plus points chosen to be hard: every vertex of the dong
boundaries (exactly on a boundary, most of them shared by two or three dongs, a few on district lines),
hexagon corners and edge points, and points on the 25 m pixel lines.
"""
import numpy as np
import pytest
from django.db import connection
from pyproj import Transformer

from analysis.counting import PIXEL, Grid, mixed_pixels, records_count, units_pixels
from analysis.methods import UNITS_TABLE, units_create
from analysis.raster import grid_shape, point_counts
from analysis.sources import METRIC_SRID, source_open, source_stage
from layers.registry import Viewer

from .conftest import CONTRIBUTED_LAYER

TO_4326 = Transformer.from_crs(5186, 4326, always_xy=True)


def _fetch(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def hard_records(contributed, toilets):
    """The toilets and the hard points, as a contributed layer (k-anonymity applies)."""
    contributed.add(_fetch("SELECT ST_X(f.geom), ST_Y(f.geom) FROM layers_datasetfeature f WHERE f.dataset_id = %s",
                           [toilets.pk]))
    # every vertex of every dong: on a boundary in EPSG:5186 too (a vertex projects onto the projected vertex)
    contributed.add(_fetch("SELECT DISTINCT ST_X(d.geom), ST_Y(d.geom) FROM "
                           "(SELECT (ST_DumpPoints(geom)).geom FROM districts_dong) AS d"))
    # corners and edge midpoints of the 500 m and 250 m hexagons (ST_HexagonGrid, as the analyses make them)
    contributed.add(_fetch("""
        SELECT ST_X(q), ST_Y(q) FROM (
            SELECT ST_Transform(ST_LineInterpolatePoint(s.geom, f), 4326) AS q
            FROM (SELECT (ST_DumpSegments(ST_Boundary(h.geom))).geom
                  FROM unnest(ARRAY[500, 250]) AS size,
                       ST_HexagonGrid(size, ST_MakeEnvelope(193000, 546000, 203000, 556000, 5186)) AS h) AS s,
                 unnest(ARRAY[0.0, 0.5]) AS f
        ) AS points
    """))
    # points on the 25 m pixel lines
    xs, ys = [], []
    lons, lats = TO_4326.transform(xs, ys)
    contributed.add(list(zip(lons, lats)))
    return contributed


def _source(analyst, layer):
    return source_open(layer, viewer=Viewer(user=analyst))


def _reference_counts(source) -> dict:
    """Per record: the first unit by key whose closed area holds it, through the GiST index (the old join)."""
    return dict(_fetch(f"""
        SELECT key, count(*) FROM (
            SELECT DISTINCT ON (s.id) s.id, u.key
            FROM (SELECT row_number() OVER () AS id, ST_Transform(p, {METRIC_SRID}) AS g FROM ({source.sql}) AS r) AS s
            JOIN {UNITS_TABLE} u ON ST_Intersects(u.g, s.g)
            ORDER BY s.id, u.key
        ) AS assigned GROUP BY key
    """, source.params))


@pytest.mark.parametrize("unit,hex_size", [("hex", 500), ("hex", 250), ("district", 500), ("dong", 500)])
def test_one_pass_counts_equal_the_per_record_join_on_real_data_and_boundary_points(hard_records, analyst, unit,
                                                                                  hex_size):
    source = _source(analyst, hard_records)
    units_create(unit, hex_size)
    classified = units_pixels(UNITS_TABLE)
    counted = records_count(source, units_table=UNITS_TABLE)
    keys = dict(_fetch(f"SELECT idx, key FROM {UNITS_TABLE}"))
    ours = {keys[idx]: numbers[0] for idx, numbers in counted.by_unit.items()}
    reference = _reference_counts(source)
    assert classified["mixed"] > 0 and classified["inside"] > 0
    assert ours == reference
    (records,), = _fetch(f"SELECT count(*) FROM ({source.sql}) AS r", source.params)
    assert counted.records == records > 10_000 and source.count == records
    assert counted.outside == records - sum(reference.values())
    # the hard points do land in mixed pixels, so the exact test is what decided them
    (in_mixed,), = _fetch(f"""
        SELECT count(*) FROM (SELECT ST_Transform(p, {METRIC_SRID}) AS g FROM ({source.sql}) AS r) AS s
        JOIN analysis_unit_px c ON c.px = floor(ST_X(s.g) / %s)::int AND c.py = floor(ST_Y(s.g) / %s)::int
        WHERE c.idx = 0
    """, [*source.params, PIXEL, PIXEL])
    assert in_mixed > 2_000


def test_a_record_on_a_boundary_shared_by_two_dongs_counts_once_in_the_first_by_key(contributed, analyst, seoul):
    (lon, lat, first, second), = _fetch("""
        SELECT ST_X(v.geom), ST_Y(v.geom), a.code, b.code
        FROM districts_dong a JOIN districts_dong b ON a.code < b.code AND ST_Touches(a.geom, b.geom),
             LATERAL (SELECT (ST_DumpPoints(a.geom)).geom) AS v
        WHERE ST_Intersects(v.geom, b.geom)
        ORDER BY a.code, b.code LIMIT 1
    """)
    contributed.add([(lon, lat)])
    source = _source(analyst, contributed)
    units_create("dong", 500)
    units_pixels(UNITS_TABLE)
    counted = records_count(source, units_table=UNITS_TABLE)
    keys = dict(_fetch(f"SELECT idx, key FROM {UNITS_TABLE}"))
    assert {keys[idx]: numbers[0] for idx, numbers in counted.by_unit.items()} == {first: 1}


def test_pixel_counts_of_the_pass_equal_numpy_binning_of_the_projected_records(hard_records, analyst):
    source = _source(analyst, hard_records)
    bounds = (180_000.0, 535_000.0, 220_000.0, 570_000.0)
    height, width, _ = grid_shape(bounds, 100.0)
    counted = records_count(source, grid=Grid(left=bounds[0], top=bounds[3], cell=100.0, height=height, width=width))
    xy = np.asarray(_fetch(f"SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(p, {METRIC_SRID}) AS g "
                           f"FROM ({source.sql}) AS r) AS s", source.params))
    assert np.array_equal(counted.pixels, point_counts(xy[:, 0], xy[:, 1], bounds=bounds, cell=100.0))
    assert counted.pixels.sum() > 5_000


def test_digest_does_not_depend_on_read_order_and_changes_when_a_record_moves(hard_records, analyst):
    source = _source(analyst, hard_records)
    counted = records_count(source, grid=Grid(left=0.0, top=0.0, cell=100.0, height=1, width=1))
    staged = source_stage(_source(analyst, hard_records), table="analysis_src")  # a copy read in another order
    assert staged.digest == counted.digest and staged.count == counted.records
    with connection.cursor() as cursor:
        cursor.execute("UPDATE layers_datasetfeature SET geom = ST_Translate(geom, 0.00001, 0) "
                       "WHERE id = (SELECT min(f.id) FROM layers_datasetfeature f JOIN layers_dataset d "
                       "ON d.id = f.dataset_id AND d.slug = %s)", [CONTRIBUTED_LAYER])
    moved = records_count(_source(analyst, hard_records), grid=Grid(left=0.0, top=0.0, cell=100.0, height=1, width=1))
    assert moved.records == counted.records and moved.digest != counted.digest


def test_mixed_pixels_are_exactly_those_a_boundary_segment_touches():
    # a segment along a pixel line touches the pixels on both sides; a diagonal one only those it crosses
    along = mixed_pixels(np.asarray([[0.0, 25.0, 25.0, 25.0]]), pixel=25.0)
    assert sorted(map(tuple, along.tolist())) == [(-1, 0), (-1, 1), (0, 0), (0, 1), (1, 0), (1, 1)]
    diagonal = mixed_pixels(np.asarray([[1.0, 1.0, 24.0, 24.0]]), pixel=25.0)
    assert sorted(map(tuple, diagonal.tolist())) == [(0, 0)]
    corner = mixed_pixels(np.asarray([[24.995, 0.0, 25.0, 0.005]]), pixel=25.0)  # within the 1 cm margin
    assert sorted(map(tuple, corner.tolist())) == [(0, -1), (0, 0), (1, -1), (1, 0)]


@pytest.mark.parametrize("language,counting", [("en", "counting the records"), ("ko", "기록 세는 중")])
def test_a_run_reports_each_step_through_its_job_and_socket_in_the_analysts_language(
        contributed, analyst, run_analysis, monkeypatch, django_capture_on_commit_callbacks, language, counting):
    import live.services

    analyst.preferred_language = language
    analyst.save(update_fields=["preferred_language"])
    sent = []
    monkeypatch.setattr(live.services, "user_send", lambda *, user_id, message: sent.append((user_id, message)))
    contributed.add(contributed.spread((126.97797, 37.56654), 6))
    with django_capture_on_commit_callbacks(execute=True):
        analysis = run_analysis(analyst, "aggregation", {"source": CONTRIBUTED_LAYER, "unit": "dong",
                                                         "measure": "count"})
    steps = [(m["progress"], m["total"], m["message"]) for user_id, m in sent
             if user_id == analyst.pk and m["type"] == "job" and m["state"] == "running"]
    assert [(progress, total) for progress, total, _ in steps] == [(1, 6), (2, 6), (3, 6), (5, 6), (6, 6)]
    assert steps[2][2] == counting
    assert sent[-1][1]["state"] == "succeeded" and sent[-1][1]["percent"] == 100
    assert analysis.job.message == "counting the records" or analysis.job.state == "succeeded"
