"""Who is on the other end of a WebSocket: session cookie (browsers), `Authorization: Token …` (other
clients), and the map's secret link as `?key=` (checked by the consumer, like the REST API does).

A browser always sends an Origin header on a WebSocket: one not on ALLOWED_HOSTS is refused (HTTP 403),
so another site cannot open a socket with a visitor's cookie. A client without an Origin is not a
browser: its cookies are ignored and only a token (or a secret link) identifies it.
"""
from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return ""


@database_sync_to_async
def _token_user(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenOrAnonymousMiddleware:
    """Inside the session middleware: a token overrides the cookie; no Origin means no cookie."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        authorization = _header(scope, b"authorization")
        if authorization.lower().startswith("token "):
            user = await _token_user(authorization[6:].strip()[:64])
            if user is None:
                return await WebsocketDenier()(scope, receive, send)
            scope = {**scope, "user": user}
        elif not _header(scope, b"origin"):
            scope = {**scope, "user": AnonymousUser()}
        return await self.inner(scope, receive, send)


class OriginCheckMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        if origin:
            domain, _port = split_domain_port(urlparse(origin).netloc)
            allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
            if not domain or not validate_host(domain, allowed):
                return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)


def live_auth(inner):
    return OriginCheckMiddleware(AuthMiddlewareStack(TokenOrAnonymousMiddleware(inner)))
