#!/bin/sh
# Starts the built server for the Playwright tests on a fresh, empty database: a new database on
# TEST_DATABASE_URL's server when set, else the embedded PostgreSQL in a new temporary DATA_DIR.
set -e
cd "$(dirname "$0")/.."
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/comradarr-e2e-XXXXXX")"
export DATA_DIR
if [ -n "$TEST_DATABASE_URL" ]; then
	DATABASE_URL="$(bun scripts/e2e-db.ts)"
	export DATABASE_URL
fi
exec bun ./scripts/serve.ts
