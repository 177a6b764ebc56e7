import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import UnoCSS from 'unocss/vite';
import { defineConfig } from 'vitest/config';

/**
 * Build facts for Settings → About, fixed at build time: the version from package.json, the
 * commit (`COMRADARR_COMMIT` when set — Docker builds have no .git — else `git rev-parse`, else
 * "unknown"), the build date (`SOURCE_DATE_EPOCH` for reproducible builds, else now) and the
 * project's web address (package.json `homepage`, or '' while it has none).
 */
function buildInfo(): Record<string, string> {
	const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
		version: string;
		homepage?: string;
	};
	let commit = process.env.COMRADARR_COMMIT?.trim() || '';
	if (!commit) {
		try {
			commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore']
			}).trim();
		} catch {
			commit = 'unknown';
		}
	}
	const epoch = Number(process.env.SOURCE_DATE_EPOCH);
	const builtAt = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date();
	return {
		__APP_VERSION__: JSON.stringify(pkg.version),
		__APP_HOMEPAGE__: JSON.stringify(pkg.homepage ?? ''),
		__APP_COMMIT__: JSON.stringify(commit),
		__APP_BUILD_DATE__: JSON.stringify(builtAt.toISOString())
	};
}

export default defineConfig({
	plugins: [UnoCSS(), sveltekit()],
	define: buildInfo(),
	test: {
		// Vitest forks do not work under Bun (STACK.md trap 4).
		pool: 'threads',
		// Integration tests share one PostgreSQL database; files run one after another.
		fileParallelism: false,
		testTimeout: 30_000,
		hookTimeout: 60_000,
		globalSetup: ['tests/setup/global.ts'],
		projects: [
			{
				extends: true,
				test: {
					name: 'server',
					environment: 'node',
					include: [
						'src/**/*.test.ts',
						'tests/integration/**/*.test.ts',
						'tests/contract/**/*.test.ts',
						'tests/arr-sim/**/*.test.ts'
					]
				}
			},
			{
				// Component tests in a real browser: Debian's Chromium driven by Playwright (it cannot
				// download its own here), rendering with vitest-browser-svelte.
				extends: true,
				test: {
					name: 'components',
					include: ['tests/components/**/*.test.ts'],
					// expect.element() retries until the test times out: a missing element fails in 10 s.
					testTimeout: 10_000,
					browser: {
						enabled: true,
						headless: true,
						screenshotFailures: false,
						provider: playwright({
							launchOptions: {
								executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
								args: [
									'--headless',
									'--no-sandbox',
									'--disable-gpu',
									'--disable-background-networking',
									'--disable-component-update',
									'--disable-sync',
									'--no-first-run'
								]
							}
						}),
						instances: [{ browser: 'chromium' }]
					}
				}
			}
		]
	}
});
