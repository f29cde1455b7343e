# One command to set up and run the demo, one to run the tests. Needs Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs bench clean

$(BIN)/weerbaar: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/weerbaar  ## set up, then build the demo workspace in ./weerbaar-demo
	$(BIN)/weerbaar demo

test: lint  ## the linters, then the whole test suite (CI runs this: .ci/run)
	$(BIN)/python -m pytest

lint: $(BIN)/weerbaar  ## ruff (style, imports, likely bugs), mypy (types), import contracts; rules in pyproject.toml
	$(BIN)/ruff check src tests bench eval docs
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

docs: $(BIN)/weerbaar  ## regenerate docs/cli.md from the commands' --help
	$(BIN)/python docs/gen_cli_reference.py > docs/cli.md

bench: $(BIN)/weerbaar  ## the benchmarks BENCHMARKS.md quotes, 3 rounds, regenerating its figures (~40 min quiet; BENCH="--snel" to check)
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) weerbaar-demo .pytest_cache
