# The two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= storyline.db

.PHONY: demo test install bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: set up .venv, run the main job on the bundled sample corpus, print the stories
demo: $(STAMP)
	$(BIN)/storyline run examples/sample --db $(DB)
	@echo
	@echo "Browse the stories in the web app:  $(BIN)/storyline serve --db $(DB)"
	@echo "  then open http://127.0.0.1:8000/  (REST API under /api/v1, schema at /openapi.json;"
	@echo "  add --token SECRET to accept new articles)"

## test: the test suite (what CI runs)
test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

## serve: the web app and REST API over $(DB) on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/storyline serve --db $(DB)

## bench: speed figures for BENCHMARKS.md
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm build src/*.egg-info
