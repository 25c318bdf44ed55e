"""Primary/replica routing: one router, one middleware, one place that pins a reader to the primary.

Shape comes from the environment alone: with no `DATABASE_REPLICA_URLS` every query goes to
`default` (make run, tests); with replicas (make cluster, docker-compose) the router sends the
queries of *read-only requests that may be slightly stale* to a healthy replica:

- the request is GET/HEAD and its path is in `REPLICA_PATHS` (tiles, TileJSON, styles, OGC API,
  Open311 reads, exports, public lists and pages);
- the reader has not written in the last `DATABASE_READ_YOUR_WRITES_SECONDS` (a signed cookie set on
  every unsafe request's response pins them to the primary: read-your-writes);
- the replica answered its last check and lags by at most `DATABASE_REPLICA_MAX_LAG` seconds.

The pin window is longer than the lag bound, so a reader unpinned at time t reads a replica that
has replayed everything committed before t - lag > the time of their last write.

Everything else (writes, reads inside a transaction, workers, commands) uses the primary. When a
replica fails in the middle of a request the request runs again on the primary (it is a safe
method); when the primary fails, the request is answered 503 with `Retry-After` in the reader's
language instead of a 500.
"""
from __future__ import annotations

import contextvars
import logging
import random
import re
import sys
import threading
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

REPLICA_PREFIX = "replica_"
PIN_COOKIE = "gp_primary_until"
PIN_SALT = "geoplatform.db_router.pin"
RETRY_AFTER_SECONDS = 15

# Read-only, may-be-stale paths (GET/HEAD only). Anything not listed reads from the primary.
REPLICA_PATHS = re.compile(
    r"^/(?:"
    r"$|tiles/|styles/|ogc/|open311/v2/(?:services|requests)"
    r"|frontend/district-labels\.json$"
    r"|maps/\d+/$|layers/[^/]+/$|reports/\d+/$"
    r"|dashboards/|meetings/|proposals/$|campaigns/$|roadmap/$|analysis/$"
    r"|api/(?:districts/|layers/|committees/|meetings/|indicators/|reports/categories/"
    r"|maps/\d+/export\.|analyses/\d+/outputs/\d+/export\.)"
    r")"
)

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("geoplatform_use_replica", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class ReplicaHealth:
    """Per-process view of each replica: reachable, and how far behind the primary (seconds).

    Checked at most every `DATABASE_REPLICA_CHECK_SECONDS` by one thread at a time; the others use
    the last answer. A replica that failed is skipped until its next check.
    """

    QUERY = ("SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
             "THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")

    def __init__(self):
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, bool, float | None]] = {}  # alias -> (checked_at, ok, lag)

    def reset(self) -> None:
        self._state.clear()

    def probe(self, alias: str) -> tuple[bool, float | None]:
        """Ask the replica now: (usable, lag in seconds or None when unreachable).

        On a connection of its own, closed at once, never one of the connection pool's: a pool whose connections
        are all lent to requests (e.g. requests waiting on a primary that went down) is a busy process, not a lost
        replica, and must not send every read of the next seconds to the primary (the cluster drill
        `test_with_the_primary_down_reads_go_on…` once got a 503 that way)."""
        import psycopg

        try:
            with psycopg.connect(**connections[alias].get_connection_params(), autocommit=True) as conn:
                in_recovery, lag = conn.execute(self.QUERY).fetchone()
        except psycopg.Error as exc:
            log.warning("replica %s unreachable: %s", alias, str(exc).splitlines()[0][:200])
            return False, None
        lag = float(lag or 0)
        # A promoted replica (no longer in recovery) is a primary of its own: never read from it.
        usable = bool(in_recovery) and lag <= settings.DATABASE_REPLICA_MAX_LAG
        return usable, lag

    def usable(self, alias: str) -> bool:
        now = time.monotonic()
        checked_at, ok, _lag = self._state.get(alias, (None, False, None))
        if checked_at is not None and now - checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
            return ok
        if not self._lock.acquire(blocking=checked_at is None):
            return ok  # another thread is checking; use the last answer
        try:
            return self.recheck(alias)
        finally:
            self._lock.release()

    def recheck(self, alias: str) -> bool:
        """Ask the replica now and remember the answer."""
        ok, lag = self.probe(alias)
        self._state[alias] = (time.monotonic(), ok, lag)
        return ok


health = ReplicaHealth()


def pick_replica() -> str | None:
    aliases = [alias for alias in replica_aliases() if health.usable(alias)]
    return random.choice(aliases) if aliases else None


class ReplicaRouter:
    """Reads of replica-eligible requests go to a healthy replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if not _use_replica.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return pick_replica() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas are copies of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def pinned_to_primary(request) -> bool:
    until = request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT,
                                      max_age=settings.DATABASE_READ_YOUR_WRITES_SECONDS)
    try:
        return until is not None and float(until) > time.time()
    except ValueError:
        return False


def pin_to_primary(response) -> None:
    """Read-your-writes: this reader's next reads go to the primary for the pin window."""
    window = settings.DATABASE_READ_YOUR_WRITES_SECONDS
    response.set_signed_cookie(PIN_COOKIE, str(time.time() + window), salt=PIN_SALT, max_age=window,
                               httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def replica_eligible(request) -> bool:
    return (request.method in ("GET", "HEAD") and REPLICA_PATHS.match(request.path_info) is not None
            and not pinned_to_primary(request))


def database_unavailable(request, *, write: bool, saved: bool = False) -> HttpResponse:
    # In the reader's language, also on paths that run before LocaleMiddleware (layers/light.py).
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    with translation.override(language):
        return _database_unavailable(request, write=write, saved=saved)


def _database_unavailable(request, *, write: bool, saved: bool) -> HttpResponse:
    if saved:  # the change committed, then the database went away before the answer was ready
        message = _("Your change was saved, but the database went away before the answer was ready. "
                    "Reload before you try again.")
    elif write:
        message = _("The database cannot take changes right now. Nothing was saved; try again in a minute.")
    else:
        message = _("The database is unavailable right now. Try again in a minute.")
    if "text/html" in request.META.get("HTTP_ACCEPT", ""):
        response = HttpResponse(f"<!doctype html><title>503</title><p>{message}</p>", status=503,
                                content_type="text/html; charset=utf-8")
    else:
        response = JsonResponse({"detail": message}, status=503, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _remember_database_error(sender, request=None, **kwargs):
    """Chains without exception middleware (layers/light.py) turn errors into 500s: note lost databases."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, (OperationalError, InterfaceError)):
        request._database_error = exc


got_request_exception.connect(_remember_database_error, dispatch_uid="geoplatform.db_router")


def _forget_failed_replicas() -> bool:
    """After a read of a replica-eligible request failed: this thread's broken replica connections are closed and
    every replica is asked again on a connection of its own. True when one still answers (the request runs again
    on a replica), False when none does (it runs again on the primary). A failed read is not proof that the replica
    is lost (a pool that lent every connection, one connection broken by a restart): with the primary down,
    re-running such a read on the primary was a 503 where the replica would have answered."""
    for alias in replica_aliases():
        replica = connections[alias]
        if replica.connection is not None and not replica.is_usable():
            replica.close()
        health.recheck(alias)
    return pick_replica() is not None


def _unavailable(request, exception) -> HttpResponse:
    connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()
    saved = getattr(request, "_database_committed", False)
    log.warning("database unavailable for %s %s (%s): %s", request.method, request.path,
                "after a commit" if saved else "nothing committed",
                str(exception).splitlines()[0][:200] if str(exception) else type(exception).__name__)
    return database_unavailable(request, write=request.method not in ("GET", "HEAD", "OPTIONS"), saved=saved)


WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE")


class _CommitWatch:
    """Notes on the request whether a write of it reached the primary for good (committed)."""

    def __init__(self, request):
        self.request = request

    def mark(self) -> None:
        self.request._database_committed = True

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip()[:6].upper() in WRITE_STATEMENTS:
            if context["connection"].in_atomic_block:
                transaction.on_commit(self.mark, using=context["connection"].alias, robust=True)
            else:
                self.mark()  # autocommit: done
        return result


class DatabaseRoutingMiddleware:
    """Marks replica-eligible requests, pins writers to the primary, turns a lost database into a 503.

    A replica lost under a request: the request runs again on the primary (it is GET or HEAD). The
    primary lost: 503 with Retry-After. Caught in `process_exception` on the full stack, and from
    `got_request_exception` where the chain has no exception middleware (the light tile path).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _use_replica.set(bool(replica_aliases()) and replica_eligible(request))
        safe = request.method in ("GET", "HEAD", "OPTIONS", "TRACE")
        try:
            if safe:
                response = self.get_response(request)
            else:
                with connections[DEFAULT_DB_ALIAS].execute_wrapper(_CommitWatch(request)):
                    response = self.get_response(request)
            error = request.__dict__.pop("_database_error", None)
            if error is not None and _use_replica.get():
                _use_replica.set(_forget_failed_replicas())
                response = self.get_response(request)
                error = request.__dict__.pop("_database_error", None)
            if error is not None:
                response = _unavailable(request, error)
        finally:
            _use_replica.reset(token)
        if not safe and (response.status_code != 503 or getattr(request, "_database_committed", False)):
            pin_to_primary(response)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if _use_replica.get():
            _use_replica.set(_forget_failed_replicas())
            match = request.resolver_match
            try:
                return match.func(request, *match.args, **match.kwargs)
            except (OperationalError, InterfaceError) as again:
                exception = again
        return _unavailable(request, exception)
