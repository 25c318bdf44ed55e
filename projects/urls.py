from django.urls import path

from . import api

urlpatterns = [
    path("projects/", api.ProjectListApi.as_view(), name="project-list"),
    path("projects/import/", api.ProjectImportApi.as_view(), name="project-import"),
    path("projects/progress/", api.ProjectProgressApi.as_view(), name="project-progress"),
    path("projects/<int:pk>/", api.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<int:pk>/updates/", api.ProjectUpdateListApi.as_view(), name="project-updates"),
    path("proposals/<int:pk>/decision/", api.ProposalDecisionApi.as_view(), name="proposal-decision"),
    path("projects/<int:pk>/follow/", api.ProjectFollowApi.as_view(), name="project-follow"),
]
