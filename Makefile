# valuegrad: two commands on a fresh machine with Python 3.10+: `make demo` and `make test`.
# Each builds its own virtual environment in .venv from this project's files.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint typecheck bench notebooks torch clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per set of extras, redone whenever pyproject.toml changes.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[plot,progress]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $@

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[bench]'
	touch $@

# PyTorch in .venv, for nn.to_torch's tests and notebook 9 (optional: `make test` skips them without it).
# Always this exact version; TORCH_PIP_ARGS adds pip options, e.g. TORCH_PIP_ARGS="--find-links /opt/wheels".
TORCH_VERSION  ?= 2.13.0
TORCH_PIP_ARGS ?=
torch: $(VENV)/.test-installed
	$(PIP) install $(TORCH_PIP_ARGS) torch==$(TORCH_VERSION)

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/demo.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check autograd nn tests

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy --strict autograd nn

test: lint typecheck
	$(BIN)/python -m pytest --nbmake --doctest-modules autograd nn tests $(wildcard notebooks/*.ipynb)

# Re-run the notebooks and save them with fresh outputs (after changing the engine or nn).
notebooks: $(VENV)/.test-installed
	$(BIN)/python notebooks/execute.py

bench: $(VENV)/.bench-installed
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_compile.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
