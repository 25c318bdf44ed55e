"""One door for every layer endpoint: who is asking, and may they see this layer.

An unknown layer and a layer the viewer may not see answer the same 404, so the
existence of a private map does not leak.
"""
from __future__ import annotations

from django.http import Http404

from .query import request_secret
from .registry import Layer, Viewer, registry
from django.utils.translation import gettext_lazy as _


def request_user(request):
    """The session user, or the user of an `Authorization: Token …` header (as the API accepts)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "token ":
        from rest_framework.authentication import TokenAuthentication
        from rest_framework.exceptions import AuthenticationFailed

        try:
            result = TokenAuthentication().authenticate_credentials(header[6:].strip())
        except AuthenticationFailed:
            result = None
        if result is not None:
            return result[0]
    return request.user


def request_viewer(request) -> Viewer:
    return Viewer(user=request_user(request), secret=request_secret(request))


def layer_visible(name, viewer: Viewer, kind: str | None = None) -> Layer | None:
    """The layer named `name`, when it exists (of `kind`, if given) and the viewer may see it; else None.

    The one "layer by name plus permission": every door that names a layer asks here.
    """
    layer = registry.get(str(name or ""))
    if layer is None or (kind is not None and layer.kind != kind) or not layer.can_view(viewer):
        return None
    return layer


def layer_for_viewer(name: str, viewer: Viewer, kind: str | None = None) -> Layer:
    """The layer, when it exists and the viewer may see it; Http404 otherwise (the same for both)."""
    layer = layer_visible(name, viewer, kind)
    if layer is None:
        raise Http404(_("No such layer."))
    return layer
