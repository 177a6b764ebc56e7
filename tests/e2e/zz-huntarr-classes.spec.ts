/**
 * Regression suite named after the classes of flaws a public security review found in Huntarr, a
 * peer in this field (issue 7, item 11; see also SECURITY.md). Each test attacks this app the way
 * the review attacked that one and asserts refusal, over real HTTP against the built server:
 * - unauthenticated settings returning keys;
 * - unauthenticated setup, recovery and 2FA routes;
 * - client-supplied setup flags;
 * - trusted `X-Forwarded-For` (and the other forwarding and identity headers);
 * - path traversal and archive extraction in backup download and restore;
 * - prefix / suffix route matching.
 * Weak password hashing and a container running as root are checked in
 * tests/integration/huntarr-classes.test.ts (they are read from the database and the Dockerfile).
 */
import {
	expect,
	test,
	type APIRequestContext,
	type APIResponse,
	type Page
} from '@playwright/test';
import { ADMIN, APP, RADARR_KEY, SONARR_KEY, WHISPARR3_KEY, logIn } from './helpers';
import { rawRequest } from './raw-http';

test.describe.configure({ mode: 'serial' });

const KEYS = [SONARR_KEY, RADARR_KEY, WHISPARR3_KEY];
const ORIGIN = { origin: APP };

/** 401 JSON for the API, a 303 to the login page otherwise: the only anonymous answers allowed. */
function expectRefused(status: number, location: string | undefined, what: string): void {
	const toLogin = status === 303 && /\/(login|setup)\b/.test(location ?? '');
	expect(status === 401 || status === 400 || toLogin, `${what}: ${status} ${location ?? ''}`).toBe(
		true
	);
}

function expectNoKeys(body: string, what: string): void {
	for (const key of KEYS) expect(body, what).not.toContain(key);
	expect(body, what).not.toMatch(/cmdr_[A-Za-z0-9_-]{43}/);
	expect(body, what).not.toMatch(/"apiKey"\s*:\s*"[^"]/);
}

/**
 * Where a form post was sent: a 303's Location, or SvelteKit's JSON form of it
 * (`{"type":"redirect","location"}`, answered to clients that accept JSON).
 */
async function redirectTarget(response: APIResponse): Promise<string | null> {
	if (response.status() === 303) return response.headers().location ?? null;
	if (!(response.headers()['content-type'] ?? '').includes('application/json')) return null;
	const body = (await response.json()) as { type?: string; location?: string };
	return body.type === 'redirect' ? (body.location ?? null) : null;
}

/** Follows a job run to its end (the restore job checks the file before touching anything). */
async function finalState(api: APIRequestContext, id: number): Promise<string> {
	for (let i = 0; i < 60; i++) {
		const response = await api.get(`/api/v1/jobs/${id}`);
		const { status } = (await response.json()) as { status: string };
		if (status !== 'queued' && status !== 'running') return status;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return 'still running';
}

async function signedIn(page: Page): Promise<APIRequestContext> {
	await logIn(page);
	return page.request;
}

test.describe('unauthenticated settings returning keys', () => {
	test('no settings page, data request or settings API answers without credentials', async () => {
		for (const path of [
			'/settings/general',
			'/settings/security',
			'/settings/api-keys',
			'/settings/database',
			'/settings/about',
			'/settings/security/__data.json',
			'/settings/api-keys/__data.json',
			'/connectors/1/__data.json',
			'/api/v1/connectors',
			'/api/v1/connectors/1',
			'/api/v1/config/export',
			'/api/v1/config/export?secrets=encrypted',
			'/api/v1/database',
			'/api/v1/database/backups',
			'/api/v1/jobs',
			'/api/v1/settings',
			'/api/settings',
			'/settings.json'
		]) {
			const answer = await rawRequest('GET', path);
			if (path.endsWith('__data.json') && answer.status === 200) {
				// SvelteKit's data protocol: the refusal is a redirect in the body.
				expect(JSON.parse(answer.body) as { type: string }, path).toMatchObject({
					type: 'redirect'
				});
			} else {
				expectRefused(answer.status, answer.location, path);
			}
			expectNoKeys(answer.body, path);
		}
	});

	test('signed in, no settings or connector response carries an API key, only its last characters', async ({
		page
	}) => {
		const api = await signedIn(page);
		const connectors = await api.get('/api/v1/connectors');
		expect(connectors.status()).toBe(200);
		const list = (await connectors.json()) as Record<string, unknown>[];
		expect(list.length).toBeGreaterThan(0);
		for (const connector of list) {
			expect(connector).not.toHaveProperty('apiKey');
			expect(connector).not.toHaveProperty('apiKeyEncrypted');
			expect(connector).toHaveProperty('apiKeyHint');
		}
		for (const path of [
			'/api/v1/connectors',
			`/api/v1/connectors/${String(list[0]?.id)}`,
			'/api/v1/config/export',
			'/settings/api-keys/__data.json',
			'/settings/security/__data.json',
			`/connectors/${String(list[0]?.id)}/__data.json`
		]) {
			const response = await api.get(path);
			expect(response.status(), path).toBe(200);
			expectNoKeys(await response.text(), path);
		}
	});
});

test.describe('unauthenticated setup, recovery and 2FA routes', () => {
	test('set-up is closed once the admin exists: a second admin cannot be created', async ({
		playwright
	}) => {
		const anonymous = await playwright.request.newContext({ baseURL: APP });
		const page = await anonymous.get('/setup', { maxRedirects: 0 });
		expect(page.status()).toBe(303);
		expect(page.headers().location).toMatch(/\/login$/);
		const intruder = { username: 'intruder', password: 'intruder password 1' };
		const post = await anonymous.post('/setup', {
			headers: ORIGIN,
			form: { ...intruder, confirmPassword: intruder.password },
			maxRedirects: 0
		});
		expect(await redirectTarget(post)).toMatch(/\/login$/);
		expect(post.headers()['set-cookie'] ?? '').not.toContain('comradarr_session=');
		// The account does not exist: its login is refused like any wrong password.
		const login = await anonymous.post('/login', {
			headers: ORIGIN,
			form: intruder,
			maxRedirects: 0
		});
		expect(login.headers()['set-cookie'] ?? '').not.toContain('comradarr_session=');
		await anonymous.dispose();
	});

	test('recovery, reset and 2FA routes do not exist for anyone anonymous to find', async () => {
		for (const path of [
			'/setup/reset',
			'/setup/clear',
			'/api/v1/setup',
			'/api/v1/auth/recovery',
			'/api/v1/auth/reset',
			'/recovery',
			'/reset-password',
			'/forgot-password',
			'/api/v1/2fa/enable',
			'/api/v1/2fa/disable',
			'/api/v1/user/2fa',
			'/auth/2fa',
			'/api/v1/users'
		]) {
			for (const method of ['GET', 'POST']) {
				const answer = await rawRequest(method, path, {
					headers: { ...ORIGIN, 'content-type': 'application/json' },
					body: method === 'POST' ? '{"username":"x","password":"y"}' : undefined
				});
				expectRefused(answer.status, answer.location, `${method} ${path}`);
			}
		}
	});
});

test.describe('client-supplied setup flags', () => {
	test('no field, query or header reopens set-up or makes an admin', async () => {
		const account =
			'username=flagger&password=flagger%20password&confirmPassword=flagger%20password';
		for (const [path, body, headers] of [
			['/setup', `${account}&setupComplete=false&isAdmin=true`, {}],
			['/setup?force=true&setup=1', account, {}],
			['/setup', account, { 'x-setup': '1', 'x-setup-token': 'anything', 'x-first-run': 'true' }],
			['/setup?/default', account, {}],
			['/login?setup=1', account, {}]
		] as const) {
			const answer = await rawRequest('POST', path, {
				headers: {
					...ORIGIN,
					'content-type': 'application/x-www-form-urlencoded',
					...headers
				},
				body
			});
			expect(answer.status, `${path}: ${answer.status}`).toBeLessThan(500);
			expect(answer.headers['set-cookie']?.join(';') ?? '', path).not.toContain(
				'comradarr_session='
			);
		}
		const json = await rawRequest('POST', '/setup', {
			headers: { ...ORIGIN, 'content-type': 'application/json' },
			body: JSON.stringify({ username: 'flagger', password: 'flagger password', setup: true })
		});
		expect(json.status).toBeLessThan(500);
		expect(json.headers['set-cookie']?.join(';') ?? '').not.toContain('comradarr_session=');
	});
});

test.describe('trusted X-Forwarded-For', () => {
	test('forwarding and identity headers from an untrusted client get nothing', async () => {
		for (const headers of [
			{ 'x-forwarded-for': '127.0.0.1' },
			{ 'x-forwarded-for': '10.0.0.2, 127.0.0.1' },
			{ 'x-real-ip': '127.0.0.1' },
			{ forwarded: 'for=127.0.0.1;proto=https' },
			{ 'remote-user': ADMIN.username },
			{ 'x-forwarded-user': ADMIN.username },
			{ 'x-authentik-username': ADMIN.username },
			{ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'comradarr.example.com' }
		]) {
			for (const path of ['/api/v1/connectors', '/dashboard']) {
				// 127.0.0.2 is no proxy of ours (the e2e server trusts only 127.0.0.3).
				const answer = await rawRequest('GET', path, { headers, localAddress: '127.0.0.2' });
				expectRefused(answer.status, answer.location, `${path} ${JSON.stringify(headers)}`);
				expect(answer.headers['strict-transport-security'], 'no HSTS from a claimed https').toBe(
					undefined
				);
			}
		}
	});
});

test.describe('path traversal and archive extraction in backup and restore', () => {
	test('backup names cannot leave the backups folder, in any spelling', async ({ page }) => {
		const api = await signedIn(page);
		const cookie = (await page.context().cookies()).find((c) => c.name === 'comradarr_session');
		expect(cookie).toBeDefined();
		const session = { cookie: `comradarr_session=${cookie?.value ?? ''}` };
		for (const name of [
			'../secret.key',
			'..%2Fsecret.key',
			'..%2F..%2Fetc%2Fpasswd',
			'%2e%2e%2fsecret.key',
			'%2E%2E%5Csecret.key',
			'..\\secret.key',
			'%00.dump',
			'.hidden.dump',
			'x.dump%00.txt',
			'%252e%252e%252fsecret.key'
		]) {
			const answer = await rawRequest('GET', `/api/v1/database/backups/${name}`, {
				headers: session
			});
			expect([400, 404], `${name}: ${answer.status}`).toContain(answer.status);
			expect(answer.body, name).not.toMatch(/root:|BEGIN|PGDMP/);
		}
		for (const backup of ['../secret.key', '/etc/passwd', '..\\..\\secret.key', 'x/../../y.dump']) {
			const restore = await api.post('/api/v1/database/restore', {
				headers: ORIGIN,
				data: { backup }
			});
			expect([400, 404], `restore ${backup}: ${restore.status()}`).toContain(restore.status());
		}
	});

	test('an archive (zip with ../ entries) or any other non-backup file is refused at upload', async ({
		page
	}) => {
		const api = await signedIn(page);
		// A zip whose one entry is named ../../secret.key (local file header, then the name).
		const name = Buffer.from('../../secret.key');
		const header = Buffer.alloc(30);
		header.writeUInt32LE(0x04034b50, 0);
		header.writeUInt16LE(name.length, 26);
		const zip = Buffer.concat([header, name, Buffer.from('evil')]);
		for (const [what, bytes] of [
			['zip with a traversing entry', zip],
			['tar', Buffer.concat([Buffer.from('../../secret.key'), Buffer.alloc(500)])],
			['gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0])],
			['text', Buffer.from('select 1;')]
		] as const) {
			const created = await api.post('/api/v1/database/uploads', {
				headers: ORIGIN,
				data: { name: `${what}.dump`, size: bytes.length }
			});
			expect(created.status(), what).toBe(201);
			const { id } = (await created.json()) as { id: string };
			const chunk = await api.put(`/api/v1/database/uploads/${id}?offset=0`, {
				headers: { ...ORIGIN, 'content-type': 'application/octet-stream' },
				data: bytes
			});
			// Refused at the first chunk (not a backup's magic bytes), or at the latest by the restore.
			expect([200, 400], `${what}: ${chunk.status()}`).toContain(chunk.status());
			const restore = await api.post('/api/v1/database/restore', {
				headers: ORIGIN,
				data: { upload: id }
			});
			if (restore.status() === 202) {
				const { run } = (await restore.json()) as { run: { id: number } };
				expect(await finalState(api, run.id), `restore of ${what}`).toBe('failed');
			} else {
				expect([400, 404, 409], `restore of ${what}: ${restore.status()}`).toContain(
					restore.status()
				);
			}
		}
		// The app is untouched: still signed in, the library still there.
		expect((await api.get('/api/v1/connectors')).status()).toBe(200);
	});
});

test.describe('prefix / suffix route matching', () => {
	test('no public-looking prefix or suffix opens a guarded route', async () => {
		for (const path of [
			'/login/../api/v1/connectors',
			'/login/%2e%2e/api/v1/connectors',
			'/login%2F..%2Fapi%2Fv1%2Fconnectors',
			'/health/../api/v1/connectors',
			'/health/x',
			'/healthz',
			'/health.json',
			'/loginx',
			'/login.css',
			'/setup/../dashboard',
			'/_app/../api/v1/connectors',
			'/_app/immutable/../../api/v1/connectors',
			'/_app/remote/anything',
			'/favicon.ico/../api/v1/connectors',
			'/favicon.ico/x',
			'/api/v1/connectors;login',
			'/api/v1/connectors;.css',
			'/api/v1/connectors%00.css',
			'/api/v1/connectors?/login',
			'/api/v1/connectors/..;/',
			'/static/../api/v1/connectors',
			'/%2e/api/v1/connectors',
			'/API/v1/connectors',
			'/api//v1/connectors',
			// The webhook route is open to the *arr apps: nothing shaped like it opens anything else.
			'/webhooks',
			'/webhooks/1/x',
			'/webhooks/1/../../api/v1/connectors',
			'/webhooks/..%2Fapi%2Fv1%2Fconnectors',
			'/webhooks/1%2F..%2F..%2Fapi%2Fv1%2Fconnectors',
			'/api/v1/connectors;/webhooks/1',
			'/WEBHOOKS/1/../../api/v1/connectors'
		]) {
			for (const method of ['GET', 'POST', 'DELETE']) {
				let answer = await rawRequest(method, path, { headers: ORIGIN });
				// SvelteKit's own trailing-slash normalisation answers first; what it points at counts.
				if (
					answer.status === 308 &&
					answer.location?.startsWith('/') &&
					!answer.location.startsWith('//')
				) {
					answer = await rawRequest(method, answer.location, { headers: ORIGIN });
				}
				expectRefused(answer.status, answer.location, `${method} ${path}`);
				expectNoKeys(answer.body, `${method} ${path}`);
				expect(answer.body, `${method} ${path}`).not.toMatch(/"apiKeyHint"/);
			}
		}
	});

	test('the webhook route, public by path, takes only its secret: no session, key or forwarded address', async ({
		page
	}) => {
		await logIn(page);
		const body = { eventType: 'Test', series: { id: 1, title: 'Test Title' } };
		// Signed in: the session cookie rides along and still opens nothing.
		const withSession = await page.request.post('/webhooks/1', { headers: ORIGIN, data: body });
		expect(withSession.status()).toBe(401);
		for (const headers of [
			{ 'x-forwarded-for': '127.0.0.1' },
			{ 'x-api-key': SONARR_KEY },
			{ 'remote-user': ADMIN.username },
			{
				authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`
			}
		]) {
			const answer = await rawRequest('POST', '/webhooks/1', {
				headers: { ...headers, 'content-type': 'application/json' },
				body: JSON.stringify(body)
			});
			expect(answer.status, JSON.stringify(headers)).toBe(401);
		}
	});
});
