"""Web-Mercator tile arithmetic (XYZ scheme, as MapLibre and ST_TileEnvelope number tiles)."""
from __future__ import annotations

import math

MAX_ZOOM = 22
MAX_LAT = 85.0511287798066
TILE_EXTENT = 4096
TILE_BUFFER = 64


def lonlat_to_tile_fraction(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2 ** z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = (lon + 180.0) / 360.0 * n
    rad = math.radians(lat)
    y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n
    return x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a tile in degrees."""
    n = 2 ** z

    def lat(ty):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tile_valid(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def tile_range(bbox: tuple[float, float, float, float], z: int, margin: float = TILE_BUFFER / TILE_EXTENT):
    """Tiles (x0, y0, x1, y1 inclusive) whose buffered area meets the bbox (west, south, east, north).

    A feature near a tile's edge is also drawn in its neighbour's buffer, hence the margin.
    """
    west, south, east, north = bbox
    fx0, fy0 = lonlat_to_tile_fraction(west, north, z)
    fx1, fy1 = lonlat_to_tile_fraction(east, south, z)
    last = 2 ** z - 1
    x0 = max(0, min(last, math.floor(fx0 - margin)))
    y0 = max(0, min(last, math.floor(fy0 - margin)))
    x1 = max(0, min(last, math.floor(fx1 + margin)))
    y1 = max(0, min(last, math.floor(fy1 + margin)))
    return x0, y0, x1, y1


def tiles_in_bbox(bbox, minzoom: int, maxzoom: int):
    """Every (z, x, y) covering the bbox between the zooms, without margin (for tileset builds)."""
    for z in range(minzoom, maxzoom + 1):
        x0, y0, x1, y1 = tile_range(bbox, z, margin=0.0)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y


def count_tiles_in_bbox(bbox, minzoom: int, maxzoom: int) -> int:
    total = 0
    for z in range(minzoom, maxzoom + 1):
        x0, y0, x1, y1 = tile_range(bbox, z, margin=0.0)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total
