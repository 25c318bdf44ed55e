# The two commands: `make run` and `make test`. See README.md.
.PHONY: run test cluster test-cluster load setup bench bench-tiles bench-analyses bench-ui screenshots db-start db-stop clean

run:
	bin/run

test:
	bin/test

# The production topology on this machine (primary + replica, Redis, nginx, 2 web nodes, 2 workers).
cluster:
	bin/cluster

# Fault drills under load against a cluster of their own (docs/scale.md).
test-cluster:
	bin/test-cluster

# Seoul's traffic mix with locust against make run and make cluster (bounded, loopback only).
load:
	bin/load

setup:
	bin/setup

bench: bench-tiles bench-analyses bench-ui

bench-tiles:
	bin/bench

bench-analyses:
	bin/bench --analyses

bench-ui: setup
	.venv/bin/python -m bench.ui.uibench

screenshots: setup
	.venv/bin/python -m bench.ui.screenshots

db-start:
	bin/pg start

db-stop:
	bin/pg stop

clean:
	-bin/pg stop
	rm -rf var .venv frontend/node_modules
