"""The computation that makes analyses scale (issue 14) gives the results the per-record code gave."""
import numpy as np
import pytest
from django.db import connection

from analysis.counting import Grid, records_count
from analysis.raster import grid_shape, kernel_density, kernel_density_counts
from analysis.sources import Source

BOUNDS = (180_000.0, 540_000.0, 190_000.0, 552_000.0)  # EPSG:5186 metres around central Seoul
CELL = 100.0


def _staged(xs, ys, table="scale_src"):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} (id bigint, g geometry(Point, 5186))")
        cursor.execute(
            f"INSERT INTO {table} SELECT i, ST_SetSRID(ST_MakePoint(x, y), 5186) "
            f"FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS p(x, y, i)", [[float(x) for x in xs], [float(y) for y in ys]])
    # already in EPSG:5186: the pass's ST_Transform to 5186 keeps the coordinates as they are
    return Source(layer=None, sql=f"SELECT g AS p, NULL::date AS day FROM {table}")


def _pixel_counts(source, *, bounds, cell):
    height, width, transform = grid_shape(bounds, cell)
    counted = records_count(source, grid=Grid(left=bounds[0], top=bounds[3], cell=cell, height=height, width=width))
    assert source.count == counted.records
    return counted.pixels, transform


@pytest.mark.django_db
def test_pixel_counts_from_postgis_equal_numpy_binning_of_the_same_points_edges_and_outside_included():
    rng = np.random.default_rng(14)
    xs = np.concatenate([rng.normal(185_000, 1_500, 4_000), rng.uniform(179_000, 191_000, 1_000),
                         180_000 + CELL * np.arange(0, 120, 7.0), [190_000.0, 179_999.99]])
    ys = np.concatenate([rng.normal(546_000, 2_000, 4_000), rng.uniform(539_000, 553_000, 1_000),
                         552_000 - CELL * np.arange(0, 120, 7.0), [552_000.0, 540_000.0]])
    counts, transform = _pixel_counts(_staged(xs, ys), bounds=BOUNDS, cell=CELL)
    density_points, nearby_points, transform_points = kernel_density(xs, ys, bounds=BOUNDS, cell=CELL, bandwidth=500)
    density, nearby = kernel_density_counts(counts, cell=CELL, bandwidth=500)
    assert transform == transform_points
    assert 0 < counts.sum() < len(xs)  # some points fall outside the grid and are left out on both sides
    assert np.array_equal(density, density_points) and np.array_equal(nearby, nearby_points)
