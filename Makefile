# Two commands on a fresh machine: `make demo` (installs, then runs the demo)
# and `make test` (installs test tools, then runs the test suite).
PYTHON ?= python3

.PHONY: install test-deps demo test lint bench

install:
	$(PYTHON) -m pip install --quiet -e ".[dev]"

test-deps: install
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless)
	@# Debian's Chromium for the browser tests (Playwright drives it; it never downloads one)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	bash .ci/install-morph-kgc.sh

demo: install
	tyodata demo

test: test-deps
	$(PYTHON) -m ruff check .
	lint-imports
	$(PYTHON) -m pytest

bench: install
	$(PYTHON) bench/ingest.py
