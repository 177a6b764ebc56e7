/**
 * The maintained-project habits (issue 12 §9): Conventional Commits enforced by commitlint with our
 * config, and the git hooks installed by `npm install` / `bun install` (the `prepare` script) except
 * in CI.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'node_modules/.bin');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	scripts: Record<string, string>;
};
const temp = mkdtempSync(path.join(os.tmpdir(), 'comradarr-hooks-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function commitlint(message: string) {
	const run = Bun.spawnSync([path.join(bin, 'commitlint'), '--cwd', root], {
		cwd: root,
		stdin: new TextEncoder().encode(message),
		stdout: 'pipe',
		stderr: 'pipe'
	});
	return { code: run.exitCode, output: run.stdout.toString() + run.stderr.toString() };
}

/** Runs package.json's `prepare` in a fresh git repository holding our hook configuration. */
function prepareIn(name: string, env: Record<string, string>): string {
	const dir = path.join(temp, name);
	Bun.spawnSync(['git', 'init', '-q', dir]);
	writeFileSync(path.join(dir, 'package.json'), readFileSync(path.join(root, 'package.json')));
	const run = Bun.spawnSync(['sh', '-c', pkg.scripts.prepare!], {
		cwd: dir,
		env: { PATH: `${bin}:${process.env.PATH}`, HOME: temp, ...env },
		stdout: 'pipe',
		stderr: 'pipe'
	});
	expect(run.exitCode, run.stderr.toString()).toBe(0);
	return path.join(dir, '.git/hooks');
}

describe('commit messages', () => {
	it('refuses a message without a Conventional Commits type', () => {
		const result = commitlint('Fix the daily budget\n');
		expect(result.code).not.toBe(0);
		expect(result.output).toContain('type-empty');
	});

	it('accepts a typed message with a scope, and a long why', () => {
		const header = 'fix(queue): the daily budget resets at local midnight, not UTC';
		expect(commitlint(`${header}\n`).code).toBe(0);
		expect(commitlint(`feat: ${'a'.repeat(120)}\n`).code).toBe(0);
	});
});

describe('git hooks', () => {
	it('are installed by the prepare script: lint-staged before a commit, commitlint on its message', () => {
		const hooks = prepareIn('dev', {});
		expect(readFileSync(path.join(hooks, 'pre-commit'), 'utf8')).toContain('lint-staged');
		expect(readFileSync(path.join(hooks, 'commit-msg'), 'utf8')).toContain('commitlint --edit');
	});

	it('are not installed in CI', () => {
		const hooks = prepareIn('ci', { CI: 'true' });
		expect(existsSync(path.join(hooks, 'pre-commit'))).toBe(false);
		expect(existsSync(path.join(hooks, 'commit-msg'))).toBe(false);
	});
});
