"""A smoke test of the tile benchmark's set-up path (the benchmark itself never runs in make test)."""
import shutil
import subprocess

import pytest

from bench import tilebench


def _row(layer, label, **tps):
    row = tilebench.Row(layer=layer, label=label, tiles=[(10, 1, 1)], raw_max=1234)
    for target, value in tps.items():
        row.results[target] = tilebench.Measure(tiles_per_s=value, p95=12.5)
    return row


@pytest.mark.django_db
def test_results_json_has_the_shape_issue_14_asks_for():
    rows = [_row("benchpoints", "z10", raw=10, ours=9, cached=4000, edge=12000, tipg=2),
            _row("benchpoints", "empty", raw=1, ours=1)]
    config = tilebench.parse_args(["--quick", "--json", "/dev/null"])
    doc = tilebench.results_json(rows, config)
    assert set(doc) >= {"machine", "cells", "analyses"}
    cpu = {"postgres": None, "server": None, "client": None}  # not measured in these rows
    assert doc["cells"] == [{"layer": "benchpoints", "zoom": 10, "raw_tps": 10, "ours_tps": 9, "cached_tps": 4000,
                             "edge_tps": 12000, "tipg_tps": 2, "p95_ms": 12.5, "max_tile_bytes": 1234,
                             "cpu_ms_per_tile": {target: cpu for target in ("raw", "ours", "cached", "edge", "tipg")}}]
    checks = tilebench.targets(rows)
    assert "- met: benchpoints z10 cache hits through the edge: 12,000.00 tiles/s vs 10,000 tiles/s" in checks
    assert any(c.startswith("- met: benchpoints z10 uncached p95") for c in checks)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx (Debian package) is not installed")
def test_the_edge_configuration_is_valid_nginx(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(tilebench.NGINX_CONF.format(root=tmp_path, app_port=9, port=9))
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    out = subprocess.run([shutil.which("nginx"), "-t", "-p", str(tmp_path), "-c", str(conf)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
