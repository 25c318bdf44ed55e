"""docker-compose.yml is the production shape, the topology of make cluster: valid for Compose, secrets required."""
import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"SECRET_KEY": "compose-check-" + "z" * 40, "POSTGRES_PASSWORD": "compose-check-db-password"}


def _config(env):
    return subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def _command(service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_file_is_the_cluster_topology():
    result = _config({**os.environ, **SECRETS})
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"db", "replica", "redis", "migrate", "web", "worker", "nginx"}
    assert services["db"]["image"].startswith("postgis/postgis:")
    assert "wal_level=replica" in _command(services["db"])
    assert "pg_basebackup" in _command(services["replica"]) and "-R" in _command(services["replica"])
    # Deploy steps run once, in the one-off job; web nodes only serve, after it completed.
    assert "migrate" in _command(services["migrate"]) and services["migrate"]["restart"] == "no"
    assert "migrate" not in _command(services["web"])
    assert "uvicorn geoplatform.asgi:application" in _command(services["web"])  # HTTP and WebSockets
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "run_worker" in _command(services["worker"])
    web_env = services["web"]["environment"]
    assert web_env["DEBUG"] == "0"
    assert web_env["DATABASE_REPLICA_URLS"].startswith("postgis://geoplatform:compose-check-db-password@replica:")
    assert web_env["CACHE_URL"].startswith("rediscache://redis")
    for service in ("web", "worker"):  # the worker's live events reach the web nodes' sockets
        assert services[service]["environment"]["CHANNEL_REDIS_URL"].startswith("redis://redis:")
    # Web nodes are scalable: no fixed host port on them; nginx is the one entry point.
    assert "ports" not in services["web"] and services["nginx"]["ports"]
    mounts = [v if isinstance(v, str) else f"{v['source']}:{v['target']}{':ro' if v.get('read_only') else ''}"
              for v in services["nginx"]["volumes"]]
    assert any(":/srv/static" in m for m in mounts)
    assert any(m.endswith(":/etc/nginx/locations.conf:ro") for m in mounts)
    assert {"pgdata", "pgreplica", "media", "static"} <= set(config["volumes"])


def test_compose_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in {**os.environ, **SECRETS}.items() if k != "SECRET_KEY"}
    result = _config(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_refuses_to_start_without_a_database_password():
    env = {k: v for k, v in {**os.environ, **SECRETS}.items() if k != "POSTGRES_PASSWORD"}
    result = _config(env)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_nginx_never_serves_media_from_disk_except_through_the_app():
    lines = (ROOT / "deploy" / "nginx" / "locations.conf").read_text().splitlines()
    locations = "\n".join(line.split("#")[0] for line in lines)
    blocks = locations.split("location ")
    media = [b for b in blocks if "/srv/media" in b]
    assert len(media) == 1 and "internal;" in media[0]
