"""Tiles, TileJSON and styles at the site root."""
from django.urls import path, re_path

from . import basemap, tile_views

urlpatterns = [
    re_path(r"^basemap/(?P<z>\d{1,2})/(?P<x>\d{1,9})/(?P<y>\d{1,9})\.mvt$", basemap.basemap_tile, name="basemap-tile"),
    re_path(r"^tiles/(?P<layer>[A-Za-z0-9_-]{1,120})/(?P<z>-?\d{1,3})/(?P<x>-?\d{1,9})/(?P<y>-?\d{1,9})\.(?P<fmt>mvt|pbf|png)$",
            tile_views.tile, name="tile"),
    re_path(r"^tiles/(?P<layer>[A-Za-z0-9_-]{1,120})\.json$", tile_views.tilejson_view, name="tilejson"),
    path("styles/combined.json", tile_views.combined_style_view, name="combined-style"),
    re_path(r"^styles/(?P<layer>[A-Za-z0-9_-]{1,120})\.json$", tile_views.style_view, name="layer-style"),
]
