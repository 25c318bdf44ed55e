"""Web pages of maps: make, view and edit a map. Each page's script reads the map through the API."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from layers.query import request_secret

from .selectors import map_access


@login_required
def map_new(request):
    return render(request, "maps/map_new.html", {"page_config": {}})


def map_detail(request, map_id: int):
    """A map's page; a map that does not exist (or is not the reader's to see) is a 404, as in the API."""
    key = request_secret(request)
    map_access(user=request.user, map_id=map_id, secret=key)
    return render(request, "maps/map_detail.html", {"page_config": {"mapId": map_id, "key": key}})


def map_edit(request, map_id: int):
    key = request_secret(request)
    if not request.user.is_authenticated and not key:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    map_access(user=request.user, map_id=map_id, secret=key)
    return render(request, "maps/map_edit.html", {"page_config": {"mapId": map_id, "key": key}})
