"""Reads of the layer app that other code asks for: a layer's tile-URL version."""
from __future__ import annotations

import hashlib
import threading
import time

from .models import LayerVersion
from .registry import Layer


_memo: dict[tuple, tuple[float, object]] = {}
_memo_lock = threading.Lock()


MISSING = object()


def memo_get(key: tuple, max_age: float):
    """The value remembered under key less than max_age seconds ago in this process, else MISSING."""
    if max_age <= 0:
        return MISSING
    found = _memo.get(key)
    if found is not None and time.monotonic() - found[0] < max_age:
        return found[1]
    return MISSING


def memo_put(key: tuple, value, started: float) -> None:
    """Remember a value read at `started` (time.monotonic())."""
    with _memo_lock:
        if len(_memo) > 10_000:
            _memo.clear()
        _memo[key] = (started, value)


def _remembered(key: tuple, max_age: float, compute):
    """`compute()`, or its value from less than max_age seconds ago in this process (0: always computed).

    layers/asgi_tiles.py reads the same memo (memo_get / memo_put) with its own queries.
    """
    if max_age <= 0:
        return compute()
    found = memo_get(key, max_age)
    if found is not MISSING:
        return found
    now = time.monotonic()
    value = compute()
    memo_put(key, value, now)
    return value


def counter_key(name: str) -> tuple:
    return ("counter", name)


# The form of the pre-aggregated rows (layers/aggregates.py); rows built in an older form are not read (the layer's
# tiles group rows per request until `manage.py build_tile_aggregates` builds them again). 2: lines and polygons
# drawn per zoom with counted cells, points pre-drawn at the first zoom above their clusters.
AGGREGATES_FORM = "2"


def aggregates_version(layer: Layer) -> str:
    """What a layer's TileAggregateState row must say for its rows to be read: its version, the rows' form and the
    zoom its clusters end at (rows built for another `cluster_maxzoom` have their finest cells at another level: the
    reports layer went from 13 to 14 in session 6)."""
    return f"{layer.version()[:280]}#{AGGREGATES_FORM}#z{layer.cluster_maxzoom}"


def aggregates_key(layer: Layer, using: str) -> tuple:
    return ("aggregates", layer.name, aggregates_version(layer), using)


def layer_counter(name: str, max_age: float = 0) -> int:
    """Committed changes of the layer so far (0 before the first)."""
    return _remembered(counter_key(name), max_age,
                       lambda: LayerVersion.objects.filter(name=name).values_list("counter", flat=True).first() or 0)


def layer_tile_version(layer: Layer, max_age: float = 0) -> str:
    """The `v` of the layer's tile URLs: changes whenever what the layer shows changes.

    Digest of the layer's own version (style, fields, `version_factory`) and its change counter,
    written in decimal digits. Equal values mean equal tiles, so a public tile URL carrying the
    current value may be cached for long (`Cache-Control: immutable`).
    """
    return tile_version_of(layer, layer_counter(layer.name, max_age))


def tile_version_of(layer: Layer, counter: int) -> str:
    text = f"{layer.version()}\x1f{counter}"
    return str(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=6).digest(), "big"))


def aggregates_ready(layer: Layer, using: str = "default", max_age: float = 0) -> bool:
    """True when the layer's low zooms may be drawn from its TileCluster rows (built for this version)."""
    from .models import TileAggregateState

    if not (layer.aggregated and layer.geometry_type in ("point", "line", "polygon", "mixed")):
        return False
    version = aggregates_version(layer)
    return _remembered(aggregates_key(layer, using), max_age, lambda: TileAggregateState.objects.using(
        using).filter(layer=layer.name, version=version).exists())
