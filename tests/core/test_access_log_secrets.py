"""Finding 10 of #16: a key in a query string used to be written to the access log. Real servers, real logs."""
from pathlib import Path

import pytest
import requests

from tests.servers import served

ROOT = Path(__file__).resolve().parents[2]

SECRETS = {"api_key": "OPEN311SECRETKEY0123456789", "key": "MAPSECRETLINK0123456789",
           "token": "APITOKENSECRET0123456789"}
VERIFY_TOKEN = "eyJ1IjoxLCJlIjoiYUBleGFtcGxlLm9yZyJ9:1t2U3v:SIGNEDVERIFYTOKEN0123456789"


def _serve_and_hit(kind: str, *options: str, log_path) -> str:
    """What the server wrote (its access log among it) while it answered URLs that carry secrets."""
    with served(kind, *options, log_path=log_path) as server:
        query = "&".join(f"{k}={v}" for k, v in SECRETS.items())
        requests.get(server.url(f"/no-such-page/?{query}"), timeout=10)
        requests.get(server.url(f"/open311/v2/services.json?api_key={SECRETS['api_key']}"), timeout=30)
        requests.get(server.url(f"/accounts/verify/{VERIFY_TOKEN}/"), timeout=30)
    return server.log()  # whole: the server has stopped


@pytest.mark.slow
@pytest.mark.django_db
def test_gunicorn_access_log_never_holds_a_key_from_the_query_string(tmp_path):
    text = _serve_and_hit("gunicorn", "--workers", "1", "--access-logfile", "-", log_path=tmp_path / "gunicorn.log")
    assert "/no-such-page/?api_key=[scrubbed]" in text, text  # the line is there, without the secret
    for secret in [*SECRETS.values(), VERIFY_TOKEN]:
        assert secret not in text


@pytest.mark.slow
@pytest.mark.django_db
def test_uvicorn_access_log_of_the_web_nodes_never_holds_a_key_or_a_confirmation_token(tmp_path):
    """uvicorn as bin/cluster and docker-compose start it (several worker processes, proxy headers)."""
    text = _serve_and_hit("uvicorn", "--workers", "2", "--ws", "websockets-sansio", "--lifespan", "off",
                          "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1", log_path=tmp_path / "uvicorn.log")
    assert '"GET /no-such-page/?api_key=[scrubbed]&key=[scrubbed]&token=[scrubbed] HTTP/1.1" 404' in text, text
    assert '"GET /accounts/verify/[scrubbed]/ HTTP/1.1"' in text, text
    for secret in [*SECRETS.values(), VERIFY_TOKEN, VERIFY_TOKEN.split(":")[-1]]:
        assert secret not in text


@pytest.mark.slow
@pytest.mark.django_db
def test_development_server_log_never_holds_a_key_from_the_query_string(tmp_path):
    text = _serve_and_hit("runserver", log_path=tmp_path / "runserver.log")
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
