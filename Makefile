# Every target creates .venv and installs scribble into it first, so a fresh
# machine needs only Python 3.11, pip and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# One BLAS thread: printed float64 numbers then match the committed notebook outputs.
PIN_THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: venv lab train test test-unit test-notebooks notebooks bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lab: venv
	$(PIN_THREADS) $(VENV)/bin/jupyter lab notebooks/

train: venv
	$(PY) -m scribble train

test: venv
	$(PY) -m ruff check scribble tests data
	$(PIN_THREADS) $(PY) -m pytest tests
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
		$(PIN_THREADS) $(PY) -m pytest $(NBVAL) notebooks/; \
	fi

notebooks: venv
	$(PIN_THREADS) $(PY) -m scribble.notebooks notebooks/

bench: venv
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache
