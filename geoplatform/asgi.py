"""The one ASGI application: HTTP (Django) and WebSockets (Channels) on one port.

Serve it with uvicorn (`bin/run`, docker-compose, `make cluster`): `uvicorn geoplatform.asgi:application`.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplatform.settings.base")
django_http = get_asgi_application()  # sets Django up before the consumers import models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from live.auth import live_auth  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402



def build_application(*, static_files: bool):
    """HTTP to Django, WebSockets to the live consumers; `static_files` serves the apps' static folders
    as runserver does (DEBUG, tests)."""
    # Public tiles are answered on the event loop by layers/asgi_tiles.py (psycopg pool, no Django request
    # cycle; it closes its pool on the lifespan's shutdown); every other request, and any tile it cannot prove
    # public, goes on to the router.
    from layers.asgi_tiles import tiles_first

    http = django_http
    if static_files:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        http = ASGIStaticFilesHandler(http)
    return tiles_first(ProtocolTypeRouter({"http": http, "websocket": live_auth(URLRouter(websocket_urlpatterns))}))


application = build_application(static_files=settings.DEBUG)
