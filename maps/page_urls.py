"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("maps/new/", views.map_new, name="map-new"),
    path("maps/<int:map_id>/", views.map_detail, name="map-page"),
    path("maps/<int:map_id>/edit/", views.map_edit, name="map-edit-page"),
]
