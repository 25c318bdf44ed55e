from django.urls import path

from . import api

urlpatterns = [
    path("districts/", api.DistrictListApi.as_view(), name="district-list"),
    path("districts/<str:code>/", api.DistrictDetailApi.as_view(), name="district-detail"),
]
