from django.urls import path, re_path

from . import api

urlpatterns = [
    path("analyses/", api.AnalysisListApi.as_view(), name="analysis-list"),
    path("analyses/<int:pk>/", api.AnalysisDetailApi.as_view(), name="analysis-detail"),
    path("analyses/<int:pk>/run/", api.AnalysisRunApi.as_view(), name="analysis-run"),
    path("analyses/<int:pk>/publish/", api.AnalysisPublishApi.as_view(), name="analysis-publish"),
    path("analyses/<int:pk>/withdraw/", api.AnalysisWithdrawApi.as_view(), name="analysis-withdraw"),
    path("analyses/<int:pk>/records.csv", api.RecordsExportApi.as_view(), name="analysis-records-export"),
    re_path(r"^analyses/(?P<pk>\d+)/outputs/(?P<output_id>\d+)/export\.(?P<fmt>[a-z]{1,10})$",
            api.OutputExportApi.as_view(), name="analysis-output-export"),
]
