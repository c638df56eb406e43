#!/usr/bin/env bash
# `make test`: start the services the tests need on 127.0.0.1, check style and types, then run the
# whole suite on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export MYSTAGE_SERVICES_DIR="${MYSTAGE_SERVICES_DIR:-${TMPDIR:-/tmp}/mystage-services-$$}"

# The browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    echo "== installing chromium (browser tests)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        || echo "could not install chromium: the browser tests will be skipped"
}
ensure_chromium

bash scripts/services.sh start >/dev/null
trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
source "$MYSTAGE_SERVICES_DIR/env"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts and declared dependencies"
.venv/bin/lint-imports
.venv/bin/deptry .
echo "== mypy"
.venv/bin/mypy .

mkdir -p test-artifacts
echo "== pytest on SQLite"
env -u DATABASE_URL .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml=test-artifacts/sqlite.xml "$@"
echo "== pytest on PostgreSQL ($TEST_POSTGRES_URL)"
DATABASE_URL="$TEST_POSTGRES_URL" .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml=test-artifacts/postgres.xml "$@"
