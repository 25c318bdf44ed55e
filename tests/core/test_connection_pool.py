"""Django's connection pool in the served configuration (settings DATABASE_POOL_*, issue 14).

pytest's own connections run without the pool (geoplatform/settings/test.py); these tests start the application as
`make run` and `make cluster` serve it (uvicorn, geoplatform.settings.base, 2 worker processes) against the test
database and watch PostgreSQL's side: many concurrent requests are served by a few connections that are handed
from request to request, never more than the pool's size per process.
"""
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.db import connection

from jobs.recovery import LOCK_CLASS, unpooled_connection
from tests.servers import served, served_env

pytestmark = pytest.mark.django_db(transaction=True)


def _backends(application_name: str) -> set[tuple[int, object]]:
    """(pid, backend start) of the connections the server holds now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = %s",
                       [application_name])
        return set(cursor.fetchall())


@pytest.fixture
def pooled_server(tmp_path):
    """uvicorn geoplatform.asgi:application, 2 workers, the pool at most 3 connections per process."""
    name = f"pooltest-{os.getpid()}"
    # DATABASE_POOL: the default, on. A request waits up to 30 s for a pooled connection (3 s by default): this
    # test counts connections, and on a busy machine (pytest-xdist, other servers) a 3 s wait can pass and answer 503
    env = served_env(DATABASE_POOL_MIN_SIZE="1", DATABASE_POOL_MAX_SIZE="3", DATABASE_POOL_TIMEOUT="30",
                     DATABASE_APPLICATION_NAME=name, TILES_CACHE_BACKEND="none", DATABASE_POOL=None)
    with served("uvicorn", "--workers", "2", "--lifespan", "off", "--no-access-log", env=env,
                log_path=tmp_path / "uvicorn.log") as server:
        yield server.base, name


def _burst(base: str, paths: list[str], n: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda i: requests.get(base + paths[i % len(paths)], timeout=30).status_code,
                             range(n)))


def test_the_served_application_reuses_a_few_pooled_connections_for_many_concurrent_requests(pooled_server, seoul):
    base, name = pooled_server
    paths = ["/healthz", "/api/districts/", "/api/districts/11140/",
             "/api/districts/where/?lon=126.9779&lat=37.5663"]
    assert set(_burst(base, paths, 40)) == {200}
    first = _backends(name)
    assert 1 <= len(first) <= 2 * 3  # 2 processes × at most 3 each; without the pool: one per request, closed after
    assert set(_burst(base, paths, 80)) == {200}
    second = _backends(name)
    assert len(second) <= 2 * 3
    # the same connections served the second burst: nothing was opened per request (a new one would show as
    # a pid or start time not seen before, beyond the pool's size)
    assert len(second | first) <= 2 * 3


def test_a_workers_liveness_lock_is_held_on_a_connection_outside_the_pool(monkeypatch):
    from jobs import recovery

    configured = settings.DATABASES["default"]

    class Pooled:  # the served settings: the pool on for "default"
        settings = {"default": {**configured, "OPTIONS": {**configured["OPTIONS"], "pool": {"max_size": 2}}}}

    monkeypatch.setattr(recovery, "connections", Pooled())
    wrapper = unpooled_connection("default")
    assert wrapper.pool is None and "pool" not in wrapper.settings_dict["OPTIONS"]
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s)), pg_backend_pid()", [LOCK_CLASS, "w-test"])
        pid = cursor.fetchone()[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s AND classid = %s",
                       [pid, LOCK_CLASS])
        assert cursor.fetchone()[0] == 1
    wrapper.close()  # a real close: the session, and with it the lock, ends (a pooled one would stay open)
    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the lock's connection is still open after close()")
