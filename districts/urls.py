from django.urls import path

from . import api

urlpatterns = [
    path("districts/", api.DistrictListApi.as_view(), name="district-list"),
    path("districts/where/", api.PlaceWhereApi.as_view(), name="place-where"),
    path("districts/<str:code>/", api.DistrictDetailApi.as_view(), name="district-detail"),
]
