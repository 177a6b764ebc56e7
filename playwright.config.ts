import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/chromium';

// E2E_APP_PORT / E2E_SIM_PORT let two checkouts run their e2e suites side by side.
const APP_PORT = Number(process.env.E2E_APP_PORT || 4173);
const SIM_PORT = Number(process.env.E2E_SIM_PORT || 18989);
// A second app served under BASE_URL behind a real nginx (tests/e2e/zz-base-url.spec.ts).
const BASE_APP_PORT = Number(process.env.E2E_BASE_APP_PORT || APP_PORT + 2000);
const NGINX_PORT = Number(process.env.E2E_NGINX_PORT || APP_PORT + 3000);
/** What each app server exchanged and logged, for the secret scan (absolute: specs read them). */
const trafficFile = (port: number) => path.resolve(`.test-results/e2e-traffic-${port}.jsonl`);
const serverLog = (port: number) => path.resolve(`.test-results/e2e-server-${port}.log`);
process.env.E2E_SCAN_FILES = JSON.stringify(
	[APP_PORT, BASE_APP_PORT].map((port) => ({ traffic: trafficFile(port), log: serverLog(port) }))
);
// The specs read the ports from the environment (tests/e2e/helpers.ts).
process.env.E2E_APP_PORT = String(APP_PORT);
process.env.E2E_SIM_PORT = String(SIM_PORT);
process.env.E2E_NGINX_PORT = String(NGINX_PORT);

/**
 * E2E tests drive the built app (`bun ./build/index.js`) in Debian's Chromium against the *arr
 * simulator, as a new user would. Playwright cannot download its own browser here.
 */
export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 90_000,
	expect: { timeout: 15_000 },
	fullyParallel: false,
	workers: 1,
	retries: 0,
	// The JSON report is how scripts/test.sh judges the run and counts its tests.
	reporter: [['list'], ['json', { outputFile: '.test-results/playwright.json' }]],
	use: {
		baseURL: `http://127.0.0.1:${APP_PORT}`,
		trace: 'off',
		launchOptions: chromiumLaunchOptions
	},
	webServer: [
		{
			command: 'bun tests/arr-sim/main.ts',
			url: `http://127.0.0.1:${SIM_PORT}/__sim/state`,
			env: {
				SIM_PORT: String(SIM_PORT),
				SIM_SERIES: '25',
				SIM_MOVIES: '60',
				// A library whose sync takes several seconds (tests/e2e/x-sync-progress.spec.ts).
				SIM_LARGE_SERIES: process.env.E2E_LARGE_SERIES || '3000'
			},
			reuseExistingServer: false,
			timeout: 30_000
		},
		{
			command: 'sh scripts/e2e-server.sh',
			url: `http://127.0.0.1:${APP_PORT}/health`,
			env: {
				PORT: String(APP_PORT),
				HOST: '127.0.0.1',
				// Every log line is scanned for secrets (zzz-secret-scan.spec.ts): log as much as we can.
				LOG_LEVEL: 'debug',
				E2E_TRAFFIC_FILE: trafficFile(APP_PORT),
				E2E_SERVER_LOG: serverLog(APP_PORT),
				// The tests press Sync / Sweep / Dispatch themselves; a scheduled pass in between would
				// make what the simulator receives depend on the minute the test runs in.
				SCHEDULER_ENABLED: 'false',
				// tests/e2e/z-sec-attacks.spec.ts plays a reverse proxy from this loopback address.
				TRUSTED_PROXIES: '127.0.0.3'
			},
			reuseExistingServer: false,
			timeout: 60_000
		},
		{
			command: 'sh scripts/e2e-server.sh',
			url: `http://127.0.0.1:${BASE_APP_PORT}/comradarr/health`,
			env: {
				PORT: String(BASE_APP_PORT),
				HOST: '127.0.0.1',
				LOG_LEVEL: 'debug',
				E2E_TRAFFIC_FILE: trafficFile(BASE_APP_PORT),
				E2E_SERVER_LOG: serverLog(BASE_APP_PORT),
				SCHEDULER_ENABLED: 'false',
				BASE_URL: '/comradarr',
				// nginx connects from here and says who the browser is and which scheme it used.
				TRUSTED_PROXIES: '127.0.0.1'
			},
			reuseExistingServer: false,
			timeout: 60_000
		},
		{
			command: 'sh scripts/e2e-nginx.sh',
			url: `http://127.0.0.1:${NGINX_PORT}/comradarr/health`,
			env: {
				NGINX_PORT: String(NGINX_PORT),
				UPSTREAM_PORT: String(BASE_APP_PORT),
				BASE_URL: '/comradarr'
			},
			reuseExistingServer: false,
			timeout: 30_000
		}
	]
});
