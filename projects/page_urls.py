"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list_page, name="projects-page"),
    path("projects/new/", views.project_new_page, name="project-new-page"),
    path("projects/<int:pk>/", views.project_page, name="project-page"),
    path("projects/<int:pk>/edit/", views.project_edit_page, name="project-edit-page"),
]
