# Two entry points, both self-contained on a fresh machine with Python 3.11+, pip and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: study test test-slow lint clean docs docs-study docs-power docs-screenshot

study: $(STAMP)
	$(BIN)/periodize study --force

# Two test workers, one per core, each with one compiled-kernel thread (two workers with a
# thread per core each ran 4x slower); tests/test_threads.py (slow) checks one against two.
ONE_THREAD := NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

test: $(STAMP)
	$(ONE_THREAD) $(BIN)/python -m pytest -q -m "not slow" -n 2

# The long statistical and benchmark checks (marked slow); CI runs them after `make test`.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[plot,test,dev,dask]"
	# compile the kernels once (numba caches them beside the source): a short study on the
	# bundled data, so the first study and each test worker do not compile them again
	w=$$(mktemp -d) && $(BIN)/periodize study --n-sim 99 --quiet --out $$w/study > /dev/null \
		&& rm -rf $$w
	touch $(STAMP)

# numba checks a cached kernel against its own file only: after editing a function it
# inlines from another module (a segment cost), `make clean` drops the stale kernels too.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find src tests benchmarks -name '*.nbi' -delete -o -name '*.nbc' -delete

# Regenerate every output shown in the README and docs/ (tests check they are current).
docs: docs-study docs-power
	$(BIN)/python docs/refresh.py

# Regenerate the study shown in docs/ and the README (tests check it is current).
docs-study: $(STAMP)
	$(BIN)/periodize study --out docs/study --quiet --force

# Regenerate the power analysis shown in docs/synthetic.md.
docs-power: $(STAMP)
	$(BIN)/python examples/power_analysis.py --out docs/power

# How docs/study/report.html looks in a browser (needs Debian's chromium).
docs-screenshot: docs-study
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
		--user-data-dir=$$(mktemp -d) --window-size=1100,1500 \
		--screenshot=$(CURDIR)/docs/report-screenshot.png \
		file://$(CURDIR)/docs/study/report.html
