"""Writes of the layer app: open datasets, and the one door by which every app tells the tile cache what changed."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.db import connections, router, transaction

from .aggregates import aggregates_rebuild, aggregates_refresh
from .cache import tile_cache
from .models import Dataset, DatasetFeature, LayerVersion
from .tasks import aggregates_rebuild_task, aggregates_refresh_task
from .tilegrid import MAX_ZOOM, tile_range


@transaction.atomic
def dataset_load_geojson(*, slug: str, path: Path, progress=None, **fields) -> Dataset:
    """Create or replace a dataset from a GeoJSON file (idempotent: same file, same rows)."""
    dataset, _ = Dataset.objects.update_or_create(slug=slug, defaults=fields)
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    dataset.features.all().delete()
    rows = []
    for i, feature in enumerate(features, 1):
        props = feature.get("properties") or {}
        rows.append(DatasetFeature(
            dataset=dataset,
            name=str(props.get(dataset.name_property) or "")[:300] if dataset.name_property else "",
            properties=props,
            geom=GEOSGeometry(json.dumps(feature["geometry"]), srid=4326),
        ))
        if progress:
            progress(i)
    DatasetFeature.objects.bulk_create(rows, batch_size=2000)
    from .datasets import dataset_layer

    aggregates_rebuild(layer=dataset_layer(dataset))
    return dataset


# --- the tile cache: the one invalidation door for every app -------------------------------
def _bbox_4326(geometry: GEOSGeometry) -> tuple[float, float, float, float] | None:
    if geometry is None or geometry.empty:
        return None
    if geometry.srid and geometry.srid != 4326:
        geometry = geometry.transform(4326, clone=True)
    return geometry.extent


def tile_ranges_for(geometries: Iterable[GEOSGeometry], maxzoom: int = MAX_ZOOM) -> dict[int, list[tuple]]:
    """The tiles (with their buffers) that the geometries touch, per zoom."""
    boxes = [b for b in (_bbox_4326(g) for g in geometries) if b is not None]
    return {z: [tile_range(b, z) for b in boxes] for z in range(0, maxzoom + 1)} if boxes else {}


def tile_cache_invalidate(*, layer_name: str, geometries: list[GEOSGeometry]) -> None:
    """Drop the cached tiles the geometries touch, at every zoom, once the transaction commits.

    Pass the old and the new geometry of a moved feature. Called inside an atomic block,
    the work waits for the commit (a rolled-back write invalidates nothing); outside one it
    runs at once.
    """
    geometries = [g for g in geometries if g is not None]
    if not geometries:
        return

    def changed():
        # aggregates first, then the version, then the cache: nothing can render (and keep) the old state
        # under the new version or after the invalidation
        layer = aggregated_layer(layer_name)
        if layer is not None and not aggregates_refresh(layer=layer, geometries=geometries, wait=False):
            # a rebuild holds the layer's lock: the worker refreshes after it, then changes the URLs again (the
            # zooms drawn from the rows are current at once, the aggregated ones once the rebuild has ended)
            aggregates_refresh_task.enqueue(layer_name=layer_name,
                                            geometries=[g.hexewkb.decode() for g in geometries])
        layer_counter_bump(layer_name)
        tile_cache().invalidate(layer_name, tile_ranges_for(geometries))

    transaction.on_commit(changed)


def layer_version_bump(*, layer_name: str) -> None:
    """The layer changed as a whole (style, fields, visibility): drop all its cached tiles after commit.

    An aggregated layer's rows are rebuilt in the background worker (`layers.tasks.aggregates_rebuild_task`: 76 s
    per million reports, never in a request, never holding up other writers' commit hooks), which changes the tile
    URLs again once they commit; meanwhile the zooms drawn from the rows show the change, the aggregated ones the
    old rows (old or new, never half: layers/aggregates.py)."""

    def changed():
        layer_counter_bump(layer_name)
        tile_cache().drop_layer(layer_name)
        if aggregated_layer(layer_name) is not None:
            aggregates_rebuild_task.enqueue(layer_name=layer_name)

    transaction.on_commit(changed)


def aggregated_layer(layer_name: str):
    """The registry's layer of that name when its low zooms are pre-aggregated (layers/aggregates.py), else None."""
    from .registry import registry

    layer = registry.get(layer_name)
    return layer if layer is not None and layer.aggregated else None


def layer_counter_bump(layer_name: str) -> None:
    """One more committed change of the layer: its tile URLs change (`layers.selectors.layer_tile_version`).

    An upsert in one statement (autocommit, after the change's own commit): no row lock is held
    across the editing transaction, and concurrent edits each add one.
    """
    with connections[router.db_for_write(LayerVersion)].cursor() as cursor:
        cursor.execute(
            "INSERT INTO layers_layerversion (name, counter, changed_at) VALUES (%s, 1, now()) "
            "ON CONFLICT (name) DO UPDATE SET counter = layers_layerversion.counter + 1, changed_at = now()",
            [layer_name[:140]])


def basemap_osm_load(*, path: Path, batch_size: int = 5000) -> dict[str, int]:
    """Replace the base map's OpenStreetMap features (BasemapFeature) with those of an extract (`.osm.pbf` or
    `.osm`, read by GDAL's OSM driver: layers/osm.py), in one transaction: readers see the old set or the new one,
    never half. Answers the count per layer of the Protomaps schema (`roads`, `water`, …)."""
    from collections import Counter

    from .models import BasemapFeature
    from .osm import osm_features

    counts: Counter = Counter()
    limit = BasemapFeature._meta.get_field("name").max_length
    with transaction.atomic():
        BasemapFeature.objects.all().delete()
        batch = []
        for feature in osm_features(path):
            names = {key: value[:limit] for key, value in feature.names.items()}
            batch.append(BasemapFeature(osm_id=feature.osm_id, osm_type=feature.osm_type, kind=feature.kind,
                                        layer=feature.layer, tags=feature.tags, geom=feature.geom, **names,
                                        **feature.schema))
            counts[feature.layer] += 1
            if len(batch) >= batch_size:
                BasemapFeature.objects.bulk_create(batch)
                batch = []
        BasemapFeature.objects.bulk_create(batch)
    return dict(counts)


BASEMAP_TILE_LAYERS = {  # a tile's layer in the Protomaps schema ← our BasemapFeature layers
    "landuse": ("landuse",), "water": ("water",), "roads": ("roads", "transit"), "buildings": ("buildings",),
    "boundaries": ("boundaries",), "places": ("places",), "pois": ("pois",),
}
BASEMAP_TILE_SQL = """
SELECT ST_AsMVT(t, %(name)s, 4096, 'geom') FROM (
  SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom,
         f.schema_kind AS kind, NULLIF(f.kind_detail, '') AS kind_detail, f.min_zoom,
         NULLIF(f.name, '') AS name, NULLIF(f.name_ko, '') AS "name:ko", NULLIF(f.name_en, '') AS "name:en"
  FROM layers_basemapfeature f
  WHERE f.layer = ANY(%(sources)s) AND f.min_zoom <= %(z)s
    AND f.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096), 4326)
) t WHERE t.geom IS NOT NULL
"""
BASEMAP_EARTH_SQL = """
SELECT ST_AsMVT(t, 'earth', 4096, 'geom') FROM (
  SELECT ST_AsMVTGeom(ST_Transform(ST_SetSRID(%(extent)s::box2d::geometry, 4326), 3857),
                      ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom, 'earth' AS kind
) t WHERE t.geom IS NOT NULL
"""


def basemap_build(*, output: Path, minzoom: int = 8, maxzoom: int = 15) -> int:
    """Write the base map's tiles, from the OpenStreetMap features `load_osm` stored, as a PMTiles archive in the
    Protomaps basemap schema (what `BASEMAP_PMTILES` serves and the web app's base style draws). `earth` is the
    extract's extent (an extract carries no coastline: land unless water is drawn over it). Answers the tiles
    written; tiles nothing falls in are left out (the server answers 204 for them)."""
    import gzip

    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    from django.contrib.gis.db.models import Extent

    from .models import BasemapFeature
    from .tilegrid import tile_range

    extent = BasemapFeature.objects.aggregate(e=Extent("geom"))["e"]
    if extent is None:
        raise ValueError("No OpenStreetMap features are loaded: run `manage.py load_osm EXTRACT` first.")
    box = f"BOX({extent[0]} {extent[1]},{extent[2]} {extent[3]})"
    tiles = []
    with connections[router.db_for_read(BasemapFeature)].cursor() as cursor:
        for z in range(minzoom, maxzoom + 1):
            x0, y0, x1, y1 = tile_range(tuple(extent), z)
            for x, y in ((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)):
                cursor.execute(BASEMAP_EARTH_SQL, {"extent": box, "z": z, "x": x, "y": y})
                parts = [bytes(cursor.fetchone()[0] or b"")]
                for name, sources in BASEMAP_TILE_LAYERS.items():
                    cursor.execute(BASEMAP_TILE_SQL, {"name": name, "sources": list(sources), "z": z, "x": x, "y": y})
                    parts.append(bytes(cursor.fetchone()[0] or b""))
                data = b"".join(parts)  # MVT layers concatenate into one tile
                if data:
                    tiles.append((zxy_to_tileid(z, x, y), gzip.compress(data, mtime=0)))
    tiles.sort()
    lon, lat = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
    with open(output, "wb") as fh:
        writer = Writer(fh)
        for tile_id, data in tiles:
            writer.write_tile(tile_id, data)
        writer.finalize(
            {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP, "min_zoom": minzoom, "max_zoom": maxzoom,
             "min_lon_e7": int(extent[0] * 1e7), "min_lat_e7": int(extent[1] * 1e7),
             "max_lon_e7": int(extent[2] * 1e7), "max_lat_e7": int(extent[3] * 1e7),
             "center_zoom": min(max(minzoom, 12), maxzoom), "center_lon_e7": int(lon * 1e7),
             "center_lat_e7": int(lat * 1e7)},
            {"name": "OpenStreetMap (load_osm) in the Protomaps basemap schema",
             "attribution": "© OpenStreetMap contributors",
             "vector_layers": [{"id": name, "fields": {}} for name in ("earth", *BASEMAP_TILE_LAYERS)]},
        )
    return len(tiles)
