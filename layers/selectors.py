"""Reads of the layer app that other code asks for: a layer's tile-URL version."""
from __future__ import annotations

import hashlib

from .models import LayerVersion
from .registry import Layer


def layer_counter(name: str) -> int:
    """Committed changes of the layer so far (0 before the first)."""
    return LayerVersion.objects.filter(name=name).values_list("counter", flat=True).first() or 0


def layer_tile_version(layer: Layer) -> str:
    """The `v` of the layer's tile URLs: changes whenever what the layer shows changes.

    Digest of the layer's own version (style, fields, `version_factory`) and its change counter,
    written in decimal digits. Equal values mean equal tiles, so a public tile URL carrying the
    current value may be cached for long (`Cache-Control: immutable`).
    """
    text = f"{layer.version()}\x1f{layer_counter(layer.name)}"
    return str(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=6).digest(), "big"))


def aggregates_ready(layer: Layer, using: str = "default") -> bool:
    """True when the layer's low zooms may be drawn from its TileCluster rows (built for this version)."""
    from .models import TileAggregateState

    return (layer.aggregated and layer.geometry_type == "point"
            and TileAggregateState.objects.using(using).filter(layer=layer.name, version=layer.version()[:300]).exists())
