"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("moderation/", views.moderation, name="moderation"),
]
