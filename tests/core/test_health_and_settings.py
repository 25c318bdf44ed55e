import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_200_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_down(client, unused_tcp_port):
    # Point the live connection at a port where no PostgreSQL listens: the server is "stopped".
    connection.close()
    saved = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = unused_tcp_port
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert client.get("/healthz").status_code == 200  # and it recovers


def test_check_deploy_passes_with_debug_off_and_a_real_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 20 + "Q9!x" * 10, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the test settings for Playwright, never in deployment
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_to_start_without_a_key_in_production():
    env = {**os.environ, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/districts/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200
