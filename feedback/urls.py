from django.urls import path

from . import api

urlpatterns = [
    path("feedback/", api.FeedbackListApi.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/", api.FeedbackDetailApi.as_view(), name="feedback-detail"),
    path("feedback/<int:pk>/triage/", api.FeedbackTriageApi.as_view(), name="feedback-triage"),
    path("feedback/<int:pk>/support/", api.FeedbackSupportApi.as_view(), name="feedback-support"),
    path("roadmap/", api.RoadmapApi.as_view(), name="roadmap"),
]
