#!/bin/sh
# `npm test`: the whole suite — type check, lint, unit + integration tests (real PostgreSQL and the *arr
# simulator), production build, and Playwright end-to-end tests against the built server.
# PostgreSQL: TEST_DATABASE_URL when set, else an embedded one (nothing to install).
set -e
cd "$(dirname "$0")/.."
. ./scripts/ensure-bun.sh
bun install --frozen-lockfile

echo "== svelte-check"
bun run check

echo "== lint (eslint, prettier --check)"
bun run lint

echo "== vitest (unit + integration)"
bun --bun vitest run

echo "== build"
bun run build

echo "== playwright (e2e)"
bunx --bun playwright test
