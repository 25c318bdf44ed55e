# The two commands: `make run` and `make test`. See README.md.
.PHONY: run test setup bench bench-tiles bench-ui bench-live screenshots db-start db-stop clean

run:
	bin/run

test:
	bin/test

setup:
	bin/setup

bench: bench-tiles bench-ui

bench-tiles:
	bin/bench

bench-live: setup
	.venv/bin/python -m bench.livebench

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
