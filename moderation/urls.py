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
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read/", api.NotificationReadApi.as_view(), name="notification-read"),
    path("flags/", api.FlagCreateApi.as_view(), name="flag-create"),
    path("moderation/flags/", api.FlagQueueApi.as_view(), name="flag-queue"),
    path("moderation/flags/<str:target_type>/<int:target_id>/", api.FlagDecideApi.as_view(), name="flag-decide"),
    path("moderation/bans/", api.BanApi.as_view(), name="user-ban"),
    path("audit/", api.AuditLogListApi.as_view(), name="audit-list"),
]
