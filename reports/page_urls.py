"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("report/", views.report_new, name="report-new"),
    path("reports/<int:report_id>/", views.report_detail, name="report-page"),
    path("review/", views.review, name="review"),
]
