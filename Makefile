# `make demo` and `make test` each work on a fresh machine: they create .venv, install the
# package with its test extras, make sure a Chromium and an ffmpeg are present (and, for
# `make test`, PostgreSQL and Redis server binaries), then run.
# They say in a few lines what they did; the tools' own output goes to $(SETUP_LOG), which
# is named (with its last lines) when something fails.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SETUP_LOG := $(VENV)/setup.log
# pytest workers: most tests wait on a browser or a server, so a few share two cores well.
TEST_WORKERS ?= 3

export LITELLM_LOCAL_MODEL_COST_MAP := True
export LITELLM_OFFLINE_MODE := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# $(call quietly,WHAT,COMMAND): COMMAND's output into the log; on failure say WHAT failed and show the log's end.
quietly = { $(2); } >>$(SETUP_LOG) 2>&1 || { echo "$(1) failed; the end of $(SETUP_LOG):"; tail -n 25 $(SETUP_LOG); exit 1; }

.PHONY: demo test test-deps browser bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "$(PYTHON) -m venv failed: install Python's venv module (Debian: apt-get install python3-venv)"; exit 1; }
	@echo "Setting up $(VENV) with $$($(PY) --version): the package, Playwright, litellm and the test tools (log: $(SETUP_LOG))"
	@$(call quietly,upgrading pip,$(PY) -m pip install --upgrade pip)
	@$(call quietly,installing the package,$(PY) -m pip install -e ".[test]")
	@$(PY) -c 'from importlib.metadata import version as v; print("Installed local-browser-agent", v("local-browser-agent") + ": playwright", v("playwright") + ", litellm", v("litellm") + ", pydantic", v("pydantic"))'
	@touch $(STAMP)

# A Chromium: one already here, Playwright's own download where it works, else the system's (Debian: apt).
browser: $(STAMP)
	@$(PY) -m agent.browser.lifecycle.setup --log $(SETUP_LOG)

# What the whole suite needs besides: PostgreSQL and Redis server binaries (apt-get as root or
# with passwordless sudo; otherwise the command to run is printed and their tests skip).
test-deps: $(STAMP)
	@$(PY) -m agent.browser.lifecycle.setup --log $(SETUP_LOG) --servers

demo: browser
	@$(PY) -m agent.cli.demo

# pytest measures agent/ and engines/ and fails below the floor in pyproject.toml
# ([tool.coverage.report] fail_under); `$(PY) -m coverage report` then lists file by file.
test: test-deps
	$(PY) -m ruff check agent engines fixtures_sites tests
	$(PY) -m ruff format --check agent engines fixtures_sites tests
	$(PY) -m mypy agent engines
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal --cov --cov-report=

bench: browser
	$(PY) tests/bench/observe.py
	$(PY) tests/bench/step_overhead.py

clean:
	rm -rf $(VENV) agent-data .pytest_cache .mypy_cache .coverage .coverage.*
