# `make demo` and `make test` each work on a fresh machine: they create .venv, install the
# package with its test extras, make sure a Chromium and an ffmpeg are present, then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export LITELLM_LOCAL_MODEL_COST_MAP := True
export LITELLM_OFFLINE_MODE := true

.PHONY: demo test browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# A Chromium: Playwright's own download where it works, else the system's (Debian: apt).
browser: $(STAMP)
	@$(PY) -m agent.browser.setup

demo: browser
	$(PY) -m agent.demo

test: browser
	$(PY) -m ruff check agent engines fixtures_sites tests
	$(PY) -m ruff format --check agent engines fixtures_sites tests
	$(PY) -m pytest -q

bench: browser
	$(PY) tests/bench/observe.py
	$(PY) tests/bench/step_overhead.py

clean:
	rm -rf $(VENV) agent-data .pytest_cache
