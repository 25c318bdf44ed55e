"""The city's vector base map: one PMTiles archive on this server's disk, served tile by tile.

`BASEMAP_PMTILES` names a PMTiles v3 archive of vector tiles in the Protomaps basemap schema
(https://docs.protomaps.com/basemaps/layers: `earth`, `water`, `landuse`, `roads`, `buildings`,
`boundaries`, `places`, `pois`, …), e.g. Seoul cut from the Protomaps daily planet build with
`pmtiles extract` (README, "Base maps"). Browsers read it as `/basemap/{z}/{x}/{y}.mvt` (a tile is
answered as stored, gzip and all, with `Content-Encoding: gzip`; a tile the archive does not hold is a
204, as for platform layers) and draw it with the style layers of npm `@protomaps/basemaps`, labels in
the reader's language from the tiles' `name:ko` / `name:en` (frontend/static/frontend/js/map/index.js).

The archive is opened once per process (memory-mapped; the operating system pages in what is read)
and reopened when the file's path, size or modification time changes, so a new extract needs no
restart. Nothing is fetched from anywhere else.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

from .tilegrid import tile_valid

MVT_TYPE = "application/vnd.mapbox-vector-tile"
TILE_URL = "/basemap/{z}/{x}/{y}.mvt"
MAX_AGE = 86400  # an extract changes rarely; a day in browsers keeps panning cheap


@dataclass(frozen=True)
class Archive:
    path: Path
    stamp: tuple[int, int]
    reader: Reader
    header: dict
    attribution: str

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        return self.reader.get(z, x, y)

    def source(self) -> dict:
        """The MapLibre source for the archive (what the JS configuration carries)."""
        h = self.header
        bounds = [h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7]
        return {"tiles": [TILE_URL], "minzoom": h["min_zoom"], "maxzoom": h["max_zoom"], "bounds": bounds,
                "attribution": settings.BASEMAP_ATTRIBUTION or self.attribution}


_lock = threading.Lock()
_open: dict[str, Archive] = {}


def basemap_archive() -> Archive | None:
    """The configured archive, or None when there is none (offline: the districts are the base)."""
    name = getattr(settings, "BASEMAP_PMTILES", "")
    if not name:
        return None
    path = Path(name)
    try:
        st = os.stat(path)
    except OSError:
        return None
    stamp = (st.st_size, st.st_mtime_ns)
    archive = _open.get(str(path))
    if archive is not None and archive.stamp == stamp:
        return archive
    with _lock:
        with open(path, "rb") as fh:
            reader = Reader(MmapSource(fh))  # the mapping outlives the file object
        header = reader.header()
        if header["tile_type"] != TileType.MVT:
            raise ValueError(f"{path} holds {header['tile_type'].name} tiles; the base map needs vector (MVT) tiles.")
        attribution = str(reader.metadata().get("attribution", ""))
        archive = Archive(path=path, stamp=stamp, reader=reader, header=header, attribution=attribution)
        _open[str(path)] = archive
    return archive


def basemap_config() -> dict:
    """The base map as the JS configuration describes it: a vector archive and/or a raster URL."""
    archive = basemap_archive()
    return {"url": settings.BASEMAP_TILE_URL, "attribution": settings.BASEMAP_ATTRIBUTION,
            "vector": archive.source() if archive else None}


@require_GET
def basemap_tile(request, z: str, x: str, y: str):
    archive = basemap_archive()
    if archive is None:
        raise Http404("No base map is configured.")
    z, x, y = int(z), int(x), int(y)
    if not tile_valid(z, x, y):
        raise Http404("No such tile.")
    data = archive.tile(z, x, y) if archive.header["min_zoom"] <= z <= archive.header["max_zoom"] else None
    if not data:
        response = HttpResponse(status=204)
    else:
        response = HttpResponse(data, content_type=MVT_TYPE)
        compression = archive.header["tile_compression"]
        if compression == Compression.GZIP:
            response["Content-Encoding"] = "gzip"
        elif compression not in (Compression.NONE, Compression.UNKNOWN):
            raise ValueError(f"Base map tiles compressed with {compression.name} cannot be served to browsers.")
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
