#!/bin/sh
# Starts the built server for the Playwright tests on a fresh, empty database: a new database on
# TEST_DATABASE_URL's server when set, else the embedded PostgreSQL in a new temporary DATA_DIR.
# With E2E_TRAFFIC_FILE / E2E_SERVER_LOG set, the server records its exchanges and log lines there.
set -e
cd "$(dirname "$0")/.."
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/comradarr-e2e-XXXXXX")"
export DATA_DIR
if [ -n "$TEST_DATABASE_URL" ]; then
	DATABASE_URL="$(bun scripts/e2e-db.ts)"
	export DATABASE_URL
fi
if [ -n "${E2E_TRAFFIC_FILE:-}" ]; then
	# The secret scan (tests/e2e/zzz-secret-scan.spec.ts) reads every exchange and log line.
	mkdir -p "$(dirname "$E2E_TRAFFIC_FILE")" "$(dirname "$E2E_SERVER_LOG")"
	: >"$E2E_TRAFFIC_FILE"
	: >"$E2E_SERVER_LOG"
	echo "e2e server on port $PORT: traffic in $E2E_TRAFFIC_FILE, log in $E2E_SERVER_LOG"
	exec bun tests/e2e/recording-server.ts >>"$E2E_SERVER_LOG" 2>&1
fi
exec bun ./scripts/serve.ts
