# Every target creates .venv and installs scribble into it first, so a fresh
# machine needs only Python 3.11, pip and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# One BLAS thread: printed float64 numbers then match the committed notebook outputs.
PIN_THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: venv lab train test test-unit test-notebooks test-browser notebooks bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# JupyterLab refuses to start as root unless told to, as on a container or CI box.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: venv
	$(PIN_THREADS) $(VENV)/bin/jupyter lab $(ALLOW_ROOT) notebooks/

# One BLAS thread here too. The products are small, and with two OpenBLAS threads
# an epoch here took over a minute instead of 2 s while another process was busy.
train: venv
	$(PIN_THREADS) $(PY) -m scribble train

test: venv
	$(PY) -m ruff check scribble scribble_guard.py tests data benchmarks
	$(PIN_THREADS) $(PY) -m pytest -rs tests --ignore=tests/browser
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
		$(PIN_THREADS) $(PY) -m pytest $(NBVAL) notebooks/; \
	fi
	$(MAKE) test-browser

# The lessons in JupyterLab in headless Chromium; screenshots go to test-artifacts/.
# Skipped without /usr/bin/chromium, except under CI=true, where that fails.
test-browser: venv
	$(PIN_THREADS) $(PY) -m pytest -rs tests/browser

# Re-executes every lesson in file-name order and saves it with its outputs, joins
# the stdout pieces of each cell into one stream (where the kernel splits them
# varies from run to run), then strips widget state and timing metadata.
# --keep-count keeps the execution counts that nbval needs in order to compare a cell.
test-notebooks: venv
	$(PIN_THREADS) $(PY) -m pytest $(NBVAL) notebooks/

notebooks: venv
	@set -e; for notebook in notebooks/*.ipynb; do \
		echo "executing $$notebook"; \
		$(PIN_THREADS) $(VENV)/bin/jupyter nbconvert --to notebook --execute \
			--inplace --ExecutePreprocessor.timeout=600 \
			--ExecutePreprocessor.kernel_name=python3 "$$notebook"; \
		$(VENV)/bin/jupyter nbconvert --to notebook --inplace --coalesce-streams \
			--log-level=WARN "$$notebook"; \
		$(VENV)/bin/nbstripout --keep-output --keep-count "$$notebook"; \
	done

# The bench extra adds PyTorch (torch==2.13.0, CPU). OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE are unset for this command only: some machines set them to work
# around older OpenBLAS builds, and they slow the current one. The table records
# which kernel ran. About 10 minutes on a busy 2-core machine.
bench: venv
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache
