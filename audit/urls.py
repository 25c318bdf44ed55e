from django.urls import path

from . import api

urlpatterns = [
    path("audit/", api.AuditLogListApi.as_view(), name="audit-list"),
]
