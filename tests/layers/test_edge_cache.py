"""#16: a public map's tiles cached at the edge (nginx, deploy/nginx/locations.conf) stop being served within
seconds of the map turning private, through a real nginx in front of the real ASGI app.

The edge used to keep a versioned tile for its browser max-age (a day) and, with `updating` and background
updates, to keep serving the old tile while every update the app refused (404) left it in place."""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.contrib.gis.geos import Point

from maps.services import feature_create, map_create, map_update

from tests.servers import free_port

from .test_tiles import tile_of

ROOT = Path(__file__).resolve().parents[2]
CITY_HALL = (126.97797, 37.56654)
EDGE_SECONDS = 5  # proxy_cache_valid in locations.conf


@pytest.fixture
def edge(live_seoul, tmp_path):
    """nginx with the project's locations.conf and the tile cache zone of cluster.conf, proxying to the app."""
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed (bin/setup installs it)")
    base = tmp_path / "nginx"
    (base / "cache").mkdir(parents=True)
    (base / "tmp").mkdir()
    port = free_port()
    upstream = live_seoul.url.removeprefix("http://")
    cluster = (ROOT / "deploy" / "nginx" / "cluster.conf").read_text()
    maps = "\n".join(line for line in cluster.splitlines() if line.strip().startswith("map "))
    (base / "locations.conf").write_text((ROOT / "deploy" / "nginx" / "locations.conf").read_text()
                                         .replace("/srv/static/", f"{base}/static/").replace("/srv/media/", f"{base}/media/"))
    (base / "nginx.conf").write_text(f"""
{"user root;" if os.getuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {base}/nginx.pid;
error_log {base}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {base}/tmp;
    proxy_temp_path {base}/tmp;
    proxy_cache_path {base}/cache levels=1:2 keys_zone=tiles:4m inactive=7d use_temp_path=off;
    {maps}
    upstream web {{ server {upstream}; }}
    server {{
        listen 127.0.0.1:{port};
        include {base}/locations.conf;
    }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", str(base / "nginx.conf"), "-p", str(base), "-e", str(base / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("nginx did not start: " + (base / "error.log").read_text())
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_a_map_made_private_leaves_the_edge_cache_within_seconds(edge, live_server, make_user):
    owner = make_user("edge.owner")
    map_obj = map_create(owner=owner, title="공개였던 지도", visibility="public")
    feature_create(map_obj=map_obj, actor=owner, geom=Point(*CITY_HALL, srid=4326), name="시청")
    z, x, y = tile_of(CITY_HALL, 15)
    template = requests.get(f"{edge}/tiles/{map_obj.layer_name}.json", timeout=30).json()["tiles"][0]
    path = "/" + template.split("://", 1)[-1].split("/", 1)[1]
    url = edge + path.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    assert "?v=" in url
    first, second = requests.get(url, timeout=30), requests.get(url, timeout=30)
    assert first.status_code == second.status_code == 200
    assert "immutable" in second.headers["Cache-Control"]  # browsers may keep it a day …
    assert second.headers["X-Cache-Status"] == "HIT"  # … and the edge holds it

    map_update(map_obj=map_obj, actor=owner, visibility="private")
    made_private = time.monotonic()
    assert requests.get(f"{edge}/tiles/{map_obj.layer_name}/{z}/{x}/{y}.mvt", timeout=30).status_code == 404
    time.sleep(max(0.0, made_private + EDGE_SECONDS + 1 - time.monotonic()))
    for _ in range(3):  # not once: an update the app refuses must not leave the old tile to be served again
        again = requests.get(url, timeout=30)
        assert again.status_code == 404, (again.status_code, again.headers.get("X-Cache-Status"))
        assert again.headers.get("X-Cache-Status") not in ("HIT", "STALE", "UPDATING")


def test_private_tiles_are_never_stored_at_the_edge(edge, live_server, make_user):
    owner = make_user("edge.private")
    map_obj = map_create(owner=owner, title="비공개 지도", visibility="private")
    feature_create(map_obj=map_obj, actor=owner, geom=Point(*CITY_HALL, srid=4326), name="집")
    z, x, y = tile_of(CITY_HALL, 15)
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=owner).key
    url = f"{edge}/tiles/{map_obj.layer_name}/{z}/{x}/{y}.mvt"
    mine = [requests.get(url, headers={"Authorization": f"Token {token}"}, timeout=30) for _ in range(2)]
    assert [r.status_code for r in mine] == [200, 200] and mine[1].headers["X-Cache-Status"] != "HIT"
    assert requests.get(url, timeout=30).status_code == 404  # the owner's tile did not stay for others
