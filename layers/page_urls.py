"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("layers/<str:name>/", views.layer_page, name="layer-page"),
]
