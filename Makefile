# Every target installs what it needs into .venv first; nothing but Python 3.11+ is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test lint demo bench soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Two workers, one per core of the CI machine: most tests wait on loopback servers and timers,
# so the suite takes 241 s instead of 430 s (CI allows 600 s for lint and tests together).
test: $(STAMP)
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/python -m demo

# The delivery benchmark first: it needs nothing else, and the ingest one stops make without wrk.
bench: $(STAMP)
	$(BIN)/python -m bench.discord_delivery --limits discord --rate 500
	$(BIN)/python -m bench.discord_delivery --limits none --rate 100
	$(BIN)/python -m bench.change_feed
	$(BIN)/python -m bench.webhook_ingest

# Not part of `make test`: the real bot for SOAK_MINUTES under load and faults (bench/soak.py).
SOAK_MINUTES ?= 10
soak: $(STAMP)
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis
