"""A small real base map for tests: Seoul's own open data written as a PMTiles archive in the
Protomaps basemap schema (https://docs.protomaps.com/basemaps/layers), with the `pmtiles` writer.

- `earth`: the city's land, the union of the 25 gu (kind `earth`);
- `boundaries`: each gu's outline (kind `county`, kind_detail 6: Korea's si/gun/gu admin level);
- `places`: each of the 424 dongs at a point inside it (kind `neighbourhood`, `name`, `name:ko`, `name:en`);
- `pois`: subway stations (kind `station`, `name:en` romanised) and public libraries (kind `library`, Korean only).

No invented shapes: every geometry and name comes from data/seoul/ (SOURCES.md says where from).
"""
from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from shapely import affinity, box, make_valid, ops
from shapely.geometry import shape

from districts.romanize import romanize

DATA = Path(__file__).resolve().parents[2] / "data" / "seoul"
BBOX = (126.764, 37.413, 127.184, 37.715)
HALF = 20037508.342789244
EXTENT = 4096
BUFFER = 64


def _mercator(geom):
    def project(coords):
        x, y = coords[:, 0], coords[:, 1]
        return np.column_stack([x * HALF / 180.0, np.log(np.tan((90.0 + y) * math.pi / 360.0)) * HALF / math.pi])

    return shapely.transform(geom, project)


def _features():
    load = lambda name: json.loads((DATA / name).read_text(encoding="utf-8"))["features"]  # noqa: E731
    gu = [(f["properties"], make_valid(shape(f["geometry"]))) for f in load("seoul_gu.geojson")]
    layers = {
        "earth": [(_mercator(ops.unary_union([g for _p, g in gu])), {"kind": "earth"})],
        "boundaries": [(_mercator(g.boundary), {"kind": "county", "kind_detail": 6, "name": p["name"]}) for p, g in gu],
        "places": [], "pois": [],
    }
    for f in load("seoul_dong.geojson"):
        p, g = f["properties"], make_valid(shape(f["geometry"]))
        layers["places"].append((_mercator(g.representative_point()), {
            "kind": "neighbourhood", "min_zoom": 12, "name": p["name"], "name:ko": p["name"], "name:en": p["name_eng"],
            "script": "Hangul"}))
    for f in load("seoul_subway_stations.geojson"):
        name = f["properties"]["역사명"] + "역"
        layers["pois"].append((_mercator(shape(f["geometry"])), {
            "kind": "station", "min_zoom": 13, "name": name, "name:ko": name,
            "name:en": f"{romanize(f['properties']['역사명'])} Station", "script": "Hangul"}))
    for f in load("seoul_public_libraries.geojson"):
        if f["geometry"] is None:
            continue
        name = f["properties"]["도서관명"]
        layers["pois"].append((_mercator(shape(f["geometry"])), {
            "kind": "library", "min_zoom": 14, "name": name, "name:ko": name, "script": "Hangul"}))
    return layers


def _tile_bounds(z, x, y):
    size = 2 * HALF / 2 ** z
    west, north = -HALF + x * size, HALF - y * size
    return west, north - size, west + size, north


def _tile_range(z):
    n = 2 ** z
    tx = lambda lon: int((lon + 180) / 360 * n)  # noqa: E731
    ty = lambda lat: int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)  # noqa: E731
    return range(tx(BBOX[0]), tx(BBOX[2]) + 1), range(ty(BBOX[3]), ty(BBOX[1]) + 1)


def _encode(layers, z, x, y):
    w, s, e, n = _tile_bounds(z, x, y)
    pad = (e - w) * BUFFER / EXTENT
    clip = box(w - pad, s - pad, e + pad, n + pad)
    encoded = []
    for name, features in layers.items():
        out = []
        for geom, props in features:
            if not geom.intersects(clip):
                continue
            part = geom.intersection(clip) if geom.geom_type != "Point" else geom
            if part.is_empty:
                continue
            # to tile pixels: x from the west edge, y from the south edge (mapbox_vector_tile flips it)
            part = affinity.affine_transform(part, [EXTENT / (e - w), 0, 0, EXTENT / (n - s),
                                                    -w * EXTENT / (e - w), -s * EXTENT / (n - s)])
            out.append({"geometry": part.wkt, "properties": props})
        if out:
            encoded.append({"name": name, "features": out})
    if not encoded:
        return None
    return mapbox_vector_tile.encode(encoded, default_options={"extents": EXTENT})


def write_seoul_archive(path: Path, minzoom: int = 9, maxzoom: int = 14) -> Path:
    layers = _features()
    tiles = []
    for z in range(minzoom, maxzoom + 1):
        xs, ys = _tile_range(z)
        for x in xs:
            for y in ys:
                data = _encode(layers, z, x, y)
                if data:
                    tiles.append((zxy_to_tileid(z, x, y), gzip.compress(data, mtime=0)))
    tiles.sort()
    with open(path, "wb") as fh:
        writer = Writer(fh)
        for tile_id, data in tiles:
            writer.write_tile(tile_id, data)
        lon, lat = (BBOX[0] + BBOX[2]) / 2, (BBOX[1] + BBOX[3]) / 2
        writer.finalize(
            {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP, "min_zoom": minzoom, "max_zoom": maxzoom,
             "min_lon_e7": int(BBOX[0] * 1e7), "min_lat_e7": int(BBOX[1] * 1e7),
             "max_lon_e7": int(BBOX[2] * 1e7), "max_lat_e7": int(BBOX[3] * 1e7),
             "center_zoom": 11, "center_lon_e7": int(lon * 1e7), "center_lat_e7": int(lat * 1e7)},
            {"name": "Seoul open data in the Protomaps basemap schema (tests)",
             "attribution": "서울 열린데이터광장, 통계청 SGIS (data/seoul/SOURCES.md)",
             "vector_layers": [{"id": name, "fields": {}} for name in ("earth", "boundaries", "places", "pois")]},
        )
    return path
