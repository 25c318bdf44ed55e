from django.urls import path

from . import api

urlpatterns = [
    path("committees/", api.CommitteeListApi.as_view(), name="committee-list"),
    path("committees/<int:pk>/", api.CommitteeDetailApi.as_view(), name="committee-detail"),
    path("meetings/", api.MeetingListApi.as_view(), name="meeting-list"),
    path("meetings/stats/", api.MeetingStatsApi.as_view(), name="meeting-stats"),
    path("meetings/disclosure-reasons/", api.DisclosureReasonListApi.as_view(), name="disclosure-reason-list"),
    path("meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/documents/<int:document_id>/file", api.MeetingDocumentFileApi.as_view(),
         name="meeting-document-file"),
]
