"""Kernel density as a GeoTIFF and as raster tiles; density classes; Getis-Ord Gi*."""
import io
import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from django.conf import settings
from PIL import Image
from pyproj import Transformer

from analysis.layers import output_layer
from analysis.models import AnalysisCell
from analysis.raster import NODATA
from analysis.services import analysis_publish

from .conftest import CITY_HALL, COEX, CONTRIBUTED_LAYER, GANGNAM_STATION, JAMSIL_STATION

YEOUIDO, NOWON = (126.9246, 37.5219), (127.0565, 37.6542)

TO_5186 = Transformer.from_crs(4326, 5186, always_xy=True)
TO_4326 = Transformer.from_crs(5186, 4326, always_xy=True)


def _tile_of(lon, lat, z):
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def hotspot(contributed, analyst, run_analysis):
    contributed.add(contributed.spread(CITY_HALL, 30, step=0.0003))
    contributed.add([JAMSIL_STATION])  # a lone record: must not show on its own
    # other lone records across the city, as real data has: together the suppressed cells hold k records,
    # so the cluster's cell stays shown (else secondary suppression would hide it, as a hex aggregation does)
    contributed.add([GANGNAM_STATION, COEX, YEOUIDO, NOWON])
    return run_analysis(analyst, "hotspot", {"source": CONTRIBUTED_LAYER, "bandwidth_m": 500, "cell_size_m": 100,
                                             "hex_size_m": 500})


def test_density_geotiff_has_crs_transform_and_peak_where_points_cluster(hotspot):
    output = hotspot.outputs.get(key="density")
    assert output.kind == "raster"
    with rasterio.open(Path(settings.MEDIA_ROOT) / output.raster_path) as src:
        assert src.crs.to_epsg() == 5186
        assert (src.transform.a, src.transform.e) == (100.0, -100.0)
        assert src.transform.b == 0 and src.transform.d == 0
        assert src.nodata == NODATA
        data = src.read(1)
        row, col = np.unravel_index(np.argmax(data), data.shape)
        x, y = src.xy(row, col)
        # Seoul's extent plus the bandwidth lies inside the raster
        left, bottom = TO_5186.transform(126.7645, 37.4288)
        right, top = TO_5186.transform(127.1835, 37.7015)
        assert src.bounds.left <= left - 500 and src.bounds.right >= right + 500
        assert src.bounds.bottom <= bottom - 500 and src.bounds.top >= top + 500
        lone_row, lone_col = src.index(*TO_5186.transform(*JAMSIL_STATION))
        lone = data[lone_row, lone_col]
    peak_lon, peak_lat = TO_4326.transform(x, y)
    hall_x, hall_y = TO_5186.transform(*CITY_HALL)
    # the records enter at the centre of their 500 m hex cell (k-protected counts): the peak is there
    assert math.hypot(x - hall_x, y - hall_y) < 500 + 100, (peak_lon, peak_lat)
    assert lone == 0  # its hex cell holds fewer than k: it never enters the density
    assert output.stats["k_applied"] is True
    # 30 records at one cell centre under a 500 m quartic kernel: 30·3/(π·0.25 km²) ≈ 115 per km² at the peak
    assert 80 < data.max() < 120
    assert output.stats["records"] is None and output.stats["records_used"] == 30


def test_density_raster_tile_renders_colours_near_the_cluster_and_nothing_far_away(hotspot):
    layer = output_layer(hotspot.outputs.get(key="density"))
    assert layer.kind == "raster"
    x, y = _tile_of(*CITY_HALL, 13)
    png = layer.raster_tile(13, x, y)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (256, 256) and image.mode == "RGBA"
    alpha = np.asarray(image)[..., 3]
    assert 0 < (alpha > 0).mean() < 1
    assert layer.raster_tile(13, *_tile_of(*JAMSIL_STATION, 13)) is None  # the lone record is suppressed
    assert layer.raster_tile(10, 0, 0) is None  # far from Seoul


def test_published_hotspot_raster_tile_is_served_as_png(hotspot, analyst, api):
    x, y = _tile_of(*CITY_HALL, 12)
    layer = hotspot.outputs.get(key="density").layer_name
    assert api.get(f"/tiles/{layer}/12/{x}/{y}.png").status_code == 404  # a draft is not public
    analysis_publish(analysis=hotspot, user=analyst)
    response = api.get(f"/tiles/{layer}/12/{x}/{y}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert Image.open(io.BytesIO(body)).size == (256, 256)
    tilejson = api.get(f"/tiles/{layer}.json").json()
    assert "/{z}/{x}/{y}.png?v=" in tilejson["tiles"][0]


def test_density_classes_are_polygons_around_the_cluster(hotspot):
    classes = list(AnalysisCell.objects.filter(output__analysis=hotspot, output__key="classes").order_by("klass"))
    assert classes and [c.klass for c in classes] == sorted({c.klass for c in classes})
    top = classes[-1]
    assert top.geom.geom_type in ("Polygon", "MultiPolygon")
    from django.contrib.gis.geos import Point
    assert top.geom.distance(Point(*CITY_HALL, srid=4326)) < 0.002
    assert not any(c.geom.intersects(Point(*JAMSIL_STATION, srid=4326)) for c in classes)


def test_getis_ord_marks_the_cluster_hot_and_suppresses_sparse_neighbourhoods(hotspot):
    cells = list(AnalysisCell.objects.filter(output__analysis=hotspot, output__key="gistar"))
    from django.contrib.gis.geos import Point
    hall = next(c for c in cells if c.geom.intersects(Point(*CITY_HALL, srid=4326)))
    assert hall.value > 2.576 and hall.klass == 3 and hall.p_value < 0.01
    lone = next(c for c in cells if c.geom.intersects(Point(*JAMSIL_STATION, srid=4326)))
    assert lone.suppressed and lone.value is None and lone.count is None
    # neighbourhood counts overlap (their differences would count single cells): never published, and the
    # z-score only to one decimal
    shown = [c for c in cells if not c.suppressed]
    assert shown and all(c.count is None and c.value == round(c.value, 1) for c in shown)
    output = hotspot.outputs.get(key="gistar")
    assert output.stats["suppressed"] == sum(c.suppressed for c in cells)


def test_getis_ord_z_scores_match_the_textbook_formula_on_open_data(toilets, analyst, run_analysis):
    analysis = run_analysis(analyst, "hotspot", {"source": "dataset-seoul_public_toilets", "hex_size_m": 2000,
                                                 "bandwidth_m": 1000, "cell_size_m": 250})
    cells = list(AnalysisCell.objects.filter(output__analysis=analysis, output__key="gistar").order_by("key"))
    assert not any(c.suppressed for c in cells)
    # recompute Gi* for a few cells from the stored geometry: neighbours are the hexes that touch
    counts = {c.key: 0 for c in cells}
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.key, count(f.id) FROM analysis_analysiscell c
            JOIN layers_datasetfeature f ON f.dataset_id = %s AND ST_Intersects(c.geom, f.geom)
            WHERE c.output_id = %s GROUP BY c.key
        """, [toilets.pk, analysis.outputs.get(key="gistar").pk])
        counts.update(dict(cursor.fetchall()))
    x = np.array([counts[c.key] for c in cells], dtype=float)
    n, mean = len(x), x.mean()
    s = math.sqrt((x ** 2).mean() - mean ** 2)
    for cell in cells[::25]:
        neighbours = [i for i, other in enumerate(cells) if other.geom.distance(cell.geom) < 1e-7]
        w = len(neighbours)
        z = (x[neighbours].sum() - mean * w) / (s * math.sqrt((n * w - w ** 2) / (n - 1)))
        assert cell.value == pytest.approx(z, abs=0.05)
