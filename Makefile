# Two commands: `make run` starts the playground, `make test` runs every test.
# For a class: `make classroom WORKERS=4` runs four worker processes behind nginx (docs/deploy.md).
# A teacher's lessons: `make run LESSONS=my-lessons` also serves every *.json in my-lessons.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
LESSONS ?=
LESSON_ARGS := $(if $(LESSONS),--lessons $(LESSONS))

.PHONY: run test bench classroom clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version 2>&1))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create .venv: on Debian/Ubuntu install it with: sudo apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when a requirements file changes (stamp files).
$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime-installed
	$(PY) -m app --host $(HOST) --port $(PORT) $(LESSON_ARGS)

classroom: $(VENV)/.runtime-installed
	$(PY) -m app --workers $(WORKERS) --host $(HOST) --port $(PORT) $(LESSON_ARGS)

test: $(VENV)/.dev-installed
	$(PY) -m pytest

$(VENV)/.bench-installed: requirements.txt requirements-dev.txt requirements-bench.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

# Benchmarks (see docs/performance.md); installs PyTorch and scikit-learn for the comparison.
bench: $(VENV)/.bench-installed
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) bench/bench_core.py
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) bench/bench_landscape.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_exports.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_server.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_fairness.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_hardening.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_memory.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_classroom.py
	OPENBLAS_NUM_THREADS=1 $(PY) bench/bench_page.py

clean:
	rm -rf $(VENV) .pytest_cache
