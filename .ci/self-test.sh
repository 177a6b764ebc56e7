#!/usr/bin/env bash
# Self-test of the test command: proves that `npm test` (scripts/test.sh) fails when a test fails.
#
# Copies the project into a temporary folder, plants one deliberate fault at a time, runs the step
# exactly as `npm test` runs it (`sh scripts/test.sh <step>`), and requires a non-zero exit whose
# output names the planted fault (so a run that failed for some other reason — a port in use, a
# missing browser — does not count as a pass). Positive controls run the same steps on sound code
# and require exit 0, so the harness itself is known to be able to pass.
#
# Faults planted: a failing vitest test, an unhandled error outside the tests, a test file that
# fails to import, a run with no tests, a type error (through `npm test` itself, which must stop at
# svelte-check), an ESLint error, a Prettier violation, a build error and a failing Playwright spec.
# Runs from .ci/run before the real suite; takes about two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/comradarr-self-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
copy=$work/comradarr
mkdir -p "$copy"
# The files a clean clone has (plus new, not yet ignored ones while developing), and ../shared
# beside it as in CI.
git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf - | tar -xf - -C "$copy"
if [ -d "$src/../shared" ]; then ln -s "$(cd "$src/../shared" && pwd)" "$work/shared"; fi
cd "$copy"

failures=0
log=$work/step.log

# check <want: pass|fail> <what must appear in the output> <description> -- <command…>
check() {
	want=$1 needle=$2 what=$3
	shift 4
	status=0
	"$@" >"$log" 2>&1 || status=$?
	ok=1
	if [ "$want" = fail ] && [ "$status" -eq 0 ]; then ok=0; fi
	if [ "$want" = pass ] && [ "$status" -ne 0 ]; then ok=0; fi
	if [ -n "$needle" ] && ! grep -qF -- "$needle" "$log"; then ok=0; fi
	if [ "$ok" = 1 ]; then
		echo "ok   $what (exit $status)"
	else
		failures=$((failures + 1))
		echo "FAIL $what (exit $status; wanted $want${needle:+ with \"$needle\" in the output})"
		tail -n 40 "$log" | sed 's/^/     | /'
	fi
}

echo "== self-test of the test command (in $copy)"

# vitest ------------------------------------------------------------------------------------------
cat >src/lib/self-test-sound.test.ts <<'EOF'
import { expect, it } from 'vitest';
it('adds', () => {
	expect(1 + 1).toBe(2);
});
EOF
check pass 'vitest: 1 passed, 0 failed' 'vitest: a sound test file passes' -- \
	sh scripts/test.sh vitest src/lib/self-test-sound.test.ts

cat >src/lib/self-test-fails.test.ts <<'EOF'
import { expect, it } from 'vitest';
it('passes beside the failing one', () => {
	expect(true).toBe(true);
});
it('fails on purpose for the self-test', () => {
	expect(1 + 1).toBe(3);
});
EOF
check fail 'vitest: 1 passed, 1 failed' 'vitest: one failing test fails the step' -- \
	sh scripts/test.sh vitest src/lib/self-test-fails.test.ts
rm src/lib/self-test-fails.test.ts

cat >src/lib/self-test-unhandled.test.ts <<'EOF'
import { expect, it } from 'vitest';
it('passes but leaves an unhandled rejection behind', async () => {
	void Promise.reject(new Error('self-test unhandled rejection'));
	await new Promise((resolve) => setTimeout(resolve, 50));
	expect(true).toBe(true);
});
EOF
check fail 'self-test unhandled rejection' 'vitest: an unhandled error outside the tests fails the step' -- \
	sh scripts/test.sh vitest src/lib/self-test-unhandled.test.ts
rm src/lib/self-test-unhandled.test.ts

cat >src/lib/self-test-import.test.ts <<'EOF'
import { it } from 'vitest';
throw new Error('self-test import failure');
it('never runs', () => {});
EOF
check fail 'self-test import failure' 'vitest: a test file that fails to load fails the step' -- \
	sh scripts/test.sh vitest src/lib/self-test-import.test.ts
rm src/lib/self-test-import.test.ts

check fail 'vitest' 'vitest: a run with no tests fails the step' -- \
	sh scripts/test.sh vitest no-such-test-file-anywhere
rm src/lib/self-test-sound.test.ts

# svelte-check, through npm test itself: it must stop there ----------------------------------------
cat >src/lib/self-test-type-error.ts <<'EOF'
export const count: number = 'not a number';
EOF
check fail 'self-test-type-error.ts' 'npm test: a type error fails svelte-check and stops the run' -- \
	npm test
if grep -q '^== lint' "$log"; then
	failures=$((failures + 1))
	echo "FAIL npm test went on after svelte-check failed"
fi
rm src/lib/self-test-type-error.ts

# ESLint and Prettier -------------------------------------------------------------------------------
cat >src/lib/self-test-lint.ts <<'EOF'
export function same(a: unknown, b: unknown): boolean {
	return a == b;
}
EOF
check fail 'eqeqeq' 'lint: an ESLint error fails the step' -- sh scripts/test.sh lint src/lib/self-test-lint.ts
printf 'export function same(a: unknown, b: unknown): boolean {\n\treturn a === b;\n}\n' >src/lib/self-test-lint.ts
check pass '' 'lint: a clean file passes' -- sh scripts/test.sh lint src/lib/self-test-lint.ts
printf 'export   const  spaced = {a:1}\n' >src/lib/self-test-lint.ts
check fail 'self-test-lint.ts' 'lint: a Prettier violation fails the step' -- sh scripts/test.sh lint src/lib/self-test-lint.ts
rm src/lib/self-test-lint.ts

# build ---------------------------------------------------------------------------------------------
mkdir -p src/routes/self-test-broken
printf '{#if true}\n<p>never closed</p>\n' >src/routes/self-test-broken/+page.svelte
check fail 'self-test-broken' 'build: a compile error fails the step' -- sh scripts/test.sh build
rm -r src/routes/self-test-broken
check pass '' 'build: the project builds' -- sh scripts/test.sh build

# Playwright ----------------------------------------------------------------------------------------
cat >tests/e2e/self-test.spec.ts <<'EOF'
import { expect, test } from '@playwright/test';
test('health answers', async ({ request }) => {
	expect((await request.get('/health')).ok()).toBe(true);
});
test('fails on purpose for the self-test', async ({ request }) => {
	expect((await request.get('/health')).status()).toBe(418);
});
EOF
check fail 'playwright: 1 passed, 1 failed' 'e2e: a failing Playwright spec fails the step' -- \
	sh scripts/test.sh e2e tests/e2e/self-test.spec.ts
rm tests/e2e/self-test.spec.ts

if [ "$failures" -gt 0 ]; then
	echo "self-test: $failures check(s) FAILED: a failing test could land"
	exit 1
fi
echo "self-test: every planted fault failed its step"
