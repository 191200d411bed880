# The two commands a newcomer needs: `make run` and `make test`. Both install what they need.
.PHONY: run test deps fuzz bench screenshots

deps:
	@bash scripts/install-deps.sh

## Start the server on 127.0.0.1:8080 with ./foothold.sqlite (created and migrated on first start);
## it prints the URL of the web front to open.
run: deps
	swift run -c release foothold serve

## Run every test: unit and end to end through real sockets, then the web front in a real browser
## (Debian's chromium through Playwright; Tests/Browser/run.sh installs them).
test: deps
	swift test
	bash Tests/Browser/run.sh .build/debug/foothold

## Screenshots of the main pages into docs/screenshots (the README shows them).
screenshots: deps
	swift build -c release --product foothold
	bash Tests/Browser/run.sh .build/release/foothold --screenshots docs/screenshots

## Fuzz the request parser for 60 seconds.
fuzz: deps
	bash fuzz/run.sh 60

## Benchmark workloads against a release build (see bench/README.md).
bench: deps
	bash bench/run.sh
