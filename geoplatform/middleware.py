"""Request checks that hold for every path."""
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

JSON_PREFIXES = ("/api/", "/ogc/", "/open311/", "/tiles/", "/styles/")


class RefuseNulInQueryMiddleware:
    """A NUL character in a query parameter is never meaningful here and PostgreSQL cannot compare text
    with one: the request is a 400 with a message, before any view builds a query from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            message = _("The request contains a NUL character.")
            if request.path.startswith(JSON_PREFIXES):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
