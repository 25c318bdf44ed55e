"""The layer registry: everything shown on a map is a Layer registered here.

Apps describe their layers in their own `layers.py` (imported from their
AppConfig.ready) and register them; only this app serves them (tiles, TileJSON,
styles, OGC API Features, exports). Layer names are looked up here and never
reach SQL as text.

Two kinds of registration:
- `registry.register(layer)` for a fixed layer (`districts`, `reports`);
- `registry.register_family(prefix, resolver)` for layers that exist per object,
  named `<prefix>-<key>` (`map-12`, `indicator-3`): the resolver turns the key
  into a Layer or None.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet

LAYER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(-[A-Za-z0-9_]+)?$")


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a layer: the user, and a map's secret link key when one was given.

    Built from a request by `layers.access.request_viewer` (the one door: session or API token).
    """

    user: object
    secret: str = ""

    @classmethod
    def anonymous(cls) -> "Viewer":
        from django.contrib.auth.models import AnonymousUser

        return cls(user=AnonymousUser())


@dataclass
class Layer:
    """A named source of features.

    Instances provide `queryset_factory(viewer)`: the features the viewer may
    see (moderation states applied), with a geometry column `geom_field` in EPSG:4326 and the public
    attributes listed in `fields` (model fields or annotations).
    """

    name: str
    title_ko: str
    title_en: str
    geometry_type: str  # "point", "line", "polygon" or "mixed"
    fields: tuple[str, ...] = ()
    description_ko: str = ""
    description_en: str = ""
    geom_field: str = "geom"
    id_field: str = "pk"
    datetime_field: str | None = None
    minzoom: int = 0
    maxzoom: int = 22
    attribution: str = ""
    public: bool = True  # False: visibility depends on the user (never shared in caches)
    style: dict = field(default_factory=dict)  # paint hints: {"color": "#e4572e", ...}
    queryset_factory: Callable[..., QuerySet] | None = None
    can_view_rule: Callable[..., bool] | None = None
    version_factory: Callable[[], str] | None = None
    kind: str = "vector"  # "vector" (MVT from PostGIS) or "raster" (PNG tiles)
    raster_tile: Callable[[int, int, int], bytes | None] | None = None  # raster layers: PNG bytes or None
    legend: list = field(default_factory=list)  # [{"label": _("…") or reader_text(ko=…, en=…), "color": …}, …]
    meta: dict = field(default_factory=dict)  # links back to the owning object (e.g. {"map_id": 3})
    # Tiles (see layers/tiles.py): points are aggregated to grid cells with `count` up to this zoom
    # (-1: never); at most this many features a tile.
    cluster_maxzoom: int = 13
    tile_feature_cap: int = 20_000
    # Viewer-dependent layers (public=False): the part of the viewer that decides what they see.
    # Tiles are cached per value; the default is one entry per user (and secret link key).
    permission_key_rule: Callable[..., str] | None = None
    # True when queryset_factory's SQL depends on nothing but the layer itself (no viewer, no clock):
    # the tile statement is then compiled once per zoom class and reused (see layers/tiles.py).
    static_queryset: bool = False
    # Low zooms from pre-aggregated cells and shapes (layers/aggregates.py) instead of grouping raw rows per request.
    # Only for layers whose queryset is the same for every viewer and whose every change is reported through
    # layers.services (tile_cache_invalidate / layer_version_bump). A mixed layer that is aggregated counts its
    # points in cells up to cluster_maxzoom, as a point layer does (layers.tiles.clusters_points).
    aggregated: bool = False

    def get_queryset(self, viewer: Viewer) -> QuerySet:
        if self.queryset_factory is None:
            raise TypeError(f"Layer {self.name} has no queryset_factory")
        return self.queryset_factory(viewer)

    def can_view(self, viewer: Viewer) -> bool:
        return True if self.can_view_rule is None else self.can_view_rule(viewer)

    def permission_key(self, viewer: Viewer) -> str:
        """Cache partition for this viewer: "" for public layers (everyone sees the same tiles)."""
        if self.public:
            return ""
        if self.permission_key_rule is not None:
            return "k:" + str(self.permission_key_rule(viewer))
        user = viewer.user
        who = f"u{user.pk}" if getattr(user, "is_authenticated", False) else "anon"
        return f"{who}:{viewer.secret}"

    def version(self) -> str:
        return self.version_factory() if self.version_factory else "0"

    def title(self, language: str = "ko") -> str:
        return self.title_en if language.startswith("en") else self.title_ko


class LayerRegistry:
    def __init__(self):
        self._layers: dict[str, Layer] = {}
        self._families: dict[str, Callable[[str], Layer | None]] = {}
        self._family_listers: dict[str, Callable[[Viewer], list[Layer]]] = {}

    def register(self, layer: Layer) -> Layer:
        if not LAYER_NAME_RE.match(layer.name) or "-" in layer.name:
            raise ValueError(f"Bad layer name {layer.name!r}")
        self._layers[layer.name] = layer
        return layer

    def unregister(self, name: str) -> None:
        """Remove a fixed layer (tests register short-lived layers)."""
        self._layers.pop(name, None)

    def register_family(self, prefix: str, resolver: Callable[[str], Layer | None],
                        lister: Callable[[Viewer], list[Layer]] | None = None) -> None:
        """`resolver(key)` gives the layer `prefix-key` (or None); `lister(viewer)` the ones to list in catalogues."""
        self._families[prefix] = resolver
        if lister is not None:
            self._family_listers[prefix] = lister

    def get(self, name: str) -> Layer | None:
        if not LAYER_NAME_RE.match(name or ""):
            return None
        if name in self._layers:
            return self._layers[name]
        prefix, _, key = name.partition("-")
        resolver = self._families.get(prefix)
        return resolver(key) if resolver and key else None

    def fixed(self, name: str) -> Layer | None:
        """A fixed layer by name, without resolving families (no query: layers/asgi_tiles.py asks from its loop)."""
        return self._layers.get(name)

    def listed(self, viewer: Viewer) -> list[Layer]:
        """Layers to show in catalogues (OGC collections, the layer switcher) for this viewer."""
        layers = [layer for layer in self._layers.values() if layer.can_view(viewer)]
        for lister in self._family_listers.values():
            layers.extend(layer for layer in lister(viewer) if layer.can_view(viewer))
        return layers


registry = LayerRegistry()
