"""bin/pg, the project-local PostGIS cluster that make run/make test start."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def scratch_cluster():
    base = tempfile.mkdtemp(prefix="geoplatform-pgtest-", dir="/var/tmp")
    os.chmod(base, 0o755)
    env = {**os.environ, "GEOPLATFORM_PG_DIR": base, "GEOPLATFORM_PGPORT": str(free_port())}
    env.pop("DATABASE_URL", None)

    def pg(*args):
        return subprocess.run([str(ROOT / "bin" / "pg"), *args], env=env, capture_output=True, text=True, timeout=120)

    yield pg, base
    pg("stop")
    shutil.rmtree(base, ignore_errors=True)


def test_cluster_starts_with_postgis_survives_a_crash_and_stops(scratch_cluster):
    pg, base = scratch_cluster
    started = pg("start")
    assert started.returncode == 0, started.stdout + started.stderr
    url = pg("url").stdout.strip().replace("postgis://", "postgresql://")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT postgis_lib_version()")
        assert cur.fetchone()[0].startswith("3.")
    if os.geteuid() == 0:
        # PostgreSQL refuses root: the cluster runs as the unprivileged postgres user.
        assert (Path(base) / "data").stat().st_uid != 0

    # Crash: kill the postmaster hard, leaving postmaster.pid behind.
    pid_file = Path(base) / "data" / "postmaster.pid"
    pid = int(pid_file.read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        try:
            os.kill(pid, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break
    assert pid_file.exists()

    restarted = pg("start")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert pg("status").returncode == 0
    stopped = pg("stop")
    assert stopped.returncode == 0
    assert pg("status").returncode == 3
