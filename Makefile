# Two entry points: `make run` (demo office on http://127.0.0.1:5000) and `make test`.
# Everything they need is installed here, so a fresh clone needs nothing by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE ?= instance
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
ESPEAK ?= /usr/bin/espeak-ng

.PHONY: setup run test chromium espeak catalogs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

catalogs: $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -d shared/translations

setup: $(VENV)/.installed node_modules/.installed catalogs

run: setup espeak
	$(BIN)/antrean --instance $(INSTANCE) --demo serve --demo-history 30 --host $(HOST) --port $(PORT)

chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The displays' spoken calls are rendered on the server with Debian's espeak-ng (it has an
# Indonesian voice); most display devices have none of their own.
espeak:
	@test -x $(ESPEAK) || { \
	  echo "Installing Debian's espeak-ng for the displays' spoken calls"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq espeak-ng >/dev/null; }

test: setup chromium espeak
	ANTREAN_CHROMIUM=$(CHROMIUM) $(BIN)/pytest

bench: setup
	$(BIN)/python -m bench.run --mode both

clean:
	rm -rf $(VENV) node_modules build *.egg-info
