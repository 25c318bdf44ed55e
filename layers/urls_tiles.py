"""Tiles, TileJSON and styles at the site root."""
urlpatterns = []
