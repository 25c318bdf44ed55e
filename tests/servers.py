"""The served application in a child process, for the tests that need a real server process: started as `make run`,
docker-compose and the cluster start it (uvicorn, gunicorn, runserver with `geoplatform.settings.base`), on a free
loopback port, against this test process's own database (under pytest-xdist each worker has its own,
`test_geoplatform_gw0`, …), and always stopped and reaped.

    with served("uvicorn", "--workers", "2", env=served_env(AXES_FAILURE_LIMIT="5"), log_path=tmp_path / "web.log") as web:
        requests.get(web.url("/api/districts/"))

The test must hold the database (`pytest.mark.django_db`; `transaction=True` when the server must see what the test
writes). `served` returns once `/healthz` answers 200 (the server is up and reaches the database) and fails with
the server's log when it does not within the deadline or the process exits first.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMANDS: dict[str, Callable[[int], list[str]]] = {
    "uvicorn": lambda port: [str(BIN / "uvicorn"), "geoplatform.asgi:application", "--host", "127.0.0.1",
                             "--port", str(port)],
    "gunicorn": lambda port: [str(BIN / "gunicorn"), "geoplatform.wsgi:application", "--bind", f"127.0.0.1:{port}"],
    "runserver": lambda port: [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
                               f"127.0.0.1:{port}"],
}


def free_port() -> int:
    """A loopback port nobody listens on now (the OS chooses it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The URL of this process's test database, for a child process's DATABASE_URL.

    Refuses to answer before pytest-django has set the test database up: a served process must never reach the
    developer's database, nor, under pytest-xdist, another worker's."""
    from django.db import connection

    s = connection.settings_dict
    name = s["NAME"]
    assert name.startswith("test_"), f"{name} is not a test database: mark the test django_db"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert not worker or name.endswith(f"_{worker}"), f"{name} is not pytest-xdist worker {worker}'s database"
    credentials = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    return f"postgis://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def served_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a served process: production settings in development mode, this test's database and
    no replicas; `overrides` add settings (a value of None removes the variable, leaving the setting's default)."""
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base",
           "DATABASE_URL": database_url()}
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_REPLICA_URLS"):  # as served: no test-only switches
        env.pop(name, None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@dataclass
class Server:
    """A served process: its port, its process and what it wrote (stdout and stderr together)."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return self.base + path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_healthy(base: str, *, timeout: float, ready: Callable[[requests.Response], bool] | None = None,
                 request_timeout: float = 20, process: subprocess.Popen | None = None,
                 log: Callable[[], str] = str) -> requests.Response:
    """Poll `base`/healthz until it answers `ready` (by default: 200) and return that answer; fail, with the last
    answer and the server's `log()`, at the deadline or as soon as `process` has exited."""
    ready = ready or (lambda response: response.status_code == 200)
    deadline, last = time.monotonic() + timeout, "no answer"
    while True:
        try:
            response = requests.get(f"{base}/healthz", timeout=request_timeout)
            if ready(response):
                return response
            last = f"{response.status_code} {response.text[:500]}"
        except (requests.RequestException, ValueError) as exc:  # not listening yet, or not JSON yet
            last = repr(exc)
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with code {process.returncode} before it was healthy:\n{log()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{base}/healthz was not healthy within {timeout:.0f} s (last: {last}):\n{log()}")
        time.sleep(0.3)


def stop(process: subprocess.Popen, *, grace: float = 30) -> None:
    """Stop a served process started in a session of its own, and reap it: SIGTERM (the server stops its workers),
    SIGKILL to its whole process group after `grace` seconds, and to any worker left behind."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group outlives its leader only when a worker was orphaned
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10  # a killed process runs on until the kernel has torn it down
    while group_running(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def running(pid: int) -> bool:
    """The process runs (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def group(pgid: int) -> list[int]:
    """The processes of a process group (a server and its workers)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.getpgid(int(entry)) == pgid:
                pids.append(int(entry))
        except ProcessLookupError:
            pass
    return pids


def group_running(pgid: int) -> list[int]:
    """The processes of the group that still run."""
    return [pid for pid in group(pgid) if running(pid)]


@contextmanager
def served(kind: str, *options: str, log_path: Path, env: dict[str, str] | None = None,
           timeout: float = 90) -> Iterator[Server]:
    """Serve the application with `kind` (uvicorn, gunicorn or runserver) and `options`, on a free loopback port,
    with `env` (default `served_env()`); yield once /healthz answers 200; stop and reap it on the way out. An error
    inside the block carries the end of the server's log."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen([*COMMANDS[kind](port), *options], cwd=ROOT, env=env or served_env(), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, port, log_path)
    try:
        wait_healthy(server.base, timeout=timeout, process=process, log=server.log)
    except BaseException:
        stop(process)
        raise
    try:
        yield server
    except Exception as exc:
        exc.add_note(f"{kind} log ({log_path}), its end:\n{server.log()[-3000:]}")
        raise
    finally:
        stop(process)
