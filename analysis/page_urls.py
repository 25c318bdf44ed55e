"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("analysis/", views.analysis_index, name="analysis-index"),
    path("analysis/<int:pk>/", views.analysis_page, name="analysis-page"),
]
