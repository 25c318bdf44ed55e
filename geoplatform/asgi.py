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
    # Tiles go through Django's own ASGI handler here: layers.light.asgi_tiles_first (asgiref's WsgiToAsgi)
    # failed under uvicorn with "CurrentThreadExecutor already quit or is broken" when a browser cancelled
    # tile requests (tests/browser/test_live.py); the light path stays on the WSGI and tiles-only mounts.
    http = django_http
    if static_files:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        http = ASGIStaticFilesHandler(http)
    return ProtocolTypeRouter({"http": http, "websocket": live_auth(URLRouter(websocket_urlpatterns))})


application = build_application(static_files=settings.DEBUG)
