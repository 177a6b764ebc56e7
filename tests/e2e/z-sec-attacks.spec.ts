/**
 * Attacks of the issue-7 review (findings 1, 2, 3, 6, 7, 8), replayed over real HTTP against the
 * built server (`scripts/serve.ts`): raw requests through `node:http` so the path goes out exactly
 * as written and the client address can be chosen (`localAddress` 127.0.0.x on loopback; the
 * e2e server trusts 127.0.0.3 as a reverse proxy, see playwright.config.ts).
 *
 * Runs after the other specs (file name) and leaves the app usable: lockouts hit throw-away
 * usernames only, the admin logs in from the browser (127.0.0.1) and nothing it needs is locked.
 * The DNS-rebinding attack needs a fresh install, so that test starts a second server of its own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { APP, RADARR_KEY, SIM, logIn } from './helpers';

test.describe.configure({ mode: 'serial' });

const PORT = Number(new URL(APP).port);
/** The e2e server's TRUSTED_PROXIES (playwright.config.ts). */
const TRUSTED_PROXY = '127.0.0.3';
const FOREIGN = 'http://evil.example';

interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/**
 * One request on a fresh connection, with the path sent byte for byte (no URL normalisation) from
 * `localAddress` (default 127.0.0.1).
 */
function raw(input: {
	method?: string;
	path: string;
	headers?: Record<string, string>;
	body?: string;
	localAddress?: string | undefined;
	port?: number;
}): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			{
				host: '127.0.0.1',
				port: input.port ?? PORT,
				method: input.method ?? 'GET',
				path: input.path,
				headers: input.headers ?? {},
				localAddress: input.localAddress ?? '127.0.0.1',
				agent: false
			},
			(response) => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => (body += chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, headers: response.headers, body })
				);
			}
		);
		request.on('error', reject);
		if (input.body !== undefined) request.write(input.body);
		request.end();
	});
}

function errorCode(response: RawResponse): string | undefined {
	return (JSON.parse(response.body) as { error?: { code?: string } }).error?.code;
}

async function sessionCookie(page: Page): Promise<string> {
	const cookie = (await page.context().cookies()).find((c) => c.name === 'comradarr_session');
	if (!cookie) throw new Error('not logged in');
	return `comradarr_session=${cookie.value}`;
}

/** A form post to /login as the browser sends it (same Origin, so SvelteKit's CSRF check passes). */
function loginAttempt(
	username: string,
	options: { localAddress?: string; headers?: Record<string, string>; password?: string } = {}
): Promise<RawResponse> {
	return raw({
		method: 'POST',
		path: '/login',
		localAddress: options.localAddress,
		headers: {
			origin: APP,
			// As a browser does; SvelteKit would answer `*/*` with a JSON ActionResult (status 200).
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			...options.headers
		},
		body: new URLSearchParams({
			username,
			password: options.password ?? 'wrong-password'
		}).toString()
	});
}

// The attacks below need an installed app (the admin exists), also when this file runs alone.
test.beforeAll(async ({ browser }) => {
	const page = await browser.newPage();
	await logIn(page);
	await page.close();
});

test.describe('finding 1: the guard decides on the decoded path', () => {
	test('a percent-encoded /api path gets the Origin check, so a foreign site cannot drive the API', async ({
		page
	}) => {
		await logIn(page);
		const cookie = await sessionCookie(page);
		const name = `CSRF target ${Date.now()}`;
		const created = await page.request.post('/api/v1/connectors', {
			headers: { Origin: APP },
			data: { type: 'radarr', name, url: `${SIM}/radarr`, apiKey: RADARR_KEY }
		});
		expect(created.status()).toBe(201);
		const { id } = (await created.json()) as { id: number };

		const attacks = [
			{ method: 'POST', path: '/%61pi/v1/queue/dispatch' },
			{
				method: 'POST',
				path: '/%61pi/v1/connectors',
				body: JSON.stringify({
					type: 'radarr',
					name: `${name} (forged)`,
					url: `${SIM}/radarr`,
					apiKey: RADARR_KEY
				})
			},
			{ method: 'DELETE', path: `/%61pi/v1/connectors/${id}` },
			{ method: 'DELETE', path: `/%61%70%69/v1/connectors/${id}` },
			{ method: 'PATCH', path: `/api/v1/%63onnectors/${id}`, body: '{"enabled":false}' }
		];
		for (const attack of attacks) {
			const response = await raw({
				...attack,
				headers: { cookie, origin: FOREIGN, 'content-type': 'application/json' }
			});
			expect(response.status, `${attack.method} ${attack.path}`).toBe(403);
			expect(errorCode(response)).toBe('auth.bad_origin');
		}
		// Nothing happened: the connector is still there and no forged one was created.
		const list = (await (await page.request.get('/api/v1/connectors')).json()) as {
			id: number;
			name: string;
			enabled: boolean;
		}[];
		expect(list.find((c) => c.id === id)).toMatchObject({ name, enabled: true });
		expect(list.some((c) => c.name.includes('(forged)'))).toBe(false);

		// An unambiguous encoding of a path still reaches it once the Origin is right.
		const encodedRead = await raw({ path: '/%61pi/v1/queue', headers: { cookie } });
		expect(encodedRead.status).toBe(200);

		const removed = await page.request.delete(`/api/v1/connectors/${id}`, {
			headers: { Origin: APP }
		});
		expect(removed.status()).toBe(204);
	});

	test('ambiguous encodings are refused with 400: JSON under /api, plain text for pages', async ({
		page
	}) => {
		await logIn(page);
		const cookie = await sessionCookie(page);
		const apiPaths = [
			'/api%2Fv1/queue',
			'/api%2fv1/queue',
			'/api/v1%5Cqueue',
			'/api/v1/queue%00',
			'/%2561pi/v1/queue',
			'/api/v1/%2e%2e%2fqueue',
			'/api//v1/queue',
			'/api/v1/queue/%ff'
		];
		for (const path of apiPaths) {
			for (const headers of [{}, { cookie }]) {
				const response = await raw({ path, headers });
				expect(response.status, path).toBe(400);
				expect(response.headers['content-type'], path).toContain('application/json');
				expect(errorCode(response), path).toBe('request.bad_path');
			}
		}
		for (const path of [
			'/dashboard%2F..',
			'/%2564ashboard',
			'//dashboard',
			'/queue%00',
			'/%c0%ae'
		]) {
			const response = await raw({ path, headers: { cookie } });
			expect(response.status, path).toBe(400);
			expect(response.headers['content-type'], path).toContain('text/plain');
		}
	});
});

test.describe('finding 2: one lockout bucket per client address', () => {
	test('5 wrong passwords lock 127.0.0.1, not 127.0.0.2, and forwarded headers from an untrusted peer change nothing', async () => {
		const username = `lockout-${Date.now()}`;
		for (let i = 0; i < 5; i++) {
			expect((await loginAttempt(username)).status).toBe(400);
		}
		expect((await loginAttempt(username)).status).toBe(429);

		// Another machine is not locked out.
		expect((await loginAttempt(username, { localAddress: '127.0.0.2' })).status).toBe(400);

		// Headers from a peer that is not a trusted proxy do not buy a fresh bucket.
		for (const headers of [
			{ 'x-forwarded-proto': 'http' },
			{ 'x-forwarded-proto': 'https' },
			{ 'x-forwarded-for': '198.51.100.23' },
			{ 'x-forwarded-for': '198.51.100.23', 'x-forwarded-proto': 'http' },
			{ 'x-real-ip': '198.51.100.24' },
			{ forwarded: 'for=198.51.100.25;proto=http' }
		]) {
			const response = await loginAttempt(username, { headers });
			expect(response.status, JSON.stringify(headers)).toBe(429);
		}

		// From the trusted proxy, X-Forwarded-For names the client: another client is free, the
		// locked one stays locked.
		const viaProxy = (client: string) =>
			loginAttempt(username, {
				localAddress: TRUSTED_PROXY,
				headers: { 'x-forwarded-for': client, 'x-forwarded-proto': 'http' }
			});
		expect((await viaProxy('198.51.100.23')).status).toBe(400);
		expect((await viaProxy('127.0.0.1')).status).toBe(429);
	});
});

test.describe('finding 3: the lockout cannot be raced', () => {
	test('50 simultaneous wrong passwords: at most 5 are checked, the rest are refused as locked', async () => {
		const username = `burst-${Date.now()}`;
		const responses = await Promise.all(
			Array.from({ length: 50 }, () => loginAttempt(username, { localAddress: '127.0.0.4' }))
		);
		const statuses = responses.map((r) => r.status);
		const checked = statuses.filter((s) => s === 400).length;
		const locked = statuses.filter((s) => s === 429).length;
		expect(checked + locked, statuses.join(',')).toBe(50);
		expect(checked).toBeLessThanOrEqual(5);
		expect(locked).toBeGreaterThanOrEqual(45);
		// And afterwards the pair is locked.
		expect((await loginAttempt(username, { localAddress: '127.0.0.4' })).status).toBe(429);
	});
});

test.describe('finding 6: every API error is JSON, and authentication comes first', () => {
	test('unknown API routes answer 401 anonymously and 404 JSON when signed in; wrong methods 405 JSON with Allow', async ({
		page
	}) => {
		for (const path of ['/api/v1/nope', '/api/v1/connectors/1/nope', '/api/v2/queue', '/api']) {
			const anonymous = await raw({ path });
			expect(anonymous.status, path).toBe(401);
			expect(errorCode(anonymous)).toBe('auth.required');
		}
		expect((await raw({ method: 'PUT', path: '/api/v1/queue' })).status).toBe(401);

		await logIn(page);
		const cookie = await sessionCookie(page);
		for (const path of ['/api/v1/nope', '/api/v1/connectors/1/nope', '/api/v2/queue']) {
			const response = await raw({ path, headers: { cookie } });
			expect(response.status, path).toBe(404);
			expect(response.headers['content-type']).toContain('application/json');
			expect(errorCode(response)).toBe('api.not_found');
		}
		const put = await raw({
			method: 'PUT',
			path: '/api/v1/queue',
			headers: { cookie, origin: APP }
		});
		expect(put.status).toBe(405);
		expect(put.headers['content-type']).toContain('application/json');
		expect(errorCode(put)).toBe('api.method_not_allowed');
		expect(put.headers.allow).toBe('GET, DELETE, HEAD');
		const get = await raw({ path: '/api/v1/queue/dispatch', headers: { cookie } });
		expect(get.status).toBe(405);
		expect(errorCode(get)).toBe('api.method_not_allowed');
		expect(get.headers.allow).toBe('POST');
		// Item actions and priority overrides (issue 9 §3, §10).
		for (const [method, path, allow] of [
			['GET', '/api/v1/series/1/search', 'POST'],
			['PUT', '/api/v1/movies/1/exhaust', 'POST'],
			['GET', '/api/v1/series/1/clear-search-state', 'POST'],
			['POST', '/api/v1/series/1', 'GET, HEAD'],
			['PATCH', '/api/v1/priority-overrides', 'GET, PUT, DELETE, HEAD']
		] as const) {
			const wrong = await raw({ method, path, headers: { cookie, origin: APP } });
			expect(wrong.status, `${method} ${path}`).toBe(405);
			expect(errorCode(wrong)).toBe('api.method_not_allowed');
			expect(wrong.headers.allow, path).toBe(allow);
		}
	});
});

test.describe('finding 8: security headers', () => {
	test('a Content-Security-Policy without unsafe-inline scripts, and no violation on any page', async ({
		page,
		browser
	}) => {
		const violations: string[] = [];
		const watch = async (p: Page) => {
			await p.addInitScript(() => {
				document.addEventListener('securitypolicyviolation', (e) => {
					const w = window as unknown as { __csp?: string[] };
					(w.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
				});
			});
			p.on('console', (message) => {
				if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) {
					violations.push(message.text());
				}
			});
		};
		const collect = async (p: Page) => {
			const seen = await p.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
			violations.push(...seen.map((v) => `${p.url()}: ${v}`));
		};

		// Anonymous pages.
		const anonymous = await browser.newContext();
		const anon = await anonymous.newPage();
		await watch(anon);
		const loginPage = await anon.goto('/login');
		const csp = loginPage?.headers()['content-security-policy'] ?? '';
		const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? '';
		expect(scriptSrc, csp).toMatch(/'nonce-[^']+'|'sha256-[^']+'/);
		expect(scriptSrc).not.toContain('unsafe-inline');
		expect(csp).toContain("object-src 'none'");
		expect(csp).toContain("frame-ancestors 'self'");
		expect(csp).toContain("base-uri 'self'");
		await expect(anon.getByRole('button', { name: 'Log in' })).toBeVisible();
		await collect(anon);
		await anonymous.close();

		// Every page of the app, signed in, in dark mode (the theme is applied by an inline script).
		await watch(page);
		await logIn(page);
		await page.evaluate(() => localStorage.setItem('mode-watcher-mode', 'dark'));
		const name = `CSP page ${Date.now()}`;
		const created = await page.request.post('/api/v1/connectors', {
			headers: { Origin: APP },
			data: { type: 'radarr', name, url: `${SIM}/radarr`, apiKey: RADARR_KEY }
		});
		expect(created.status()).toBe(201);
		const { id } = (await created.json()) as { id: number };
		for (const path of [
			'/dashboard',
			'/connectors',
			'/connectors/new',
			`/connectors/${id}`,
			'/queue',
			'/logout'
		]) {
			const response = await page.goto(path);
			expect(response?.status(), path).toBe(200);
			expect(response?.headers()['content-security-policy'], path).toBeTruthy();
			await page.waitForLoadState('networkidle');
			expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(
				true
			);
			await collect(page);
		}
		// Client-side navigation too (hydrated pages fetch __data.json and chunks).
		await page.goto('/dashboard');
		await page.getByRole('link', { name: 'Queue' }).first().click();
		await expect(page).toHaveURL(/\/queue/);
		await collect(page);
		expect(violations).toEqual([]);

		// The theme is applied before the app's scripts run: with them blocked, only the inline
		// first-paint script (allowed by its nonce) can have set the class.
		await page.route('**/_app/immutable/**/*.js', (route) => route.abort());
		await page.goto('/dashboard');
		expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(
			true
		);
		await page.evaluate(() => localStorage.setItem('mode-watcher-mode', 'light'));
		await page.reload();
		expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(
			false
		);
		await page.unroute('**/_app/immutable/**/*.js');
		await page.request.delete(`/api/v1/connectors/${id}`, { headers: { Origin: APP } });
	});

	test('Cache-Control: no-store on signed-in pages and every API response', async ({ page }) => {
		await logIn(page);
		const cookie = await sessionCookie(page);
		for (const request of [
			{ path: '/dashboard', headers: { cookie } },
			{ path: '/queue', headers: { cookie } },
			{ path: '/api/v1/queue', headers: { cookie } },
			{ path: '/api/v1/connectors' },
			{ path: '/api/v1/nope', headers: { cookie } },
			{ method: 'POST', path: '/api/v1/queue/dispatch', headers: { cookie, origin: FOREIGN } }
		]) {
			const response = await raw(request);
			expect(response.headers['cache-control'], request.path).toBe('no-store');
		}
	});

	test('HSTS only when the request really came over https (X-Forwarded-Proto from a trusted proxy)', async () => {
		const spoofed = await raw({ path: '/login', headers: { 'x-forwarded-proto': 'https' } });
		expect(spoofed.status).toBe(200);
		expect(spoofed.headers['strict-transport-security']).toBeUndefined();
		const plain = await raw({ path: '/login' });
		expect(plain.headers['strict-transport-security']).toBeUndefined();
		const proxied = await raw({
			path: '/login',
			localAddress: TRUSTED_PROXY,
			headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.30' }
		});
		expect(proxied.status).toBe(200);
		expect(proxied.headers['strict-transport-security']).toBe(
			'max-age=31536000; includeSubDomains'
		);
	});
});

test.describe('finding 7: DNS rebinding on a fresh install', () => {
	let server: ChildProcess | undefined;
	let port = 0;
	let databaseName: string | undefined;

	test.beforeAll(async () => {
		port = await new Promise<number>((resolve, reject) => {
			const probe = net.createServer();
			probe.on('error', reject);
			probe.listen(0, '127.0.0.1', () => {
				const address = probe.address();
				probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
			});
		});
		if (process.env.TEST_DATABASE_URL) databaseName = `comradarr_e2e_${port}`;
		server = spawn('sh', ['scripts/e2e-server.sh'], {
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				ALLOWED_HOSTS: 'comradarr.lan',
				LOG_LEVEL: 'warn',
				SCHEDULER_ENABLED: 'false'
			},
			stdio: ['ignore', 'inherit', 'inherit']
		});
		const deadline = Date.now() + 60_000;
		for (;;) {
			try {
				if ((await raw({ path: '/health', port })).status === 200) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error('fresh server did not start');
			await new Promise((r) => setTimeout(r, 250));
		}
	});

	test.afterAll(async () => {
		if (server && server.exitCode === null) {
			const exited = new Promise((r) => server?.once('exit', r));
			server.kill('SIGTERM');
			await exited;
		}
		if (databaseName) {
			spawnSync(
				'bun',
				[
					'-e',
					`const { SQL } = require('bun'); const s = new SQL(process.env.TEST_DATABASE_URL, { max: 1 });
					 await s.unsafe('drop database if exists ${databaseName} with (force)'); await s.close();`
				],
				{ stdio: 'inherit' }
			);
		}
	});

	test('a rebinding host name cannot open /setup or /login; IP literals, localhost and ALLOWED_HOSTS can', async () => {
		const rebound = `rebind.example:${port}`;
		const setupBody = new URLSearchParams({
			username: 'attacker',
			password: 'attacker-password',
			confirmPassword: 'attacker-password'
		}).toString();
		// The attack: the page of rebind.example, now resolving to this server, posts the setup form
		// with its own (matching) Origin.
		const forged = await raw({
			port,
			method: 'POST',
			path: '/setup',
			headers: {
				host: rebound,
				origin: `http://${rebound}`,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: setupBody
		});
		expect(forged.status).toBe(421);
		expect(forged.body).toMatch(/ALLOWED_HOSTS/);
		for (const path of ['/setup', '/login']) {
			const response = await raw({ port, path, headers: { host: rebound } });
			expect(response.status, path).toBe(421);
		}
		// The install is still fresh: setup is open to its owner.
		for (const host of [
			`127.0.0.1:${port}`,
			`localhost:${port}`,
			`[::1]:${port}`,
			`comradarr.lan:${port}`,
			'COMRADARR.LAN'
		]) {
			const response = await raw({ port, path: '/setup', headers: { host } });
			expect(response.status, host).toBe(200);
			expect(response.body).toContain('Create account');
		}
	});
});
