# valuegrad: two commands on a fresh machine with Python 3.10+: `make demo` and `make test`.
# Each builds its own virtual environment in .venv from this project's files.
# Pick the interpreter with PYTHON, e.g. `make test PYTHON=python3.12`; a .venv made by another
# Python version, a too-old one, or a half-made one (no pip, broken interpreter) is rebuilt.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
XDIST  ?= -n 2 --dist loadfile
LINTED := autograd nn tests examples notebooks conftest.py mkdocs_hooks.py

.PHONY: demo gpt test lint typecheck bench notebooks torch docs clean

# --- heal .venv before any rule runs (not for `make clean`) --------------------------------------
VERSION_OF = import sys; print("%d.%d" % sys.version_info[:2] if sys.version_info >= (3, 10) else "too-old")
ifneq ($(MAKECMDGOALS),clean)
  WANT := $(shell $(PYTHON) -c '$(VERSION_OF)' 2>/dev/null)
  ifeq ($(WANT),)
    $(error $(PYTHON) does not run; pick a Python 3.10+ with e.g. `make test PYTHON=python3.12`)
  endif
  ifeq ($(WANT),too-old)
    $(error $(PYTHON) is older than 3.10; pick a newer one with e.g. `make test PYTHON=python3.12`)
  endif
  HAVE := $(shell $(BIN)/python -c 'import pip; $(VERSION_OF)' 2>/dev/null)
  ifneq ($(HAVE),$(WANT))
    ifneq ($(wildcard $(VENV)),)
      $(info $(VENV) is not a working Python $(WANT) environment with pip ($(or $(HAVE),broken)): rebuilding it)
      $(shell rm -rf $(VENV))
    endif
  endif
endif

# pip >= 25.1 installs PEP 735 dependency groups (--group); Python 3.10-3.13 bundle older ones.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install 'pip>=25.1'

# One stamp per set of requirements, redone whenever pyproject.toml changes.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[plot,progress]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install 'pip>=25.1'
	$(PIP) install -e '.[notebooks,data]' --group dev
	touch $@

$(VENV)/.docs-installed: pyproject.toml | $(BIN)/python
	$(PIP) install 'pip>=25.1'
	$(PIP) install -e . --group docs
	touch $@

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(PIP) install 'pip>=25.1'
	$(PIP) install -e '.[data]' --group bench
	touch $@

# PyTorch in .venv, for nn.to_torch's tests and notebook 9 (optional: `make test` skips them without it).
# Always this exact version; TORCH_PIP_ARGS adds pip options, e.g. TORCH_PIP_ARGS="--find-links /opt/wheels".
TORCH_VERSION  ?= 2.13.0
TORCH_PIP_ARGS ?=
torch: $(VENV)/.test-installed
	$(PIP) install $(TORCH_PIP_ARGS) torch==$(TORCH_VERSION)

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/demo.py

# microgpt's GPT (nn.GPT) trained on names for about a minute, then 20 made-up names (--steps N: run the script).
gpt: $(VENV)/.demo-installed
	$(BIN)/python examples/names_gpt.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy --strict autograd nn

# Two workers; --dist loadfile keeps each file's tests (a Markdown file's examples with their skip lines) together.
test: lint typecheck
	$(BIN)/python -m pytest $(XDIST) --nbmake --doctest-modules autograd nn tests README.md $(wildcard docs/*.md) $(wildcard notebooks/*.ipynb)

# Re-run the notebooks and save them with fresh outputs (after changing the engine or nn).
notebooks: $(VENV)/.test-installed
	$(BIN)/python notebooks/execute.py

# The documentation site (mkdocs.yml): the guides in docs/, the API reference from the docstrings, the notebooks
# with their stored outputs, the README, CHANGELOG and CONTRIBUTING; offline, and --strict (any warning fails).
docs: $(VENV)/.docs-installed
	$(BIN)/mkdocs build --strict

bench: $(VENV)/.bench-installed
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_compile.py
	$(BIN)/python tests/benchmarks/bench_gpt.py

clean:
	rm -rf $(VENV) .venv-* .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info demo_output site
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
