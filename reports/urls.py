from django.urls import path

from . import api

urlpatterns = [
    path("reports/", api.ReportListApi.as_view(), name="report-list"),
    path("reports/categories/", api.ReportCategoryListApi.as_view(), name="report-category-list"),
    path("reports/categories/<slug:code>/", api.ReportCategoryDetailApi.as_view(), name="report-category-detail"),
    path("reports/acknowledge/", api.ReportBulkAcknowledgeApi.as_view(), name="report-bulk-acknowledge"),
    path("reports/<int:pk>/", api.ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<int:pk>/status/", api.ReportStatusApi.as_view(), name="report-status"),
    path("reports/<int:pk>/transfer/", api.ReportTransferApi.as_view(), name="report-transfer"),
    path("reports/<int:pk>/notes/", api.ReportNotesApi.as_view(), name="report-notes"),
    path("reports/<int:pk>/photos/", api.ReportPhotosApi.as_view(), name="report-photos"),
]
