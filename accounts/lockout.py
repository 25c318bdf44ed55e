"""Lock-out per account, growing (django-axes counts wrong passwords; settings AXES_*).

After AXES_FAILURE_LIMIT wrong passwords an account is locked for AXES_COOLOFF_TIME; each further lock-out
of the same account within AXES_LOCKOUT_MEMORY doubles the wait, up to AXES_COOLOFF_MAX. A guesser who
waits out each lock-out gets a handful of tries per hour at first and then a handful per day, instead of a
steady 480 a day. The count of lock-outs lives in the cache next to axes' own counters (keyed by a hash of
the username, never the username itself) and is forgotten AXES_LOCKOUT_MEMORY after the last lock-out ended.
"""
import hashlib
import math
from datetime import timedelta

from axes.helpers import get_client_cache_keys, get_client_username, get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import caches
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _cache():
    return caches[getattr(settings, "AXES_CACHE", "default")]


def _key(username: str) -> str:
    return "lockouts:" + hashlib.sha256(str(username).casefold().encode()).hexdigest()[:32]


def lockout_wait(username: str | None) -> timedelta:
    """How long this account is locked now: the base wait doubled for each earlier recent lock-out."""
    base, ceiling = settings.AXES_COOLOFF_TIME, settings.AXES_COOLOFF_MAX
    earlier = max(0, (_cache().get(_key(username), 0) if username else 0) - 1)
    return min(base * (2 ** min(earlier, 32)), ceiling)


@receiver(user_locked_out, dispatch_uid="accounts.lockout.grow")
def _lockout_grow(sender, request=None, username=None, **kwargs):
    """A fresh lock-out adds one to the account's count; every lock-out signal (also the attempts made while
    locked, which axes answers by restarting the base wait) sets the counters' lifetime to the grown wait."""
    if request is None or not username:
        return
    credentials = getattr(request, "axes_credentials", None)
    cache, key = _cache(), _key(username)
    memory = int(settings.AXES_LOCKOUT_MEMORY.total_seconds())
    if getattr(request, "axes_failures_since_start", None) == get_failure_limit(request, credentials):
        if not cache.add(key, 1, timeout=memory):
            cache.incr(key)
    wait = int(lockout_wait(username).total_seconds())
    for counter in get_client_cache_keys(request, credentials):
        cache.touch(counter, timeout=wait)
    cache.touch(key, timeout=wait + memory)  # remembered until AXES_LOCKOUT_MEMORY after this lock-out ends


def _username(request, credentials) -> str | None:
    try:
        return get_client_username(request, credentials)
    except Exception:  # noqa: BLE001  (a body axes cannot read has no username to name)
        return None


def lockout_message(wait: timedelta | None = None) -> str:
    wait = settings.AXES_COOLOFF_TIME if wait is None else wait
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return _("Too many wrong passwords for this account. Sign-in is paused for %(minutes)d minutes.") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    wait = lockout_wait(_username(request, credentials or getattr(request, "axes_credentials", None)))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(wait)}, status=429)
    else:
        response = render(request, "accounts/too_many.html", {"message": lockout_message(wait)}, status=429)
    response["Retry-After"] = str(int(wait.total_seconds()))
    return response
