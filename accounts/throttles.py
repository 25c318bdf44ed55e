"""The one limit on submitting passwords and accounts, per client address.

The API's token and sign-up endpoints use DRF's `ScopedRateThrottle` with the scope "auth"; the web
sign-in, sign-up and e-mail forms and the admin sign-in go through `AuthRateLimitMiddleware`, which
asks the same throttle class with the same scope, so one address shares one counter (in the cache)
across every door: 20 a minute by default (`THROTTLE_AUTH`).
"""
from rest_framework.throttling import ScopedRateThrottle

AUTH_SCOPE = "auth"


class _AuthScope:
    throttle_scope = AUTH_SCOPE


def auth_rate_wait(request) -> float | None:
    """Count one submission from the request's address; None if allowed, else seconds to wait."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _AuthScope()):
        return None
    return throttle.wait() or 1.0
