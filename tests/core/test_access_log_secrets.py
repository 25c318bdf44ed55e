"""Finding 10 of #16: a key in a query string used to be written to the access log. Real servers, real logs."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"api_key": "OPEN311SECRETKEY0123456789", "key": "MAPSECRETLINK0123456789",
           "token": "APITOKENSECRET0123456789"}
VERIFY_TOKEN = "eyJ1IjoxLCJlIjoiYUBleGFtcGxlLm9yZyJ9:1t2U3v:SIGNEDVERIFYTOKEN0123456789"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_and_hit(cmd: list[str], port: int, log_path: Path) -> str:
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"http://127.0.0.1:{port}/no-such-page/", timeout=20)
                    break
                except (requests.ConnectionError, requests.Timeout):
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise AssertionError("server did not start: " + log_path.read_text())
                    time.sleep(0.3)
            query = "&".join(f"{k}={v}" for k, v in SECRETS.items())
            requests.get(f"http://127.0.0.1:{port}/no-such-page/?{query}", timeout=10)
            requests.get(f"http://127.0.0.1:{port}/open311/v2/services.json?api_key={SECRETS['api_key']}", timeout=30)
            requests.get(f"http://127.0.0.1:{port}/accounts/verify/{VERIFY_TOKEN}/", timeout=30)
            time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return log_path.read_text()


@pytest.mark.slow
def test_gunicorn_access_log_never_holds_a_key_from_the_query_string(tmp_path):
    port = _port()
    text = _serve_and_hit([str(Path(sys.executable).parent / "gunicorn"), "geoplatform.wsgi:application",
                           "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"], port,
                          tmp_path / "gunicorn.log")
    assert "/no-such-page/?api_key=[scrubbed]" in text, text  # the line is there, without the secret
    for secret in [*SECRETS.values(), VERIFY_TOKEN]:
        assert secret not in text


@pytest.mark.slow
def test_uvicorn_access_log_of_the_web_nodes_never_holds_a_key_or_a_confirmation_token(tmp_path):
    """uvicorn as bin/cluster and docker-compose start it (several worker processes, proxy headers)."""
    port = _port()
    text = _serve_and_hit([str(Path(sys.executable).parent / "uvicorn"), "geoplatform.asgi:application",
                           "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--ws", "websockets-sansio",
                           "--lifespan", "off", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"], port,
                          tmp_path / "uvicorn.log")
    assert '"GET /no-such-page/?api_key=[scrubbed]&key=[scrubbed]&token=[scrubbed] HTTP/1.1" 404' in text, text
    assert '"GET /accounts/verify/[scrubbed]/ HTTP/1.1"' in text, text
    for secret in [*SECRETS.values(), VERIFY_TOKEN, VERIFY_TOKEN.split(":")[-1]]:
        assert secret not in text


@pytest.mark.slow
def test_development_server_log_never_holds_a_key_from_the_query_string(tmp_path):
    port = _port()
    text = _serve_and_hit([sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
                          port, tmp_path / "runserver.log")
    assert "api_key=[scrubbed]" in text, text
    for secret in [*SECRETS.values(), VERIFY_TOKEN]:
        assert secret not in text


NGINX_CONFS = sorted((ROOT / "deploy" / "nginx").glob("*.conf"))
QUERY_VARIABLES = ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$http_referer", "$arg_")


def test_nginx_access_logs_never_log_a_query_string():
    import re

    assert NGINX_CONFS, "no nginx configuration found"
    formats, logs = {}, []
    for conf in NGINX_CONFS:
        text = conf.read_text()
        for name, body in re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", text):
            formats[name] = body
        logs += [(conf.name, line.split()[2].rstrip(";") if len(line.split()) > 2 else "combined")
                 for line in text.splitlines() if line.strip().startswith("access_log") and "off" not in line]
    assert logs, "no access log configured"
    for conf, fmt in logs:
        assert fmt in formats, f"{conf}: access_log with nginx's default format, which logs the query string"
        for variable in QUERY_VARIABLES:
            assert variable not in formats[fmt], f"{conf}: log_format {fmt} logs {variable.strip()}"
