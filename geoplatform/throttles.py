"""Abuse limits on creating content (reports, map features, flags, feedback, proposals), for every app and for
live's sockets too, and on costly reads that ask for them (layers.throttles: exports).

`CreationRateThrottle` counts creations per user AND per client IP, so neither a
script with one account nor many accounts behind one address can flood a
district's queue. Reads are never counted, except by a subclass that sets
`counts_reads` (layers.throttles.ExportRateThrottle: an export reads a whole layer).
The rate of a scope comes from, in order: `settings.MODERATION_CREATION_RATES[scope]`,
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]`, then `DEFAULT_RATES` below. A view
names its scope with `throttle_scope` (e.g. "reports", "features"). Every request that reaches the limit check counts, valid or not.
Over the limit: 429 with `Retry-After` and a message in the reader's language.
"""
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle
from django.utils.translation import gettext_lazy as _

DEFAULT_RATES = {"reports": "30/minute", "features": "60/minute", "flags": "30/minute", "open311": "30/minute"}
FALLBACK_RATE = "30/minute"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class CreationThrottled(Throttled):
    default_detail = _("Too many submissions in a short time.")
    extra_detail_singular = _("Try again in {wait} second.")
    extra_detail_plural = _("Try again in {wait} seconds.")


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/minute' → (30, 60)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def rate_for(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "MODERATION_CREATION_RATES", {}) or {}
    drf_rates = (getattr(settings, "REST_FRAMEWORK", {}) or {}).get("DEFAULT_THROTTLE_RATES", {}) or {}
    rate = configured.get(scope) or drf_rates.get(scope) or DEFAULT_RATES.get(scope) or FALLBACK_RATE
    return parse_rate(rate)


class CreationRateThrottle(BaseThrottle):
    """Limit creations per user and per IP within a sliding window; see the module docstring."""

    default_scope = "reports"
    counts_reads = False  # a subclass that limits costly reads (layers.throttles.ExportRateThrottle) says True
    exception_class = CreationThrottled

    def scope_for(self, view) -> str:
        return getattr(view, "throttle_scope", None) or self.default_scope

    def keys_for(self, request, scope: str) -> list[str]:
        keys = [f"creation:{scope}:ip:{self.get_ident(request)}"]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            keys.append(f"creation:{scope}:user:{user.pk}")
        return keys

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS and not self.counts_reads:
            return True
        scope = self.scope_for(view)
        limit, period = rate_for(scope)
        now = time.time()
        histories = {}
        wait = 0.0
        for key in self.keys_for(request, scope):
            history = [t for t in cache.get(key, []) if t > now - period]
            histories[key] = history
            if len(history) >= limit:
                # newest first: the request is allowed again when the limit-th newest leaves the window
                wait = max(wait, period - (now - history[limit - 1]) if limit else period)
        if wait > 0:
            raise self.exception_class(wait=max(wait, 1))
        for key, history in histories.items():
            cache.set(key, [now, *history], period)
        return True
