# Sourced by start.sh and test.sh: puts Bun on PATH, installing the pinned version into ./.tools
# (no root needed) when it is missing or a different version.
BUN_VERSION=1.4.5
if command -v bun >/dev/null 2>&1 && [ "$(bun --version 2>/dev/null)" = "$BUN_VERSION" ]; then
	:
elif [ -x ./.tools/node_modules/.bin/bun ] && [ "$(./.tools/node_modules/.bin/bun --version 2>/dev/null)" = "$BUN_VERSION" ]; then
	PATH="$PWD/.tools/node_modules/.bin:$PATH"
else
	echo "Installing Bun $BUN_VERSION into ./.tools ..."
	npm install --prefix ./.tools --no-save --no-audit --no-fund "bun@$BUN_VERSION" >/dev/null
	PATH="$PWD/.tools/node_modules/.bin:$PATH"
fi
export PATH
