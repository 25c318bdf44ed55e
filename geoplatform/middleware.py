"""Request checks that hold for every path."""
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

JSON_PREFIXES = ("/api/", "/ogc/", "/tiles/", "/styles/")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


class RefuseNulInQueryMiddleware:
    """A NUL character in a query parameter or a form field is never meaningful here, and PostgreSQL
    cannot compare text holding one: the request is a 400 with a message, before any view builds a
    query from it. Open311 clients get the error in the GeoReport v2 format."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = "\x00" in request.path or _has_nul(request.GET)
        if not refused and request.method == "POST" and request.content_type in FORMS:
            # Django keeps what it parsed here (DRF reuses request.POST and FILES when the stream was read)
            refused = _has_nul(request.POST)
        if not refused:
            return self.get_response(request)
        message = _("The request contains a NUL character.")
        if request.path.startswith("/open311/"):
            if request.path.endswith(".xml"):
                return HttpResponse(f'<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code>'
                                    f"<description>{escape(message)}</description></error></errors>",
                                    status=400, content_type="text/xml; charset=utf-8")
            return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
        if request.path.startswith(JSON_PREFIXES):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
