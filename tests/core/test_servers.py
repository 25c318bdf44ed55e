"""tests/servers.py, the one way a test starts a real server process: it fails at once with the server's log
when the server cannot start, and leaves no process behind, whatever happens inside the block."""
import pytest
import requests

from tests.servers import group, running, served, served_env

pytestmark = pytest.mark.django_db


def test_a_server_that_cannot_start_fails_without_waiting_for_the_deadline_and_shows_its_log(tmp_path):
    env = served_env(DJANGO_SETTINGS_MODULE="geoplatform.settings.no_such_module")
    with pytest.raises(AssertionError) as failed:
        with served("uvicorn", env=env, log_path=tmp_path / "uvicorn.log", timeout=600):
            pytest.fail("the block ran although the server never started")
    assert "the server exited with code" in str(failed.value)  # not the deadline's message
    assert "No module named 'geoplatform.settings.no_such_module'" in str(failed.value)


def test_the_server_and_its_workers_are_stopped_and_an_error_in_the_block_carries_the_servers_log(tmp_path):
    with pytest.raises(RuntimeError) as raised:
        with served("uvicorn", "--workers", "2", "--lifespan", "off", log_path=tmp_path / "uvicorn.log") as server:
            health = requests.get(server.url("/healthz"), timeout=20)
            assert (health.status_code, health.json()["database"]) == (200, "ok")  # this test's database
            members = group(server.process.pid)
            assert len(members) >= 3, members  # the server and its two workers
            raise RuntimeError("the test failed while the server ran")
    assert any(note.startswith("uvicorn log") and "Uvicorn running" in note for note in raised.value.__notes__)
    assert server.process.returncode is not None  # reaped
    assert [pid for pid in members if running(pid)] == []
