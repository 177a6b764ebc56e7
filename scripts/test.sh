#!/bin/sh
# `npm test`: the whole suite — type check, lint, unit + integration tests (real PostgreSQL and the
# *arr simulator), production build, the container check (`bun run container:check`: the Dockerfile
# and compose files, and the built server run as the image would run it), and Playwright
# end-to-end tests against the built server —
# then the totals as one line, `N passed, M failed`. The first step that fails stops the run with
# a non-zero status.
#
# One step at a time (the CI self-test, .ci/self-test.sh, runs them this way):
#   sh scripts/test.sh check | lint [path…] | vitest [filter…] | build | container | e2e [spec…]
#
# vitest and Playwright are judged by their own JSON reports as well as their exit status
# (scripts/test-results.ts): a failed test, an error outside the tests or a run with no tests
# fails the step even if the runner exits 0. Reports go to .test-results/.
# PostgreSQL: TEST_DATABASE_URL when set, else an embedded one (nothing to install).
set -eu
cd "$(dirname "$0")/.."
. ./scripts/ensure-bun.sh
bun install --frozen-lockfile

RESULTS=.test-results
mkdir -p "$RESULTS"

step_check() {
	bun run check
}

step_lint() {
	if [ $# -eq 0 ]; then
		bun run lint
	else
		./node_modules/.bin/eslint "$@" && ./node_modules/.bin/prettier --check "$@"
	fi
}

step_vitest() {
	rm -f "$RESULTS/vitest.json"
	status=0
	bun --bun vitest run --reporter=default --reporter=json --outputFile.json="$RESULTS/vitest.json" "$@" || status=$?
	bun scripts/test-results.ts judge vitest "$RESULTS/vitest.json" "$status"
}

step_build() {
	bun run build
}

# Needs build/ (the build step) and bwrap (Debian's bubblewrap; .ci/run installs it). Its checks
# are not counted in the totals line: it passes or fails the run.
step_container() {
	bun scripts/container-check.ts
}

step_e2e() {
	rm -f "$RESULTS/playwright.json"
	status=0
	# playwright.config.ts writes its JSON report to .test-results/playwright.json.
	bunx --bun playwright test "$@" || status=$?
	bun scripts/test-results.ts judge playwright "$RESULTS/playwright.json" "$status"
}

# Runs one step; on failure says which and exits non-zero. `set -e` does not apply inside a function
# called from `if`, so every step's failure is handled here explicitly.
run_step() {
	name=$1
	shift
	echo "== $name"
	if ! "step_$name" "$@"; then
		echo "npm test: step '$name' FAILED" >&2
		[ "$whole" = 1 ] && bun scripts/test-results.ts totals "$RESULTS"
		exit 1
	fi
}

if [ $# -gt 0 ]; then
	whole=0
	step=$1
	shift
	case "$step" in
	check | lint | vitest | build | container | e2e) run_step "$step" "$@" ;;
	*)
		echo "usage: sh scripts/test.sh [check | lint [path…] | vitest [filter…] | build | container | e2e [spec…]]" >&2
		exit 2
		;;
	esac
	exit 0
fi

whole=1
rm -f "$RESULTS/vitest.json" "$RESULTS/playwright.json"
run_step check
run_step lint
run_step vitest
run_step build
run_step container
run_step e2e
bun scripts/test-results.ts totals "$RESULTS"
