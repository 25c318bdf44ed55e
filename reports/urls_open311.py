"""Open311 GeoReport v2, mounted at /open311/v2/ (see reports/open311.py)."""
from django.urls import re_path

from . import open311

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FMT, open311.ServiceListView.as_view(), name="open311-services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_-]{1,40})" + FMT, open311.ServiceDefinitionView.as_view(),
            name="open311-service"),
    re_path(r"^requests" + FMT, open311.RequestListView.as_view(), name="open311-requests"),
    re_path(r"^requests/(?P<pk>\d{1,18})" + FMT, open311.RequestDetailView.as_view(), name="open311-request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9-]{1,64})" + FMT, open311.TokenView.as_view(), name="open311-token"),
]
