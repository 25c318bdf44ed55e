"""Pre-built tilesets of a public layer, for offline/mobile use and CDN hosting.

PMTiles v3 (one file, tiles in Hilbert tile-id order, gzip MVT) and MBTiles 1.3
(SQLite: `metadata` with name, format=pbf, bounds, center, zooms and the `json`
vector_layers document; `tiles` in the TMS row order the spec asks for).
"""
from __future__ import annotations

from django.utils.translation import gettext
import gzip
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from .registry import Layer, Viewer
from .styles import layer_bounds
from .tiles import render_vector_tile

from .tilegrid import tiles_in_bbox

FORMATS = ("pmtiles", "mbtiles")


@dataclass
class BuildResult:
    path: Path
    tiles_written: int
    tiles_visited: int


def _vector_layers(layer: Layer, minzoom: int, maxzoom: int) -> list[dict]:
    fields = {name: "String" for name in layer.fields}
    if layer.geometry_type == "point":
        fields["count"] = "Number"
    return [{"id": layer.name, "description": layer.title_en, "minzoom": minzoom, "maxzoom": maxzoom,
             "fields": fields}]


def _rendered(layer: Layer, tiles, progress: Callable[[int], None] | None):
    viewer = Viewer.anonymous()
    for done, (z, x, y) in enumerate(tiles, 1):
        data = render_vector_tile(layer, viewer, z, x, y)
        if progress:
            progress(done)
        if data:
            yield z, x, y, gzip.compress(data, compresslevel=9, mtime=0)


def build_tileset(*, layer: Layer, minzoom: int, maxzoom: int, fmt: str, output: Path,
                  bbox: tuple[float, float, float, float] | None = None,
                  progress: Callable[[int], None] | None = None) -> BuildResult:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if layer.kind != "vector" or not layer.public:
        raise ValueError(gettext("Only public vector layers can be built into tilesets."))
    if not 0 <= minzoom <= maxzoom <= 22:
        raise ValueError(gettext("Zooms must satisfy 0 <= minzoom <= maxzoom <= 22."))
    bbox = tuple(bbox or layer_bounds(layer))
    tiles = list(tiles_in_bbox(bbox, minzoom, maxzoom))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    tmp.unlink(missing_ok=True)
    if fmt == "pmtiles":
        tiles.sort(key=lambda t: zxy_to_tileid(*t))
        written = _write_pmtiles(layer, tiles, tmp, bbox, minzoom, maxzoom, progress)
    else:
        written = _write_mbtiles(layer, tiles, tmp, bbox, minzoom, maxzoom, progress)
    tmp.replace(output)
    return BuildResult(path=output, tiles_written=written, tiles_visited=len(tiles))


def _center(bbox, minzoom, maxzoom):
    return (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2, max(minzoom, min(maxzoom, 12))


def _write_pmtiles(layer, tiles, path, bbox, minzoom, maxzoom, progress) -> int:
    written = 0
    with open(path, "wb") as fh:
        writer = Writer(fh)
        for z, x, y, data in _rendered(layer, tiles, progress):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
            written += 1
        if not written:
            raise ValueError(gettext("The layer has no features in that area and zoom range."))
        lon, lat, zoom = _center(bbox, minzoom, maxzoom)
        writer.finalize(
            {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
             "min_lon_e7": int(bbox[0] * 1e7), "min_lat_e7": int(bbox[1] * 1e7),
             "max_lon_e7": int(bbox[2] * 1e7), "max_lat_e7": int(bbox[3] * 1e7),
             "center_zoom": zoom, "center_lon_e7": int(lon * 1e7), "center_lat_e7": int(lat * 1e7)},
            {"name": layer.title_en, "description": layer.description_en, "attribution": layer.attribution,
             "vector_layers": _vector_layers(layer, minzoom, maxzoom)},
        )
    return written


def _write_mbtiles(layer, tiles, path, bbox, minzoom, maxzoom, progress) -> int:
    db = sqlite3.connect(path)
    try:
        db.executescript("""
            CREATE TABLE metadata (name TEXT, value TEXT);
            CREATE UNIQUE INDEX metadata_name ON metadata (name);
            CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
        """)
        written = 0
        batch = []
        for z, x, y, data in _rendered(layer, tiles, progress):
            batch.append((z, x, (2 ** z - 1) - y, data))  # MBTiles rows count from the south (TMS)
            written += 1
            if len(batch) >= 500:
                db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", batch)
                batch = []
        if batch:
            db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", batch)
        lon, lat, zoom = _center(bbox, minzoom, maxzoom)
        metadata = {
            "name": layer.title_en, "format": "pbf", "type": "overlay", "version": "1.0",
            "description": layer.description_en or layer.title_en, "attribution": layer.attribution,
            "bounds": ",".join(f"{v:.6f}" for v in bbox), "center": f"{lon:.6f},{lat:.6f},{zoom}",
            "minzoom": str(minzoom), "maxzoom": str(maxzoom),
            "json": json.dumps({"vector_layers": _vector_layers(layer, minzoom, maxzoom)}, ensure_ascii=False),
        }
        db.executemany("INSERT INTO metadata VALUES (?, ?)", list(metadata.items()))
        db.commit()
        return written
    finally:
        db.close()
