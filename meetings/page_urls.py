"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list_page, name="meetings-page"),
    path("meetings/committees/", views.committees_page, name="committees-page"),
    path("meetings/stats/", views.stats_page, name="meetings-stats-page"),
    path("meetings/<int:pk>/", views.meeting_page, name="meeting-page"),
]
