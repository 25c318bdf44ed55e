from django.urls import path, re_path

from . import api

urlpatterns = [
    path("layers/", api.LayerListApi.as_view(), name="layer-list"),
    re_path(r"^layers/(?P<layer>[A-Za-z0-9_-]{1,120})/export\.(?P<fmt>[a-z0-9]{1,10})$",
            api.LayerExportApi.as_view(), name="layer-export"),
    re_path(r"^layers/(?P<layer>[A-Za-z0-9_-]{1,120})/$", api.LayerDetailApi.as_view(), name="layer-detail"),
]
