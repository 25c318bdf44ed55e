"""Tiles, TileJSON and styles (mounted at the site root by layers/urls_tiles.py).

A cached tile costs a registry lookup (in memory; a family layer such as `map-12` resolves
its object with one query that is also its permission check) and a cache read. A missed
tile adds the one `ST_AsMVT` query of layers/tiles.py.
"""
from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from .access import layer_for_viewer, request_viewer
from .cache import cache_clock, tile_cache, tile_variant
from .selectors import layer_tile_version
from .styles import map_style, tilejson
from .tilegrid import MAX_ZOOM, tile_valid
from .tiles import render_vector_tile
from django.utils.translation import gettext_lazy as _

MVT_TYPE = "application/vnd.mapbox-vector-tile"

# The gzip of stored and served MVT tiles: ISA-L's (python-isal) at its level 1, 4-5 times less CPU than zlib's level 1
# for 1-3 % more bytes (bench/lightbench.py: 0.24 against 1.28 ms for a 144 KB tile, 0.03 against 0.11 ms for a
# 10 KB one); an uncached tile is CPU-bound, so this is the level that pays. Any gzip reader reads it, so tiles
# already in a cache (zlib's) stay readable as they are. zlib's level 1 if isal is missing (a virtualenv set up
# before isal joined pyproject.toml: bin/setup installs it).
try:
    from isal import igzip as _gzip

    GZIP_CODEC, GZIP_LEVEL = "isal", 1
except ImportError:  # pragma: no cover - bin/setup installs isal
    import gzip as _gzip

    GZIP_CODEC, GZIP_LEVEL = "zlib", 1
    logging.getLogger(__name__).warning("isal is not installed: tiles are gzipped by zlib (run bin/setup)")


def _bad_request(message) -> JsonResponse:
    return JsonResponse({"detail": str(message)}, status=400,
                        json_dumps_params={"ensure_ascii": False})


def _cache_control(layer, version: str | None) -> str:
    """What a browser or an edge cache may keep (docs/CONTRACTS.md, "Tile URLs and caching").

    - a viewer-dependent layer: `private, no-store` (never kept by a shared cache);
    - a public layer's tile asked with the layer's current `v`: that URL's content never changes,
      `public, max-age=TILES_IMMUTABLE_MAX_AGE, immutable`;
    - a public tile without `v`, or with another one: `public, max-age=TILES_MAX_AGE` (default 0, must-revalidate).
    """
    if not layer.public:
        return "private, no-store"
    current = None if version is None else layer_tile_version(layer, max_age=settings.TILES_VERSION_MEMO)
    return public_cache_control(version, current)


def public_cache_control(version: str | None, current: str | None) -> str:
    """Cache-Control of a public layer's tile asked with `v` = version while the layer's is `current`."""
    if version is not None and version == current:
        return f"public, max-age={int(settings.TILES_IMMUTABLE_MAX_AGE)}, immutable"
    max_age = int(getattr(settings, "TILES_MAX_AGE", 0))
    return f"public, max-age={max_age}, must-revalidate" if max_age == 0 else f"public, max-age={max_age}"


def _etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def etag_matches(header: str, etag: str) -> bool:
    """Whether an If-None-Match header names the tile's ETag."""
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags or "*" in tags


def _not_modified(request, etag: str) -> bool:
    return etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag)


def stored_vector_tile(data: bytes) -> bytes:
    """Stored (and served) form of an MVT tile: gzip; b"" when empty. The one place tiles are compressed, for
    the Django path and the light path of layers/asgi_tiles.py alike (so both serve the same bytes)."""
    return _gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0) if data else b""


def plain_vector_tile(stored: bytes) -> bytes:
    """The MVT bytes of a stored tile, for a client that does not take gzip."""
    return _gzip.decompress(stored)


def tile_headers(layer, version: str | None) -> dict:
    """The headers every answer for a tile of `layer` carries (layers/asgi_tiles.py sends the same)."""
    headers = {"Cache-Control": _cache_control(layer, version), "Access-Control-Allow-Origin": "*"}
    if not layer.public:
        headers["Vary"] = "Cookie, Authorization"
        del headers["Access-Control-Allow-Origin"]
    return headers


def render_tile(layer, viewer, z, x, y, fmt, using: str | None = None) -> bytes:
    """Stored form of a tile: gzip for MVT, PNG as it is; b"" when empty. Read where the router says, or `using`."""
    if fmt == "png":
        return layer.raster_tile(z, x, y) or b""
    return stored_vector_tile(render_vector_tile(layer, viewer, z, x, y, using=using))


@require_GET
def tile(request, layer, z, x, y, fmt):
    z, x, y = int(z), int(x), int(y)
    if not tile_valid(z, x, y):
        return _bad_request(
            _("Tile %(tile)s does not exist: zoom is 0-%(max)s and x, y are 0-2^zoom-1.")
            % {"tile": f"{z}/{x}/{y}", "max": MAX_ZOOM})
    viewer = request_viewer(request)
    layer_obj = layer_for_viewer(layer, viewer, kind="raster" if fmt == "png" else "vector")
    headers = tile_headers(layer_obj, request.GET.get("v"))
    if z < layer_obj.minzoom:
        return HttpResponse(status=204, headers=headers)
    variant = tile_variant(version=layer_obj.version(), permission=layer_obj.permission_key(viewer),
                           fmt="png" if fmt == "png" else "mvt")
    cache = tile_cache()
    data = cache.get(layer_obj.name, z, x, y, variant)
    headers["X-Tile-Cache"] = "hit"
    if data is None:
        headers["X-Tile-Cache"] = "miss"
        started = cache_clock()
        data = render_tile(layer_obj, viewer, z, x, y, fmt)
        cache.set(layer_obj.name, z, x, y, variant, data, started)
    if not data:
        return HttpResponse(status=204, headers=headers)
    etag = _etag(data)
    headers["ETag"] = etag
    if _not_modified(request, etag):
        return HttpResponse(status=304, headers=headers)
    if fmt == "png":
        return HttpResponse(data, content_type="image/png", headers=headers)
    headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept-Encoding"]))
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        headers["Content-Encoding"] = "gzip"
        return HttpResponse(data, content_type=MVT_TYPE, headers=headers)
    return HttpResponse(plain_vector_tile(data), content_type=MVT_TYPE, headers=headers)


def _json(doc: dict, layer=None) -> JsonResponse:
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False})
    # TileJSON and styles name the current tile URLs: never kept without asking again
    response["Cache-Control"] = "private, no-store" if layer is not None and not layer.public else "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*" if layer is None or layer.public else ""
    if not response["Access-Control-Allow-Origin"]:
        del response["Access-Control-Allow-Origin"]
    return response


@require_GET
def tilejson_view(request, layer):
    layer_obj = layer_for_viewer(layer, request_viewer(request))
    return _json(tilejson(request, layer_obj), layer_obj)


@require_GET
def style_view(request, layer):
    layer_obj = layer_for_viewer(layer, request_viewer(request))
    return _json(map_style(request, [layer_obj], layer_obj.title(getattr(request, "LANGUAGE_CODE", "ko"))),
                 layer_obj)


MAX_COMBINED = 30


@require_GET
def combined_style_view(request):
    names = [n for n in request.GET.get("layers", "").split(",") if n.strip()]
    if not names:
        return _bad_request(_("Name the layers: ?layers=a,b"))
    if len(names) > MAX_COMBINED:
        return _bad_request(_("At most %(n)s layers in one style.") % {"n": MAX_COMBINED})
    viewer = request_viewer(request)
    layers = [layer_for_viewer(name.strip(), viewer) for name in dict.fromkeys(names)]
    response = _json(map_style(request, layers, "geoplatform"))
    if not all(layer.public for layer in layers):
        response["Cache-Control"] = "private, no-store"
        if "Access-Control-Allow-Origin" in response:
            del response["Access-Control-Allow-Origin"]
    return response

