# The two commands: `make run` and `make test`. See README.md.
.PHONY: run test setup bench bench-ui db-start db-stop clean

run:
	bin/run

test:
	bin/test

setup:
	bin/setup

bench:
	bin/bench

db-start:
	bin/pg start

db-stop:
	bin/pg stop

clean:
	-bin/pg stop
	rm -rf var .venv frontend/node_modules
