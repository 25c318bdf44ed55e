"""OGC API - Features, mounted at /ogc/."""
from django.urls import path, re_path

from . import ogc

NAME = r"(?P<layer>[A-Za-z0-9_-]{1,120})"

urlpatterns = [
    path("", ogc.landing, name="ogc-landing"),
    path("api", ogc.api_definition, name="ogc-api"),
    path("conformance", ogc.conformance, name="ogc-conformance"),
    path("collections", ogc.collections, name="ogc-collections"),
    re_path(rf"^collections/{NAME}$", ogc.collection, name="ogc-collection"),
    re_path(rf"^collections/{NAME}/items$", ogc.items, name="ogc-items"),
    re_path(rf"^collections/{NAME}/items/(?P<feature_id>[^/]{{1,120}})$", ogc.item, name="ogc-item"),
]
