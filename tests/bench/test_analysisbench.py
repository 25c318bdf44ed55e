"""The analysis benchmark (issue 14) end to end at a tiny size, and its JSON merged into the tile benchmark's."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import analysisbench

ROOT = Path(__file__).resolve().parents[2]


def test_analyses_entries_have_the_shape_issue_14_asks_for_and_merge_into_the_tile_json(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"machine": "m", "cells": [{"layer": "benchpoints", "zoom": 10}], "analyses": []}))
    results = [analysisbench.Measured(name="hex500", method="aggregation", records=9_000_000, seconds=41.5,
                                      worker_peak_mb=150.0, backend_peak_mb=300.5),
               analysisbench.Measured(name="kde_hotspot", method="hotspot", records=9_000_000, seconds=75.0,
                                      worker_peak_mb=190.0, backend_peak_mb=310.0)]
    analysisbench.json_merge(path, results)
    doc = json.loads(path.read_text())
    assert doc["cells"] == [{"layer": "benchpoints", "zoom": 10}] and doc["machine"] == "m"
    first, second = doc["analyses"]
    assert {k: first[k] for k in ("method", "records", "seconds", "peak_mb")} == {
        "method": "hex500", "records": 9_000_000, "seconds": 41.5, "peak_mb": 450.5}
    assert (first["met"], second["met"]) == (True, False)


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_seeds_runs_every_analysis_and_writes_the_json_at_a_small_size(tmp_path):
    """Seeds 3,000 clustered points in a database of its own, runs the six measurements, writes the JSON."""
    out = tmp_path / "analyses.json"
    settings = connection.settings_dict
    cluster = (f"postgis://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
               f"{settings['PORT'] or 5432}/postgres")
    env = {**os.environ, "DATABASE_URL": cluster}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench.analysisbench", "--records", "3000", "--database",
         f"{settings['NAME']}_analyses_smoke", "--json", str(out), "--no-results-file"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    entries = json.loads(out.read_text())["analyses"]
    assert [e["method"] for e in entries] == list(analysisbench.METHODS)
    assert all(e["records"] == 3000 and e["seconds"] > 0 and e["peak_mb"] > 0 and "error" not in e for e in entries)
    assert "| hex500 | aggregation | 3,000 |" in done.stdout
    assert re.search(r"hex500: [0-6]/6 ", done.stderr)  # the job's progress (n of 6 steps) is shown
