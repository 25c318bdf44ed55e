"""Background work of the layer app (django-tasks: the worker of `make run` / `make cluster`; immediately in tests).

An aggregated layer's whole rebuild (layers/aggregates.py) never runs in a request: `layer_version_bump` hands it to
`aggregates_rebuild_task`, whose tile URLs change and cached tiles are dropped once the new rows have committed. A
refresh that finds a rebuild running does not wait behind it: `tile_cache_invalidate` hands the same refresh to
`aggregates_refresh_task`, which waits for the rebuild in the worker, then counts the changed places again.
"""
from django_tasks import task


@task()
def aggregates_rebuild_task(layer_name: str) -> bool:
    """Rebuild the layer's pre-aggregated rows (readers see the old ones until the new commit), then change its tile
    URLs and drop its cached tiles, so that no tile of the old rows is kept under the new version."""
    from .aggregates import aggregates_rebuild
    from .cache import tile_cache
    from .services import aggregated_layer, layer_counter_bump

    layer = aggregated_layer(layer_name)
    if layer is None:
        return False
    aggregates_rebuild(layer=layer)
    layer_counter_bump(layer_name)
    tile_cache().drop_layer(layer_name)
    return True


@task()
def aggregates_refresh_task(layer_name: str, geometries: list[str]) -> bool:
    """A refresh that was deferred because a rebuild held the layer's lock: waits for it, counts the places of the
    geometries (hex EWKB) again from the committed rows, then changes the tile URLs and drops those tiles."""
    from django.contrib.gis.geos import GEOSGeometry

    from .aggregates import aggregates_refresh
    from .cache import tile_cache
    from .services import aggregated_layer, layer_counter_bump, tile_ranges_for

    layer = aggregated_layer(layer_name)
    if layer is None:
        return False
    shapes = [GEOSGeometry(hexewkb) for hexewkb in geometries]
    aggregates_refresh(layer=layer, geometries=shapes)
    layer_counter_bump(layer_name)
    tile_cache().invalidate(layer_name, tile_ranges_for(shapes))
    return True
