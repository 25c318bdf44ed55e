"""Absolute URLs of a layer's resources, for every API object shown as a layer."""
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from .query import request_secret


def _absolute(request, path: str) -> str:
    if request is not None:
        key = request_secret(request)
        if key:
            path = f"{path}?{urlencode({'key': key})}"
        return request.build_absolute_uri(path)
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def tilejson_url(request, layer_name: str) -> str:
    """`https://host/tiles/<layer>.json`, carrying the request's secret-link `key` when there is one."""
    return _absolute(request, reverse("tilejson", args=[layer_name]))


def style_url(request, layer_name: str) -> str:
    return _absolute(request, reverse("layer-style", args=[layer_name]))
