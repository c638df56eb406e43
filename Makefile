# Every target builds on `setup`: a .venv made from the hash-checked lock files.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never

PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV_PY := .venv/bin/python

.PHONY: setup lock demo run test test-sqlite test-postgres lint typecheck check schemas bench clean services-start services-stop

$(UV):
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (pyenv install 3.12, or set PYTHON312=/path/to/python3.12)"; exit 1; }
	$(PYTHON312) -m pip install --quiet --disable-pip-version-check --target .tools uv==$(UV_VERSION)

.venv/.synced: $(UV) requirements-dev.lock
	@test -x $(VENV_PY) || $(UV) venv --quiet --python $(PYTHON312) .venv
	$(UV) pip sync --quiet --python $(VENV_PY) --require-hashes requirements-dev.lock
	@touch $@

# A random secret of this checkout's own for the local commands (mystage/settings.py reads it when
# SECRET_KEY is not set); never committed, never shared.
.local/secret_key:
	@mkdir -p .local && umask 077 && $(PYTHON312) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Static files (the admin's CSS, the API docs' Swagger UI) collected for WhiteNoise into STATIC_ROOT
# (data/static by default), compressed once: they come from the installed packages only, so they are
# collected again when .venv changes. Source maps are left out (megabytes nobody is served).
STATIC_STAMP := $(or $(STATIC_ROOT),$(or $(MYSTAGE_DATA_DIR),data)/static)/.collected
$(STATIC_STAMP): .venv/.synced .local/secret_key
	$(VENV_PY) manage.py collectstatic --no-input -v 0 --ignore '*.map'
	@touch $@

setup: .venv/.synced .local/secret_key $(STATIC_STAMP)

lock: $(UV)
	$(UV) pip compile --quiet --python-version 3.12 --generate-hashes --custom-compile-command "make lock" pyproject.toml -o requirements.lock
	$(UV) pip compile --quiet --python-version 3.12 --generate-hashes --custom-compile-command "make lock" --group dev pyproject.toml -o requirements-dev.lock

demo: setup
	$(VENV_PY) manage.py migrate --no-input -v 0
	$(VENV_PY) manage.py build_gazetteer
	$(VENV_PY) manage.py demo

# The web server, a worker cluster and the tick, started together and stopped together (Ctrl-C);
# WEB_PORT=8001 make run serves on another port.
run: setup
	$(VENV_PY) manage.py migrate --no-input -v 0
	$(VENV_PY) manage.py serve

test: setup
	bash scripts/test.sh

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/deptry .
	$(VENV_PY) manage.py sync_schemas --check

typecheck: setup
	.venv/bin/mypy .

check: lint typecheck

# The published document contract (sync/schemas/*.schema.json), regenerated from sync/contract.py.
schemas: setup
	$(VENV_PY) manage.py sync_schemas

clean:
	rm -rf .venv .tools data/demo* .pytest_cache .mypy_cache .ruff_cache
