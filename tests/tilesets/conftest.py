import shutil
import socket
import subprocess
import time

import pytest


@pytest.fixture(autouse=True)
def private_tile_cache(settings, tmp_path):
    settings.TILES_CACHE_BACKEND = "filesystem"
    settings.TILES_CACHE_DIR = str(tmp_path / "tilecache")
    settings.TILESETS_DIR = str(tmp_path / "tilesets")
    return settings.TILES_CACHE_DIR


@pytest.fixture(scope="session")
def redis_url():
    """A private redis-server on a free loopback port, for this test session only."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--protected-mode", "yes"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)
