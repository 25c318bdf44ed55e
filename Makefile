# The two commands: `make run` and `make test`. See README.md.
.PHONY: run test cluster test-cluster load setup bench bench-tiles bench-analyses bench-ui bench-live screenshots db-start db-stop clean clean-db

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
	bin/env bin/bench

bench-analyses:
	bin/env bin/bench --analyses

bench-live: setup
	bin/env .venv/bin/python -m bench.livebench

# Targets work from a plain shell, with or without `make run` running: bin/env supplies DEBUG, the
# secret key and the local cluster (tests/core/test_make_targets.py runs their set-up path).
bench-ui: setup
	bin/env .venv/bin/python -m bench.ui.uibench

screenshots: setup
	bin/env .venv/bin/python -m bench.ui.screenshots

db-start:
	bin/pg start

db-stop:
	bin/pg stop

# The local database cluster's data may live outside the checkout (as root: /var/tmp/geoplatform-pg-*,
# linked from var/pg): `make clean` keeps it (your maps and accounts), `make clean-db` removes it.
clean:
	-bin/pg stop
	@if [ -L var/pg ]; then echo "clean: the database cluster's data stays in $$(readlink var/pg) (outside the checkout); \`make clean-db\` removes it"; \
	 elif [ -d var/pg ]; then echo "clean: removing the database cluster in var/pg too (\`make clean-db\` alone keeps the rest)"; fi
	rm -rf var .venv frontend/node_modules

clean-db:
	bin/pg destroy
