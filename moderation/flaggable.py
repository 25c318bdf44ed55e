"""What can be flagged: a registry that apps feed, like the layer registry.

An app registers each model people may flag, from its `AppConfig.ready()` (`<app>/flaggable.py`):

    flaggables.register(Flaggable(
        target_type="feature", model=Feature,
        can_view=lambda feature, user: feature.can_view(user),
        changed=lambda feature: tile_cache_invalidate(layer_name=f"map-{feature.map_id}", geometries=[feature.geom]),
        owner=lambda feature: feature.author,
    ))

The model has a boolean `is_hidden` that its public querysets exclude. Moderation hides and restores
through `moderation.services.content_hidden_set` only, which calls `changed(obj)` so that what shows the
object (tiles, caches) is redrawn; it never names another app's models or layers.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


def _nobody(obj):
    return None


def _nothing(obj) -> None:
    return None


def _no_links(obj) -> dict:
    return {}


@dataclass(frozen=True)
class Flaggable:
    target_type: str  # the name clients use in `/api/flags/` and the flag queue
    model: type[models.Model]
    can_view: Callable[[models.Model, object], bool]  # may this user see (and so flag) the object?
    changed: Callable[[models.Model], None] = _nothing  # redraw what shows it after it was hidden or restored
    owner: Callable[[models.Model], object] = _nobody  # who is told when it is hidden
    notification_links: Callable[[models.Model], dict] = field(default=_no_links)  # extra notification fields


class FlaggableRegistry:
    def __init__(self):
        self._by_type: dict[str, Flaggable] = {}

    def register(self, flaggable: Flaggable) -> None:
        if len(flaggable.target_type) > 16:
            raise ValueError(f"target_type {flaggable.target_type!r} is longer than 16 characters")
        self._by_type[flaggable.target_type] = flaggable

    def get(self, target_type: str) -> Flaggable | None:
        return self._by_type.get(target_type)

    def of(self, obj: models.Model) -> Flaggable | None:
        return next((f for f in self._by_type.values() if isinstance(obj, f.model)), None)

    def types(self) -> list[str]:
        return sorted(self._by_type)


flaggables = FlaggableRegistry()
