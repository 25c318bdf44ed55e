"""The light path for tile requests: `/tiles/<layer>/<z>/<x>/<y>.<mvt|pbf|png>` without the rest of the site.

A tile is served by the same view as before (`layers.tile_views.tile`: the same registry lookup, the same
permission check through `layers.access`, the same cache and SQL), but the request skips Django's URL
resolver and every middleware a tile does not need: only `TILE_MIDDLEWARE` runs (security headers, and
the lazy session and user that a private map's tiles ask for, neither read for a public layer, and the database
routing of geoplatform/db_router.py: a replica for public tiles, a 503 when no database answers).
Not run for tiles: WhiteNoise (static files), LocaleMiddleware (a tile has no language; its `Vary:
Accept-Language` would split edge caches — the language of an error message is still taken from
`Accept-Language`), CommonMiddleware, CSRF (GET only), messages, X-Frame-Options.

Mounting (every other path goes to the full Django application, untouched):
- WSGI: `geoplatform/wsgi.py` wraps its application with `tiles_first` (gunicorn, `make run`);
- ASGI (`make run`, `make cluster`, the benchmark): not this module but layers/asgi_tiles.py, which answers
  public tiles on the event loop without Django's request cycle (this handler in a thread through asgiref's
  WsgiToAsgi failed under uvicorn with "CurrentThreadExecutor already quit" when browsers cancelled tiles);
- a process of its own: `gunicorn geoplatform.tiles_wsgi:application` answers tiles only; nginx then
  routes `location ~ ^/tiles/[^/]+/-?\\d+/ { proxy_pass http://tiles; }` to it (TileJSON,
  `/tiles/<layer>.json`, stays with the web nodes).
`TILES_LIGHT_PATH=0` turns the wrapping off (tiles then go through the full stack).
"""
from __future__ import annotations

import re

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import Http404, HttpResponseNotAllowed
from django.utils import translation
from django.utils.module_loading import import_string

TILE_PATH = re.compile(r"^/tiles/(?P<layer>[A-Za-z0-9_-]{1,120})/(?P<z>-?\d{1,3})/(?P<x>-?\d{1,9})/"
                       r"(?P<y>-?\d{1,9})\.(?P<fmt>mvt|pbf|png)$")
TILE_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "geoplatform.db_router.DatabaseRoutingMiddleware",  # public tiles read from a replica; 503 when no database answers
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
)


class TileHandler(WSGIHandler):
    """Django's WSGI handler (signals, exceptions → responses, request logging) with a short chain."""

    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(TILE_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler

    def _get_response(self, request):
        from .tile_views import tile

        match = TILE_PATH.match(request.path_info)
        if match is None:
            raise Http404("Not a tile.")
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it (DisallowedHost: 400)
        translation.activate(translation.get_language_from_request(request))
        try:
            response = tile(request, **match.groupdict())
            if response.status_code >= 400:
                response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Accept-Language"]))
            return response
        finally:
            translation.deactivate()


def enabled() -> bool:
    return bool(getattr(settings, "TILES_LIGHT_PATH", True))


def tiles_first(application):
    """A WSGI application that sends tile paths to the light handler and the rest to `application`."""
    if not enabled():
        return application
    tiles = TileHandler()

    def dispatch(environ, start_response):
        if TILE_PATH.match(environ.get("PATH_INFO", "")):
            return tiles(environ, start_response)
        return application(environ, start_response)

    dispatch.tiles = tiles
    return dispatch
