"""Kernel density rasters: computed with numpy, written as GeoTIFF with rasterio, served as PNG tiles."""
import io
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
from PIL import Image
from rasterio.crs import CRS
from affine import Affine
from rasterio.warp import Resampling, reproject, transform_bounds

NODATA = -9999.0
TILE_SIZE = 256
WEB_MERCATOR_HALF = 20037508.342789244
# light yellow to dark red (ColorBrewer YlOrRd), one colour per class
RAMP = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026", "#800026"]


def ramp(classes: int) -> list[str]:
    """`classes` colours spread over the ramp, light to dark."""
    if classes >= len(RAMP):
        return RAMP[:classes]
    return [RAMP[round(i * (len(RAMP) - 1) / (classes - 1))] for i in range(classes)]


def _fft_convolve(grid: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Same-size 2-D convolution with zero padding (no wrap-around)."""
    kh, kw = kernel.shape
    shape = (grid.shape[0] + kh - 1, grid.shape[1] + kw - 1)
    full = np.fft.irfft2(np.fft.rfft2(grid, shape) * np.fft.rfft2(kernel, shape), shape)
    top, left = kh // 2, kw // 2
    return full[top:top + grid.shape[0], left:left + grid.shape[1]]


def grid_shape(bounds: tuple[float, float, float, float], cell: float) -> tuple[int, int, object]:
    """(height, width, transform) of the pixel grid over `bounds` (north up)."""
    xmin, ymin, xmax, ymax = bounds
    width, height = int(round((xmax - xmin) / cell)), int(round((ymax - ymin) / cell))
    return height, width, Affine(cell, 0.0, xmin, 0.0, -cell, ymax)


def point_counts(xs: np.ndarray, ys: np.ndarray, *, bounds: tuple[float, float, float, float],
                 cell: float) -> np.ndarray:
    """Points binned to the pixel grid: column floor((x - xmin) / cell), row floor((ymax - y) / cell)."""
    xmin, _, _, ymax = bounds
    height, width, _ = grid_shape(bounds, cell)
    counts = np.zeros((height, width), dtype=np.float64)
    cols = np.floor((xs - xmin) / cell).astype(np.int64)
    rows = np.floor((ymax - ys) / cell).astype(np.int64)
    inside = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
    np.add.at(counts, (rows[inside], cols[inside]), 1.0)
    return counts


def kernel_density_counts(counts: np.ndarray, *, cell: float, bandwidth: float) -> tuple[np.ndarray, np.ndarray]:
    """Quartic-kernel density (records per km²) and records within `bandwidth` of each pixel, from binned counts.

    Memory is a few arrays of the grid's size, whatever the number of points.
    """
    radius = int(math.ceil(bandwidth / cell))
    offsets = np.arange(-radius, radius + 1) * cell
    dist2 = offsets[None, :] ** 2 + offsets[:, None] ** 2
    within = dist2 < bandwidth ** 2
    kernel = np.where(within, 3.0 / (math.pi * bandwidth ** 2) * (1.0 - dist2 / bandwidth ** 2) ** 2, 0.0)
    density = _fft_convolve(counts, kernel) * 1e6  # per m² → per km²
    nearby = np.rint(_fft_convolve(counts, within.astype(np.float64)))
    density[density < 1e-9] = 0.0  # FFT round-off where there are no points
    return density, nearby


def kernel_density(xs: np.ndarray, ys: np.ndarray, *, bounds: tuple[float, float, float, float],
                   cell: float, bandwidth: float) -> tuple[np.ndarray, np.ndarray, object]:
    """Quartic-kernel density of points (records per km²) and the records within `bandwidth` of each pixel.

    Points are binned to the pixel grid (error at most half a cell), then convolved with the
    kernel: the same points give the same raster, bit for bit.
    """
    counts = point_counts(xs, ys, bounds=bounds, cell=cell)
    density, nearby = kernel_density_counts(counts, cell=cell, bandwidth=bandwidth)
    return density, nearby, grid_shape(bounds, cell)[2]


def geotiff_write(path: Path, data: np.ndarray, *, transform, srid: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype="float32",
        crs=CRS.from_epsg(srid), transform=transform, nodata=NODATA, compress="deflate",
    ) as dst:
        dst.write(data.astype(np.float32), 1)
        dst.update_tags(units="records per km2")


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web Mercator bounds of an XYZ tile."""
    size = 2 * WEB_MERCATOR_HALF / (1 << z)
    xmin = -WEB_MERCATOR_HALF + x * size
    ymax = WEB_MERCATOR_HALF - y * size
    return xmin, ymax - size, xmin + size, ymax


@lru_cache(maxsize=16)
def _raster(path: str, mtime: float):
    with rasterio.open(path) as src:
        data = src.read(1)
        bounds3857 = transform_bounds(src.crs, CRS.from_epsg(3857), *src.bounds)
        return data, src.transform, src.crs, bounds3857


def raster_tile_png(path: Path, z: int, x: int, y: int, *, breaks: list[float], colors: list[str]) -> bytes | None:
    """A 256×256 PNG of the GeoTIFF in the tile, coloured by class; transparent where zero or suppressed.

    None when the tile does not touch the raster or shows nothing.
    """
    if not path.exists():
        return None
    data, transform, crs, (rxmin, rymin, rxmax, rymax) = _raster(str(path), path.stat().st_mtime)
    xmin, ymin, xmax, ymax = tile_bounds(z, x, y)
    if xmin >= rxmax or xmax <= rxmin or ymin >= rymax or ymax <= rymin:
        return None
    out = np.full((TILE_SIZE, TILE_SIZE), NODATA, dtype=np.float32)
    reproject(
        source=data, destination=out, src_transform=transform, src_crs=crs, src_nodata=NODATA,
        dst_transform=Affine((xmax - xmin) / TILE_SIZE, 0.0, xmin, 0.0, -(ymax - ymin) / TILE_SIZE, ymax), dst_crs=CRS.from_epsg(3857),
        dst_nodata=NODATA, resampling=Resampling.bilinear,
    )
    shown = (out != NODATA) & (out > 0)
    if not shown.any():
        return None
    klass = np.digitize(out, np.asarray(breaks, dtype=np.float64))  # 0: below the first break
    rgba = np.zeros((TILE_SIZE, TILE_SIZE, 4), dtype=np.uint8)
    for index, color in enumerate(colors, start=1):
        where = shown & (klass == index)
        rgba[where] = [int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16), 190]
    if not rgba[..., 3].any():
        return None
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
