"""Rendered-tile cache: the file system by default, Redis when `TILES_CACHE_BACKEND=redis`, none with `none`.

An entry is addressed by layer, tile (z, x, y) and a *variant*: a digest of the layer's
version, the permission key of a viewer-dependent layer and the tile format. A new layer
version therefore never reads an old tile, and a private layer's tile is stored under the
permission key of those allowed to see it, never shared.

Invalidation drops every variant of the touched tiles. A render that started before an
invalidation of its layer is not stored (it may have read the old rows): each layer keeps
the time of its last invalidation, checked before a write.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

# A render that began less than this before an invalidation is not stored either (clock slack).
INVALIDATION_SLACK = 0.05
_clock = time.time  # tests replace it (a clock they move) instead of sleeping past the slack


def cache_clock() -> float:
    """Now, in the seconds that invalidation markers and render start times are compared in."""
    return _clock()


# Bumped when the tiles a layer version renders change shape (e.g. the cluster grid), so no cache serves old ones.
TILE_FORMAT = "2"


def tile_variant(*, version: str, permission: str = "", fmt: str = "mvt") -> str:
    key = f"{version}\x1f{permission}\x1f{fmt}\x1f{TILE_FORMAT}"
    return hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


class FilesystemTileCache:
    """`<root>/<layer>/<z>/<x>/<y>/<variant>`; writes are atomic (temp file + rename)."""

    blocking = False  # a local file: read on the event loop by layers/asgi_tiles.py (page cache, ~µs)

    def __init__(self, root):
        self.root = Path(root)
        self._root = str(self.root)

    def _tile_dir(self, layer: str, z: int, x: int, y: int) -> Path:
        return self.root / layer / str(z) / str(x) / str(y)

    def _marker(self, layer: str) -> Path:
        return self.root / layer / ".invalidated"

    def get(self, layer: str, z: int, x: int, y: int, variant: str) -> bytes | None:
        try:  # a plain string path: pathlib costs more than the read of a cached tile
            with open(f"{self._root}/{layer}/{z}/{x}/{y}/{variant}", "rb") as fh:
                return fh.read()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def invalidated_at(self, layer: str) -> float:
        try:
            return self._marker(layer).stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def set(self, layer: str, z: int, x: int, y: int, variant: str, data: bytes, started: float) -> bool:
        if self.invalidated_at(layer) >= started - INVALIDATION_SLACK:
            return False
        directory = self._tile_dir(layer, z, x, y)
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, directory / variant)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def _touch_marker(self, layer: str) -> None:
        marker = self._marker(layer)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        now = cache_clock()
        os.utime(marker, (now, now))

    def invalidate(self, layer: str, ranges: dict[int, list[tuple[int, int, int, int]]]) -> int:
        """Drop the cached tiles in the ranges ({z: [(x0, y0, x1, y1), …]}); visits only tiles that exist."""
        self._touch_marker(layer)
        dropped = 0
        for z, boxes in ranges.items():
            zdir = self.root / layer / str(z)
            try:
                xdirs = [(int(e.name), e.path) for e in os.scandir(zdir) if e.name.isdigit()]
            except FileNotFoundError:
                continue
            for x, xpath in xdirs:
                ys = [b for b in boxes if b[0] <= x <= b[2]]
                if not ys:
                    continue
                try:
                    entries = [(int(e.name), e.path) for e in os.scandir(xpath) if e.name.isdigit()]
                except FileNotFoundError:
                    continue
                for y, ypath in entries:
                    if any(b[1] <= y <= b[3] for b in ys):
                        shutil.rmtree(ypath, ignore_errors=True)
                        dropped += 1
        return dropped

    def drop_layer(self, layer: str) -> None:
        self._touch_marker(layer)
        base = self.root / layer
        for entry in list(os.scandir(base)) if base.exists() else []:
            if entry.name.isdigit():
                # rename first so a concurrent reader never sees a half-deleted zoom
                doomed = base / f".drop-{entry.name}-{time.time_ns()}"
                try:
                    os.rename(entry.path, doomed)
                except FileNotFoundError:
                    continue
                shutil.rmtree(doomed, ignore_errors=True)

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class RedisTileCache:
    """Hash `tiles:<layer>:<z>:<x>:<y>` (field = variant), with a set of cached x:y per layer and zoom."""

    # Ranges with at most this many tiles are deleted key by key; larger ones walk the zoom's index set.
    DIRECT_DELETE_LIMIT = 512
    blocking = True  # a network round trip: layers/asgi_tiles.py calls it from a thread

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    @staticmethod
    def _key(layer, z, x, y) -> str:
        return f"tiles:{layer}:{z}:{x}:{y}"

    @staticmethod
    def _index(layer, z) -> str:
        return f"tiles:{layer}:z{z}"

    @staticmethod
    def _marker(layer) -> str:
        return f"tiles:{layer}:invalidated"

    def get(self, layer, z, x, y, variant) -> bytes | None:
        return self.redis.hget(self._key(layer, z, x, y), variant)

    def invalidated_at(self, layer: str) -> float:
        value = self.redis.get(self._marker(layer))
        return float(value) if value else 0.0

    def set(self, layer, z, x, y, variant, data: bytes, started: float) -> bool:
        if self.invalidated_at(layer) >= started - INVALIDATION_SLACK:
            return False
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(self._key(layer, z, x, y), variant, data)
        pipe.sadd(self._index(layer, z), f"{x}:{y}")
        pipe.execute()
        return True

    def _touch_marker(self, layer):
        self.redis.set(self._marker(layer), repr(cache_clock()))

    def invalidate(self, layer, ranges) -> int:
        self._touch_marker(layer)
        dropped = 0
        for z, boxes in ranges.items():
            index = self._index(layer, z)
            members = []
            if sum((b[2] - b[0] + 1) * (b[3] - b[1] + 1) for b in boxes) <= self.DIRECT_DELETE_LIMIT:
                members = sorted({f"{x}:{y}" for b in boxes for x in range(b[0], b[2] + 1)
                                  for y in range(b[1], b[3] + 1)})
            else:
                for raw in self.redis.sscan_iter(index, count=1000):
                    x, y = (int(v) for v in raw.decode().split(":"))
                    if any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes):
                        members.append(f"{x}:{y}")
            if not members:
                continue
            pipe = self.redis.pipeline(transaction=False)
            for member in members:
                x, y = member.split(":")
                pipe.delete(self._key(layer, z, x, y))
            pipe.srem(index, *members)
            dropped += sum(pipe.execute()[:-1])
        return dropped

    def drop_layer(self, layer) -> None:
        self._touch_marker(layer)
        for z in range(0, 23):
            index = self._index(layer, z)
            batch = []
            for raw in self.redis.sscan_iter(index, count=1000):
                x, y = raw.decode().split(":")
                batch.append(self._key(layer, z, x, y))
                if len(batch) >= 1000:
                    self.redis.delete(*batch)
                    batch = []
            if batch:
                self.redis.delete(*batch)
            self.redis.delete(index)

    def clear(self) -> None:
        for key in self.redis.scan_iter("tiles:*", count=1000):
            self.redis.delete(key)


class NullTileCache:
    """`TILES_CACHE_BACKEND=none`: every tile rendered on request (behind a CDN, or to measure)."""

    blocking = False

    def get(self, layer, z, x, y, variant):
        return None

    def set(self, layer, z, x, y, variant, data, started) -> bool:
        return False

    def invalidate(self, layer, ranges) -> int:
        return 0

    def drop_layer(self, layer) -> None:
        return None

    def clear(self) -> None:
        return None


_lock = threading.Lock()
_caches: dict[tuple, object] = {}


def tile_cache():
    """The configured cache (one instance per process and configuration)."""
    backend = getattr(settings, "TILES_CACHE_BACKEND", "filesystem") or "filesystem"
    if backend == "redis":
        config = ("redis", settings.TILES_REDIS_URL)
    elif backend == "filesystem":
        config = ("filesystem", str(settings.TILES_CACHE_DIR))
    elif backend == "none":
        config = ("none", "")
    else:
        raise ValueError(f"TILES_CACHE_BACKEND must be 'filesystem', 'redis' or 'none', not {backend!r}")
    cache = _caches.get(config)
    if cache is None:
        with _lock:
            cache = _caches.get(config)
            if cache is None:
                cache = {"redis": RedisTileCache, "filesystem": FilesystemTileCache,
                         "none": lambda _: NullTileCache()}[config[0]](config[1])
                _caches[config] = cache
    return cache
