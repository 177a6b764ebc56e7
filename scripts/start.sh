#!/bin/sh
# `npm start`: install what is missing, build, and serve Comradarr (migrations run at start-up).
# With DATABASE_URL unset the embedded PostgreSQL under $DATA_DIR (./data) is used.
set -e
cd "$(dirname "$0")/.."
. ./scripts/ensure-bun.sh
bun install --frozen-lockfile
# Rebuild when the sources are newer than the build (or there is none).
if [ ! -f build/index.js ] || [ -n "$(find src static drizzle package.json svelte.config.js vite.config.ts uno.config.ts -newer build/index.js -print -quit 2>/dev/null)" ]; then
	bun run build
fi
export PORT="${PORT:-3000}"
export HOST="${HOST:-0.0.0.0}"
echo "Comradarr starting on http://localhost:$PORT"
exec bun ./scripts/serve.ts
