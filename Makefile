# Everything a fresh machine needs: `make run` and `make test` set up on their own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= .kb
DEMO := evals/demo_bank

HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup lock browser postgres run test check lint demo-store eval eval-banks fit bench fixtures clean screenshots

setup: $(VENV)/.installed

# Every dependency comes pinned, with its hashes, from requirements.lock (`make lock` rewrites it
# from pyproject.toml); torch is the CPU build on this machine's disk, installed first.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

lock:
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --extra dev --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

demo-store: setup
	$(BIN)/kb --store $(STORE) ingest $(DEMO)/corpus

DEMO_EVAL = $(BIN)/kb --store $(STORE) eval $(DEMO)/questions.jsonl --answers-out $(STORE)/answers.jsonl --report-out $(STORE)/report.txt --min-accuracy 0
eval: demo-store
	$(DEMO_EVAL)

# Every evaluation set of the repository, each on a fresh store of its own corpus.
eval-banks: setup
	$(BIN)/python -m evals.banks

# Fit the ranking and answering on every bank, report each leave-one-bank-out, write kb/fitted.json.
fit: setup
	$(BIN)/python -m evals.fit

# The demo evaluation is run first, so that the evaluators' pages start with a recorded run; a
# start with the same documents and set records no second one.
run: demo-store
	$(DEMO_EVAL) --if-changed
	$(BIN)/kb --store $(STORE) serve --host $(HOST) --port $(PORT)

# The README's screenshots of the panel at 400 px, taken by the browser tests, copied to docs/.
screenshots: setup browser
	$(BIN)/python -m pytest -q tests/ui/test_browser_call.py
	cp tests/artifacts/panel-400-*.png docs/

# The browser tests drive Debian's chromium (never a browser download); a CJK font makes their
# screenshots legible.
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@(command -v chromium >/dev/null && [ -d /usr/share/fonts/truetype/wqy ]) \
		|| $(SUDO) apt-get install -y -q $(BROWSER_PACKAGES) \
		|| ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(BROWSER_PACKAGES))

# The PostgreSQL tests start a real server from Debian's postgresql package (initdb, pg_ctl);
# it is installed when initdb is neither on PATH nor under /usr/lib/postgresql.
postgres:
	@(command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1) \
		|| $(SUDO) apt-get install -y -q postgresql \
		|| ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql)

test: setup browser postgres
	$(BIN)/python -m pytest

# The checks a change must pass before the full suite: style (ruff), types of the core (mypy), the
# layers (import-linter), and the fast tier of tests. The model is made unreachable there, so a
# test that needs it fails instead of slowing the tier down; `make test` runs everything.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint
	KB_EMBED_MODEL=/nonexistent $(BIN)/python -m pytest -q -m "not model and not browser and not pg"

bench: demo-store
	$(BIN)/python -m evals.bench_ask --store $(STORE)
	$(BIN)/python -m evals.bench_http --store $(STORE)
	$(BIN)/python -m evals.bench_ingest
	$(BIN)/python -m evals.bench_embedding

fixtures: setup
	$(BIN)/python -m evals.demo_bank.build_fixtures

clean:
	rm -rf $(STORE) $(VENV) *.egg-info
