"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list_page, name="projects-page"),
    path("projects/<int:pk>/", views.project_page, name="project-page"),
]
