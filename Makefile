# The two commands a newcomer needs: `make run` and `make test`. Both install what they need.
.PHONY: run test deps fuzz bench

deps:
	@bash scripts/install-deps.sh

## Start the server on 127.0.0.1:8080 with ./foothold.sqlite (created and migrated on first start).
run: deps
	swift run -c release foothold serve

## Run every test (unit and end to end through real sockets).
test: deps
	swift test

## Fuzz the request parser for 60 seconds.
fuzz: deps
	bash fuzz/run.sh 60

## Benchmark workloads against a release build (see bench/README.md).
bench: deps
	bash bench/run.sh
