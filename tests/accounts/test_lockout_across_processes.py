"""The per-account lock-out holds across server processes when they share the cache (Redis), as in
docker-compose and the cluster: wrong passwords sent to two separate gunicorn processes add up."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgis://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT']}/{s['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_sent_to_two_processes_lock_the_account_in_both(make_user, redis_url, tmp_path):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = make_user("minji")
    # the servers run the production hashers (the test settings use a fast one they do not know)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base",
           "DATABASE_URL": _database_url(), "CACHE_URL": redis_url.replace("redis://", "rediscache://"),
           "AXES_FAILURE_LIMIT": "5"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ports = [_port(), _port()]
    servers = [subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "geoplatform.wsgi:application",
                                 "--bind", f"127.0.0.1:{port}", "--workers", "1"], cwd=ROOT, env=env,
                                stdout=open(tmp_path / f"{port}.log", "wb"), stderr=subprocess.STDOUT)
               for port in ports]
    try:
        def token(port, password):
            return requests.post(f"http://127.0.0.1:{port}/api/auth/token/",
                                 json={"username": "minji", "password": password}, timeout=30)

        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"http://127.0.0.1:{port}/no-such-page/", timeout=20)
                    break
                except (requests.ConnectionError, requests.Timeout):
                    assert time.monotonic() < deadline, (tmp_path / f"{port}.log").read_text()
                    time.sleep(0.3)
        assert token(ports[0], PASSWORD).status_code == 200  # both serve the account
        statuses = [token(ports[i % 2], f"guess-{i}").status_code for i in range(6)]
        assert statuses[:4] == [400] * 4  # 2 + 2 wrong answers, none locks on its own
        for port in ports:
            assert token(port, PASSWORD).status_code == 429, port  # 3 + 3 > 5: locked on both
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
