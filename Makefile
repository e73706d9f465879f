# seisfill: the two commands a new user runs.
#   make demo   fill the bundled sample gathers, write SEG-Y, print a summary
#   make test   run the test suite
# Both create (or reuse) a virtual environment in .venv with the CPU build of
# PyTorch first (torch==2.13.0, on disk here) and then the project.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.seisfill-installed

.PHONY: demo test test-all lint clean install bench notebooks

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "seisfill needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	@touch $@

demo: $(STAMP)
	$(BIN)/python -m seisfill.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: $(STAMP)
	$(BIN)/ruff check seisfill tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/io.py

# the correction network on one GPU: pack here (SEISFILL_DATA=../shared/data), print the GPU command
# (RUN=1: run it here; STEPS=3: a short CPU check of the whole route)
.PHONY: train-gpu
train-gpu: $(STAMP)
	PYTHON=$(CURDIR)/$(BIN)/python scripts/train_gpu.sh

# build the wheel, install it in a fresh environment outside the checkout, run seisfill there
.PHONY: check-wheel
check-wheel: $(STAMP)
	PYTHON=$(CURDIR)/$(BIN)/python scripts/check_wheel.sh

# run every notebook top to bottom (jupyter nbconvert, the `notebooks` extra) into a temporary folder
NB_STAMP := $(VENV)/.seisfill-notebooks

$(NB_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	@touch $@

notebooks: $(NB_STAMP)
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	for nb in notebooks/*.ipynb; do \
		echo "$$nb"; \
		$(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
			--output-dir "$$out" "$$nb" || exit 1; \
	done

clean:
	rm -rf $(VENV) demo_output .pytest_cache build dist *.egg-info
