#!/usr/bin/env bash
# `make test`: start the services the tests need on 127.0.0.1, check style and types, then run the
# whole suite on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export MYSTAGE_SERVICES_DIR="${MYSTAGE_SERVICES_DIR:-${TMPDIR:-/tmp}/mystage-services-$$}"

bash scripts/services.sh start >/dev/null
trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
source "$MYSTAGE_SERVICES_DIR/env"

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy .

mkdir -p test-artifacts
echo "== pytest on SQLite"
env -u DATABASE_URL .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml=test-artifacts/sqlite.xml "$@"
echo "== pytest on PostgreSQL ($TEST_POSTGRES_URL)"
DATABASE_URL="$TEST_POSTGRES_URL" .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml=test-artifacts/postgres.xml "$@"
