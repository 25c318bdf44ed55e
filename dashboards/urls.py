from django.urls import path

from . import api

urlpatterns = [
    path("indicators/", api.IndicatorListApi.as_view(), name="indicator-list"),
    path("indicators/<int:pk>/", api.IndicatorDetailApi.as_view(), name="indicator-detail"),
    path("indicators/<int:pk>/data.csv", api.IndicatorCsvApi.as_view(), name="indicator-data-csv"),
    path("indicators/<int:pk>/import/", api.IndicatorImportApi.as_view(), name="indicator-import"),
    path("indicators/<int:pk>/refresh/", api.IndicatorRefreshApi.as_view(), name="indicator-refresh"),
    path("indicators/<int:pk>/feedback/", api.FeedbackListApi.as_view(), name="indicator-feedback"),
    path("indicators/<int:pk>/feedback/<int:feedback_id>/reply/", api.FeedbackReplyApi.as_view(),
         name="indicator-feedback-reply"),
]
