"""docker-compose.yml is the production shape: valid for Compose, with every service it needs."""
import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_is_valid_for_docker_compose():
    env = {**os.environ, "SECRET_KEY": "compose-check-" + "z" * 40}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"db", "redis", "web", "worker"}
    assert services["db"]["image"].startswith("postgis/postgis:")
    web_command = " ".join(services["web"]["command"]) if isinstance(services["web"]["command"], list) \
        else services["web"]["command"]
    assert "uvicorn geoplatform.asgi:application" in web_command  # HTTP and WebSockets from one service
    assert "migrate" in str(services["web"]["command"])
    assert "db_worker" in " ".join(services["worker"]["command"])
    assert services["web"]["environment"]["DEBUG"] == "0"
    assert services["web"]["environment"]["CACHE_URL"].startswith("rediscache://redis")
    for service in ("web", "worker"):  # the worker's live events reach the web service's sockets
        assert services[service]["environment"]["CHANNEL_REDIS_URL"].startswith("redis://redis:")
    assert {"pgdata", "media"} <= set(config["volumes"])


def test_compose_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
