from django.urls import path

from . import api

urlpatterns = [path("jobs/<uuid:pk>/", api.JobDetailApi.as_view(), name="job-detail")]
