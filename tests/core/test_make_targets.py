"""Every documented make target works from a plain shell (no DEBUG, SECRET_KEY or DATABASE_URL set),
with or without `make run` running: their set-up path is bin/env (or bin/setup, which uses it)."""
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PLAIN = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}


def run(*command, **kwargs):
    return subprocess.run(command, cwd=ROOT, env=PLAIN, capture_output=True, text=True, timeout=120, **kwargs)


def test_bin_env_gives_a_plain_shell_the_local_set_up():
    out = run("bash", "-c", '. bin/env && echo "$DEBUG|${#SECRET_KEY}|$DATABASE_URL"')
    assert out.returncode == 0, out.stderr
    debug, key_length, url = out.stdout.strip().splitlines()[-1].split("|")
    assert debug == "1" and int(key_length) >= 40
    assert url == run("bin/pg", "url").stdout.strip()


def test_bin_manage_runs_a_management_command_from_a_plain_shell():
    out = run("bin/manage", "check")
    assert out.returncode == 0, out.stderr
    assert "no issues" in out.stdout


def test_documented_targets_go_through_the_local_set_up():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`make ([a-z-]+)`", readme))
    assert {"bench", "bench-ui", "screenshots", "clean", "clean-db"} <= documented
    # each goes through a script of ours that sets up its own environment (bin/env, bin/setup, bin/cluster…)
    for target in sorted(documented - {"run", "test", "clean", "clean-db", "db-start", "db-stop", "bench"}):
        plan = run("make", "-n", target)
        assert plan.returncode == 0, (target, plan.stderr)
        commands = [line for line in plan.stdout.splitlines() if line.strip()]
        assert commands and all(c.startswith("bin/") for c in commands), \
            (target, commands)


def test_the_benchmark_and_screenshot_programs_start_in_that_environment():
    for module in ("bench.ui.uibench", "bench.ui.screenshots"):
        out = run("bin/env", ".venv/bin/python", "-m", module, "--help")
        assert out.returncode == 0, (module, out.stderr[-2000:])
        assert "usage" in out.stdout.lower()


def test_make_clean_says_where_the_database_lives_and_clean_db_is_offered():
    plan = run("make", "-n", "clean")
    assert "clean-db" in plan.stdout
    assert run("make", "-n", "clean-db").stdout.strip() == "bin/pg destroy"


def test_the_screenshot_and_ui_bench_server_stops_even_when_it_ignores_sigterm():
    """`make screenshots` / `make bench-ui` stop their server with bench.ui.uibench.stop: a server that does not
    exit on SIGTERM (a gunicorn busy under load) is killed with its workers after the grace period, and
    stopping never raises, so a good run does not exit 1 at shutdown."""
    import sys
    import time

    from bench.ui.uibench import stop

    stubborn = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
                "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)']); print(child.pid, flush=True); time.sleep(60)")
    process = subprocess.Popen([sys.executable, "-c", stubborn], stdout=subprocess.PIPE, text=True, start_new_session=True)
    worker = int(process.stdout.readline())
    started = time.monotonic()
    stop(process, grace=1)
    assert process.returncode is not None and time.monotonic() - started < 10
    for _ in range(50):  # the worker went with it (same session)
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the server's worker outlived it")
    stop(process)  # stopping a stopped server is harmless


@pytest.mark.django_db(transaction=True)
def test_the_screenshot_server_serves_the_demo_budget_round_over_http_and_the_live_map_over_websockets(seoul,
                                                                                                          map_templates):
    """`make screenshots` serves what it shoots as `make run` does (bench.ui.screenshots.serve_live: the ASGI
    app under uvicorn with a Redis of its own), pointed at the database it made (local_environment). On this
    test's database, holding the campaigns' demo: the participatory-budget round it shoots on /proposals/ is
    there, and a map's socket says hello (the editor's shots show it live, not "reconnecting")."""
    import io
    import json
    import urllib.request

    from websockets.sync.client import connect

    from bench.ui.screenshots import local_environment, serve_live
    from bench.ui.uibench import stop
    from campaigns.demo import load_demo as campaigns_demo
    from django.db import connection
    from geoplatform.demo import demo_users_load
    from maps.services import map_create
    from tests.servers import free_port

    out = io.StringIO()
    users = demo_users_load(out)
    campaigns_demo(out)
    shown = map_create(owner=users["citizen"], title="망원동 함께 쓰는 지도")
    env = local_environment(connection.settings_dict["NAME"])
    assert env["DATABASE_URL"].endswith("/" + connection.settings_dict["NAME"]) and env["DEBUG"] == "1"
    port = free_port()
    served = serve_live(port, env)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/proposals/", timeout=30) as response:
            page = response.read().decode()
        assert 'data-testid="budget"' in page and "2027 강남구 주민참여예산" in page
        with connect(f"ws://127.0.0.1:{port}/ws/maps/{shown.pk}/", open_timeout=20) as socket:
            hello = json.loads(socket.recv(timeout=20))
        assert hello["type"] == "hello" and hello["map"] == shown.pk
    finally:
        for process in served:
            stop(process)
    assert all(process.poll() is not None for process in served)
