/**
 * The request guard: the pure decisions (public paths, Origin rule, redirect targets, headers) and
 * the `handle` built from them, run against a real PostgreSQL with hand-made request events.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { testDb, resetDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { createApiKey } from '$lib/server/auth/api-keys';
import { SESSION_COOKIE, SESSION_TTL_MS, createSession } from '$lib/server/auth/session';
import { createUser } from '$lib/server/auth/users';
import {
	invalidateSettingsCache,
	updateSettings,
	type SecuritySettings
} from '$lib/server/services/settings/settings-service';
import { hostPolicyFromEnv, parseAllowedHosts } from '$lib/server/http/allowed-hosts';
import { parseTrustedProxies } from '$lib/server/http/client-address';
import {
	checkOrigin,
	createGuardHandle,
	isApiPath,
	isPublicPath,
	isWebhookPath,
	loginLocation,
	safeRedirectTarget,
	securityHeaders
} from '$lib/server/http/guard';

describe('isPublicPath', () => {
	it('lists exactly login, setup, health, build assets and favicons', () => {
		for (const path of [
			'/login',
			'/setup',
			'/health',
			'/_app/immutable/entry/start.js',
			'/_app/version.json',
			'/favicon.ico',
			'/favicon.png'
		]) {
			expect(isPublicPath(path), path).toBe(true);
		}
	});

	it('guards everything else, including look-alikes', () => {
		for (const path of [
			'/',
			'/dashboard',
			'/logout',
			'/api/health',
			'/login/',
			'/login/extra',
			'/Login',
			'/setup2',
			'/healthz',
			'/_app',
			'/_app/remote/abc',
			'/favicon/../dashboard',
			'/favicon.ico/x',
			'/api/login'
		]) {
			expect(isPublicPath(path), path).toBe(false);
		}
	});

	it('recognises the JSON API', () => {
		expect(isApiPath('/api')).toBe(true);
		expect(isApiPath('/api/connectors/1')).toBe(true);
		expect(isApiPath('/apis')).toBe(false);
		expect(isApiPath('/dashboard')).toBe(false);
	});
});

describe('isWebhookPath', () => {
	it('is exactly one segment below /webhooks', () => {
		expect(isWebhookPath('/webhooks/1')).toBe(true);
		expect(isWebhookPath('/webhooks/abc')).toBe(true);
		for (const path of [
			'/webhooks',
			'/webhooks/',
			'/webhooks/1/',
			'/webhooks/1/x',
			'/webhooks//1',
			'/Webhooks/1',
			'/api/webhooks/1',
			'/webhooksx/1'
		]) {
			expect(isWebhookPath(path), path).toBe(false);
		}
	});
});

describe('checkOrigin', () => {
	const site = 'https://comradarr.lan';

	it('requires a matching Origin on state-changing requests authenticated by cookie', () => {
		for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
			expect(
				checkOrigin({ method, origin: site, expectedOrigin: site, authMethod: 'session' })
			).toBe(true);
			expect(
				checkOrigin({ method, origin: null, expectedOrigin: site, authMethod: 'session' })
			).toBe(false);
			expect(
				checkOrigin({
					method,
					origin: 'https://evil.example',
					expectedOrigin: site,
					authMethod: 'session'
				})
			).toBe(false);
			expect(
				checkOrigin({ method, origin: 'null', expectedOrigin: site, authMethod: 'session' })
			).toBe(false);
			expect(
				checkOrigin({
					method,
					origin: 'http://comradarr.lan',
					expectedOrigin: site,
					authMethod: 'session'
				})
			).toBe(false);
		}
	});

	it('lets safe methods and API-key requests through without an Origin', () => {
		expect(
			checkOrigin({ method: 'GET', origin: null, expectedOrigin: site, authMethod: 'session' })
		).toBe(true);
		expect(
			checkOrigin({
				method: 'HEAD',
				origin: 'https://evil.example',
				expectedOrigin: site,
				authMethod: 'session'
			})
		).toBe(true);
		expect(
			checkOrigin({ method: 'POST', origin: null, expectedOrigin: site, authMethod: 'apiKey' })
		).toBe(true);
	});
});

describe('safeRedirectTarget', () => {
	it('keeps same-site relative paths with their query and hash', () => {
		expect(safeRedirectTarget('/series/12?tab=episodes#s2')).toBe('/series/12?tab=episodes#s2');
		expect(safeRedirectTarget('/settings')).toBe('/settings');
		// Percent-encoded bytes stay encoded in the Location header: no header injection.
		expect(safeRedirectTarget('/%0d%0aSet-Cookie:x')).toBe('/%0d%0aSet-Cookie:x');
	});

	it('falls back to /dashboard for anything that could leave the site or loop', () => {
		for (const bad of [
			null,
			undefined,
			'',
			'dashboard',
			'//evil.example',
			'//evil.example/path',
			'/\\evil.example',
			'/\\/evil.example',
			'\\\\evil.example',
			'https://evil.example',
			'javascript:alert(1)',
			'/\tevil',
			'/login',
			'/login?redirectTo=/x',
			'/setup',
			'/logout'
		]) {
			expect(safeRedirectTarget(bad), String(bad)).toBe('/dashboard');
		}
		expect(safeRedirectTarget('/\r\n//evil.example')).toBe('/dashboard');
	});

	it('builds the login location for unauthenticated page requests', () => {
		expect(loginLocation(new URL('http://x/series?page=2'), 'GET')).toBe(
			'/login?redirectTo=%2Fseries%3Fpage%3D2'
		);
		expect(loginLocation(new URL('http://x/'), 'GET')).toBe('/login');
		expect(loginLocation(new URL('http://x/settings'), 'POST')).toBe('/login');
	});
});

describe('securityHeaders', () => {
	it('sends the fixed set, and HSTS only over https', () => {
		const http = securityHeaders(false);
		expect(http).toEqual({
			'x-frame-options': 'SAMEORIGIN',
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'strict-origin-when-cross-origin',
			'permissions-policy': 'camera=(), microphone=(), geolocation=()'
		});
		expect(securityHeaders(true)['strict-transport-security']).toBe(
			'max-age=31536000; includeSubDomains'
		);
	});
});

// ---------------------------------------------------------------------------------------------
// The handle itself, against the database.

type CookieOptions = Parameters<Cookies['set']>[2];

interface CookieWrite {
	name: string;
	value: string;
	options: CookieOptions;
}

function makeEvent(
	url: string,
	init: {
		method?: string;
		headers?: Record<string, string>;
		cookies?: Record<string, string>;
		isDataRequest?: boolean;
		/** The socket peer (`getClientAddress()`); 127.0.0.1 unless given. */
		peer?: string;
		/** The matched route id; null for a path no route matches. */
		routeId?: string | null;
		isRemoteRequest?: boolean;
	} = {}
): { event: RequestEvent; writes: CookieWrite[] } {
	const jar = new Map(Object.entries(init.cookies ?? {}));
	const writes: CookieWrite[] = [];
	const cookies = {
		get: (name: string) => jar.get(name),
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string, options: CookieOptions) => {
			jar.set(name, value);
			writes.push({ name, value, options });
		},
		delete: (name: string, options: CookieOptions) => {
			jar.delete(name);
			writes.push({ name, value: '', options: { ...options, maxAge: 0 } });
		},
		serialize: (name: string, value: string, options: CookieOptions) =>
			`${name}=${value}; Path=${options.path}${options.maxAge === 0 ? '; Max-Age=0' : ''}`
	} satisfies Partial<Cookies>;
	// As on the wire: a Host header naming the URL's host (tests may send another one).
	const headers = { host: new URL(url).host, ...init.headers };
	const request = new Request(url, { method: init.method ?? 'GET', headers });
	const event = {
		url: new URL(url),
		request,
		cookies,
		locals: {},
		route: { id: init.routeId === undefined ? '/[test]' : init.routeId },
		isDataRequest: init.isDataRequest ?? false,
		isRemoteRequest: init.isRemoteRequest ?? false,
		getClientAddress: () => init.peer ?? '127.0.0.1'
	} as unknown as RequestEvent;
	return { event, writes };
}

/** Where the test sessions come from (the session list shows it). */
const CLIENT = { address: '127.0.0.1', userAgent: 'vitest' };

let db: Database;
let resolved: RequestEvent | null;
const resolve = async (event: RequestEvent): Promise<Response> => {
	resolved = event;
	return new Response('page', { status: 200, headers: { 'content-type': 'text/html' } });
};
/** The test site's own names; the DNS-rebinding tests below use other policies. */
const SITE_HOSTS = parseAllowedHosts('comradarr.lan, comradarr.example');
const handle = () => createGuardHandle({ db: () => db, hostPolicy: () => SITE_HOSTS });

async function run(event: RequestEvent): Promise<Response> {
	resolved = null;
	return handle()({ event, resolve });
}

async function errorCode(response: Response): Promise<string> {
	return ((await response.json()) as { error: { code: string } }).error.code;
}

beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
	// The settings cache outlives the truncation.
	invalidateSettingsCache();
});

describe('guard before setup', () => {
	it('sends every page to /setup while no user exists', async () => {
		const response = await run(makeEvent('http://comradarr.lan/dashboard').event);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/setup');
		expect(resolved).toBeNull();
	});

	it('answers the API with 401 JSON, not a redirect', async () => {
		const response = await run(makeEvent('http://comradarr.lan/api/connectors').event);
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({
			error: {
				code: 'auth.required',
				message: 'Authentication required',
				requestId: response.headers.get('x-request-id')
			}
		});
	});

	it('drops the Link header SvelteKit repeats the <head> preloads in (nginx refuses big headers)', async () => {
		const preloads = Array.from(
			{ length: 80 },
			(_, i) => `<./_app/immutable/chunks/c${i}.js>; rel="modulepreload"; nopush`
		).join(', ');
		const response = await handle()({
			event: makeEvent('http://comradarr.lan/setup').event,
			resolve: async () =>
				new Response('page', { headers: { 'content-type': 'text/html', link: preloads } })
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('link')).toBeNull();
		expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
	});

	it('serves the public pages and assets', async () => {
		for (const path of ['/setup', '/login', '/health', '/_app/version.json', '/favicon.ico']) {
			const response = await run(makeEvent(`http://comradarr.lan${path}`).event);
			expect(response.status, path).toBe(200);
		}
	});
});

describe('the webhook route', () => {
	const webhook = (path: string, init: Parameters<typeof makeEvent>[1] = {}) =>
		makeEvent(`http://comradarr.lan${path}`, {
			method: 'POST',
			routeId: '/webhooks/[connectorId]',
			headers: { host: 'nas-docker-name:5173', 'content-type': 'application/json' },
			...init
		}).event;

	beforeEach(async () => {
		await createUser(db, { username: 'admin', password: 'password1' });
	});

	it('reaches its handler without a session, Origin or allowed Host: the handler authenticates it', async () => {
		const response = await run(webhook('/webhooks/1'));
		expect(response.status).toBe(200);
		expect(resolved?.locals.user).toBeNull();
		expect(resolved?.locals.authMethod).toBeNull();
	});

	it('lets nothing else through: other routes, deeper paths and encoded look-alikes are guarded', async () => {
		// A path that is not exactly /webhooks/{id} is an ordinary guarded page.
		for (const [path, routeId] of [
			['/webhooks/1/x', null],
			['/webhooks', null],
			['/webhooks/1', '/(app)/dashboard']
		] as const) {
			const response = await run(webhook(path, { method: 'POST', routeId }));
			// 401 JSON where the path has the webhook's shape, the login redirect elsewhere.
			expect(response.status, path).toBe(path === '/webhooks/1' ? 401 : 303);
			expect(resolved, path).toBeNull();
		}
		const encoded = await run(webhook('/webhooks/1%2F..%2F..%2Fapi%2Fv1%2Fconnectors'));
		expect(encoded.status).toBe(400);
		expect(resolved).toBeNull();
	});
});

describe('guard with a user', () => {
	let userId: number;
	beforeEach(async () => {
		userId = (await createUser(db, { username: 'admin', password: 'password1' })).id;
	});

	it('redirects anonymous page requests to /login with the way back', async () => {
		const response = await run(makeEvent('http://comradarr.lan/series?page=2').event);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/login?redirectTo=%2Fseries%3Fpage%3D2');
	});

	it('answers a client-side navigation (__data.json) with the JSON redirect SvelteKit expects', async () => {
		const response = await run(
			makeEvent('http://comradarr.lan/series', { isDataRequest: true }).event
		);
		expect(response.status).toBe(200);
		expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
		expect(await response.json()).toEqual({
			type: 'redirect',
			location: '/login?redirectTo=%2Fseries'
		});
	});

	it('answers a use:enhance form post with an ActionResult redirect', async () => {
		const { event } = makeEvent('http://comradarr.lan/settings', {
			method: 'POST',
			headers: { 'x-sveltekit-action': 'true', accept: 'application/json' }
		});
		const response = await run(event);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ type: 'redirect', status: 303, location: '/login' });
	});

	it('puts security headers and a request id on every response', async () => {
		const page = await run(makeEvent('http://comradarr.lan/login').event);
		expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
		expect(page.headers.get('x-content-type-options')).toBe('nosniff');
		expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(page.headers.get('permissions-policy')).toBe('camera=(), microphone=(), geolocation=()');
		expect(page.headers.get('strict-transport-security')).toBeNull();
		expect(page.headers.get('x-request-id')).toBe(resolved?.locals.requestId);

		const denied = await run(makeEvent('https://comradarr.example/api/queue').event);
		expect(denied.status).toBe(401);
		expect(denied.headers.get('strict-transport-security')).toBe(
			'max-age=31536000; includeSubDomains'
		);
		expect(denied.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('lets a session cookie in and sets locals.user', async () => {
		const session = await createSession(db, userId, CLIENT);
		const { event, writes } = makeEvent('http://comradarr.lan/dashboard', {
			cookies: { [SESSION_COOKIE]: session.token }
		});
		const response = await run(event);
		expect(response.status).toBe(200);
		expect(resolved?.locals.user).toEqual({ id: userId, username: 'admin' });
		expect(resolved?.locals.apiKey).toBeNull();
		expect(writes).toEqual([]);
	});

	it('re-sends the cookie when the session slides, with the cookie attributes', async () => {
		const issuedAt = new Date(Date.now() - SESSION_TTL_MS * 0.6);
		const session = await createSession(db, userId, CLIENT, () => issuedAt);
		const { event, writes } = makeEvent('https://comradarr.example/dashboard', {
			cookies: { [SESSION_COOKIE]: session.token }
		});
		await run(event);
		expect(writes).toHaveLength(1);
		expect(writes[0]).toMatchObject({
			name: SESSION_COOKIE,
			value: session.token,
			options: { path: '/', httpOnly: true, sameSite: 'lax', secure: true }
		});
		const expires = writes[0]?.options.expires;
		expect(expires?.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);
	});

	it('clears a cookie whose session is gone, also on the redirect it answers with', async () => {
		const { event, writes } = makeEvent('http://comradarr.lan/dashboard', {
			cookies: { [SESSION_COOKIE]: 'A'.repeat(43) }
		});
		const response = await run(event);
		expect(response.status).toBe(303);
		expect(writes).toMatchObject([{ name: SESSION_COOKIE, value: '', options: { secure: false } }]);
		expect(response.headers.get('set-cookie')).toContain(`${SESSION_COOKIE}=; Path=/; Max-Age=0`);
	});

	it('refuses cookie-authenticated state changes to the API without the right Origin', async () => {
		const session = await createSession(db, userId, CLIENT);
		const cookies = { [SESSION_COOKIE]: session.token };
		const noOrigin = await run(
			makeEvent('http://comradarr.lan/api/queue', { method: 'POST', cookies }).event
		);
		expect(noOrigin.status).toBe(403);
		expect(await errorCode(noOrigin)).toBe('auth.bad_origin');
		const foreign = await run(
			makeEvent('http://comradarr.lan/api/queue', {
				method: 'DELETE',
				cookies,
				headers: { origin: 'http://evil.example' }
			}).event
		);
		expect(foreign.status).toBe(403);
		const same = await run(
			makeEvent('http://comradarr.lan/api/queue', {
				method: 'POST',
				cookies,
				headers: { origin: 'http://comradarr.lan' }
			}).event
		);
		expect(same.status).toBe(200);
		const read = await run(makeEvent('http://comradarr.lan/api/queue', { cookies }).event);
		expect(read.status).toBe(200);
	});

	it('accepts API keys without an Origin, and keeps read-only keys to GET and HEAD', async () => {
		const full = await createApiKey(db, { userId, name: 'script', readOnly: false });
		const readOnly = await createApiKey(db, { userId, name: 'widget', readOnly: true });

		const post = await run(
			makeEvent('http://comradarr.lan/api/queue', {
				method: 'POST',
				headers: { 'x-api-key': full.key }
			}).event
		);
		expect(post.status).toBe(200);
		expect(resolved?.locals.apiKey).toEqual({ id: full.id, readOnly: false });
		expect(resolved?.locals.user).toEqual({ id: userId, username: 'admin' });

		const get = await run(
			makeEvent('http://comradarr.lan/api/queue', { headers: { 'x-api-key': readOnly.key } }).event
		);
		expect(get.status).toBe(200);
		const head = await run(
			makeEvent('http://comradarr.lan/api/queue', {
				method: 'HEAD',
				headers: { 'x-api-key': readOnly.key }
			}).event
		);
		expect(head.status).toBe(200);
		const write = await run(
			makeEvent('http://comradarr.lan/api/queue', {
				method: 'PATCH',
				headers: { 'x-api-key': readOnly.key }
			}).event
		);
		expect(write.status).toBe(403);
		expect(await errorCode(write)).toBe('auth.read_only');
	});

	it('does not fall back to the cookie when the API key is wrong', async () => {
		const session = await createSession(db, userId, CLIENT);
		const response = await run(
			makeEvent('http://comradarr.lan/api/queue', {
				headers: { 'x-api-key': 'cmdr_wrong' },
				cookies: { [SESSION_COOKIE]: session.token }
			}).event
		);
		expect(response.status).toBe(401);
		expect(await errorCode(response)).toBe('auth.required');
	});

	it('answers 500 without details when the database fails, still with security headers', async () => {
		const broken = createGuardHandle({
			db: () => {
				throw new Error('connection refused to postgres://secret@db');
			}
		});
		const response = await broken({
			event: makeEvent('http://comradarr.lan/api/queue').event,
			resolve
		});
		expect(response.status).toBe(500);
		expect(await response.text()).not.toContain('secret');
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		// /health must still answer (it reports the database state itself).
		const health = await broken({ event: makeEvent('http://comradarr.lan/health').event, resolve });
		expect(health.status).toBe(200);
	});
});

// ---------------------------------------------------------------------------------------------
// Review findings 1, 6, 7, 8: the decoded path, JSON errors, host names, headers.

/** A stand-in for SvelteKit's own answers (405 text with Allow, HTML 404…). */
function resolveWith(response: () => Response) {
	return async (event: RequestEvent): Promise<Response> => {
		resolved = event;
		return response();
	};
}

describe('guard decides on the decoded path', () => {
	let cookies: Record<string, string>;
	beforeEach(async () => {
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		cookies = {
			[SESSION_COOKIE]: (await createSession(db, user.id, { address: null, userAgent: null })).token
		};
	});

	it('applies the Origin check to percent-encoded API paths (/%61pi/… is /api/… to the router)', async () => {
		for (const [method, path] of [
			['POST', '/%61pi/v1/queue/dispatch'],
			['POST', '/%61pi/v1/connectors'],
			['DELETE', '/%61pi/v1/connectors/3'],
			['PATCH', '/%61%70%69/v1/connectors/3'],
			['POST', '/api/v1/%71ueue/dispatch']
		] as const) {
			const response = await run(
				makeEvent(`http://comradarr.lan${path}`, {
					method,
					cookies,
					headers: { origin: 'http://evil.example' }
				}).event
			);
			expect(response.status, path).toBe(403);
			expect(await errorCode(response)).toBe('auth.bad_origin');
			expect(resolved).toBeNull();
		}
	});

	it('answers an encoded API path without credentials like the API: 401 JSON, not a redirect', async () => {
		const response = await run(makeEvent('http://comradarr.lan/%61pi/v1/queue').event);
		expect(response.status).toBe(401);
		expect(await errorCode(response)).toBe('auth.required');
	});

	it('guards an encoded page path like the page, and serves an encoded public path as public', async () => {
		const page = await run(makeEvent('http://comradarr.lan/%64ashboard').event);
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toMatch(/^\/login/);
		const login = await run(makeEvent('http://comradarr.lan/%6Cogin').event);
		expect(login.status).toBe(200);
	});

	it('refuses ambiguous encodings with 400 before anything else: JSON for the API, text for pages', async () => {
		const apiPaths = [
			'/api%2Fv1/queue',
			'/api/v1%5cqueue',
			'/api/v1/queue%00',
			'/api/v1/queue%0a',
			'/%2561pi/v1/queue',
			'/api/v1/%2e%2e%2fconnectors',
			'/api//v1/queue',
			'/api/v1/queue/%ff',
			'/api/v1/queue%zz'
		];
		for (const path of apiPaths) {
			for (const withCookie of [false, true]) {
				const response = await run(
					makeEvent(`http://comradarr.lan${path}`, withCookie ? { cookies } : {}).event
				);
				expect(response.status, path).toBe(400);
				expect(await errorCode(response), path).toBe('request.bad_path');
				expect(response.headers.get('cache-control')).toBe('no-store');
				expect(resolved, path).toBeNull();
			}
		}
		for (const path of [
			'/dashboard%2F..',
			'/%2564ashboard',
			'//dashboard',
			'/login%00',
			'/%c0%ae'
		]) {
			const response = await run(makeEvent(`http://comradarr.lan${path}`, { cookies }).event);
			expect(response.status, path).toBe(400);
			expect(response.headers.get('content-type'), path).toContain('text/plain');
			expect(resolved, path).toBeNull();
		}
	});

	it('never treats a remote-function call as public, whatever page it names', async () => {
		const response = await run(
			makeEvent('http://comradarr.lan/login', { isRemoteRequest: true }).event
		);
		expect(response.status).toBe(303);
		expect(resolved).toBeNull();
	});
});

describe('guard makes every API error JSON', () => {
	let cookies: Record<string, string>;
	beforeEach(async () => {
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		cookies = {
			[SESSION_COOKIE]: (await createSession(db, user.id, { address: null, userAgent: null })).token
		};
	});
	const runWith = (event: RequestEvent, response: () => Response) => {
		resolved = null;
		return handle()({ event, resolve: resolveWith(response) });
	};

	it('asks for authentication before saying a path does not exist', async () => {
		const response = await run(
			makeEvent('http://comradarr.lan/api/v1/nope', { routeId: null }).event
		);
		expect(response.status).toBe(401);
		expect(await errorCode(response)).toBe('auth.required');
	});

	it('answers an unknown API path with 404 JSON once signed in, without resolving it', async () => {
		const response = await run(
			makeEvent('http://comradarr.lan/api/v1/nope', { routeId: null, cookies }).event
		);
		expect(response.status).toBe(404);
		expect(await response.json()).toEqual({
			error: {
				code: 'api.not_found',
				message: 'No such API endpoint.',
				requestId: response.headers.get('x-request-id')
			}
		});
		expect(resolved).toBeNull();
	});

	it("turns SvelteKit's plain-text 405 into JSON and keeps Allow", async () => {
		const response = await runWith(
			makeEvent('http://comradarr.lan/api/v1/queue', {
				method: 'PUT',
				cookies,
				headers: { origin: 'http://comradarr.lan' }
			}).event,
			() =>
				new Response('PUT method not allowed', {
					status: 405,
					headers: { allow: 'GET, HEAD', 'content-type': 'text/plain' }
				})
		);
		expect(response.status).toBe(405);
		expect(response.headers.get('allow')).toBe('GET, HEAD');
		expect(await response.json()).toEqual({
			error: {
				code: 'api.method_not_allowed',
				message: 'PUT is not allowed here; allowed: GET, HEAD.',
				requestId: response.headers.get('x-request-id')
			}
		});
	});

	it('turns HTML error pages under /api into JSON, and leaves JSON errors and pages alone', async () => {
		const html = () =>
			new Response('<!doctype html><h1>500</h1>', {
				status: 500,
				headers: { 'content-type': 'text/html' }
			});
		const fromHtml = await runWith(
			makeEvent('http://comradarr.lan/api/v1/queue', { cookies }).event,
			html
		);
		expect(fromHtml.status).toBe(500);
		expect(await fromHtml.json()).toEqual({
			error: {
				code: 'internal',
				message: 'Internal error',
				requestId: fromHtml.headers.get('x-request-id')
			}
		});

		const own = () =>
			Response.json(
				{ error: { code: 'connectors.not_found', message: 'No connector 9' } },
				{ status: 404 }
			);
		const fromJson = await runWith(
			makeEvent('http://comradarr.lan/api/v1/connectors/9', { cookies }).event,
			own
		);
		expect(await errorCode(fromJson)).toBe('connectors.not_found');

		const page = await runWith(
			makeEvent('http://comradarr.lan/nope', { cookies }).event,
			() =>
				new Response('<h1>Not found</h1>', {
					status: 404,
					headers: { 'content-type': 'text/html' }
				})
		);
		expect(page.headers.get('content-type')).toBe('text/html');
	});
});

describe('guard headers', () => {
	it('sends Cache-Control: no-store on pages, the API and refusals, but not on build assets', async () => {
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const cookies = {
			[SESSION_COOKIE]: (await createSession(db, user.id, { address: null, userAgent: null })).token
		};
		for (const event of [
			makeEvent('http://comradarr.lan/dashboard', { cookies }).event,
			makeEvent('http://comradarr.lan/api/v1/queue', { cookies }).event,
			makeEvent('http://comradarr.lan/api/v1/queue').event,
			makeEvent('http://comradarr.lan/dashboard').event,
			makeEvent('http://comradarr.lan/login').event
		]) {
			const response = await run(event);
			expect(response.headers.get('cache-control'), event.url.pathname).toBe('no-store');
		}
		const asset = await run(makeEvent('http://comradarr.lan/_app/immutable/entry/start.js').event);
		expect(asset.headers.get('cache-control')).toBeNull();
	});
});

describe('guard against DNS rebinding', () => {
	const guardWith = (policy = parseAllowedHosts(undefined)) =>
		createGuardHandle({ db: () => db, hostPolicy: () => policy });
	const runWithPolicy = (event: RequestEvent, policy?: ReturnType<typeof parseAllowedHosts>) => {
		resolved = null;
		return guardWith(policy)({ event, resolve });
	};

	it('refuses /setup and /login for a host name that is not configured, with 421 and the way out', async () => {
		for (const [method, path] of [
			['GET', '/setup'],
			['POST', '/setup'],
			['GET', '/login'],
			['POST', '/login']
		] as const) {
			const response = await runWithPolicy(
				makeEvent(`http://rebind.example:3000${path}`, {
					method,
					headers: { origin: 'http://rebind.example:3000' }
				}).event
			);
			expect(response.status, `${method} ${path}`).toBe(421);
			expect(await response.text()).toMatch(/"rebind\.example".*ALLOWED_HOSTS/s);
			expect(resolved).toBeNull();
		}
	});

	it('checks the Host header, not the URL (which ORIGIN may have pinned)', async () => {
		const response = await runWithPolicy(
			makeEvent('http://192.168.1.10:3000/setup', { headers: { host: 'rebind.example:3000' } })
				.event
		);
		expect(response.status).toBe(421);
	});

	it('answers IP literals, localhost, ORIGIN and ALLOWED_HOSTS names', async () => {
		const allowed = hostPolicyFromEnv({
			ALLOWED_HOSTS: 'nas.lan, .home.arpa',
			ORIGIN: 'https://comradarr.example.com'
		});
		for (const host of [
			'192.168.1.10:3000',
			'127.0.0.1',
			'[::1]:3000',
			'[fd00::10]',
			'localhost:3000',
			'LOCALHOST',
			'nas.lan:3000',
			'NAS.LAN.',
			'comradarr.example.com',
			'home.arpa',
			'media.home.arpa:8080'
		]) {
			const response = await runWithPolicy(
				makeEvent('http://x/setup', { headers: { host } }).event,
				allowed
			);
			expect(response.status, host).toBe(200);
		}
		for (const host of [
			'rebind.example',
			'nas.lan.rebind.example',
			'evilhome.arpa',
			'127.0.0.1.nip.io',
			'0x7f.0.0.1',
			'user@127.0.0.1',
			''
		]) {
			const response = await runWithPolicy(
				makeEvent('http://x/setup', { headers: { host } }).event,
				allowed
			);
			expect(response.status, host).toBe(421);
		}
	});

	it('leaves cookie-authenticated pages alone: a rebinding page has no cookie of ours', async () => {
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const cookies = {
			[SESSION_COOKIE]: (await createSession(db, user.id, { address: null, userAgent: null })).token
		};
		const response = await runWithPolicy(makeEvent('http://nas:3000/dashboard', { cookies }).event);
		expect(response.status).toBe(200);
	});

	it('refuses invalid ALLOWED_HOSTS entries and ORIGIN values by name', () => {
		expect(() => parseAllowedHosts('nas.lan, nas.lan:3000')).toThrow(/nas\.lan:3000/);
		expect(() => parseAllowedHosts('*.example.com')).toThrow(/\*\.example\.com/);
		expect(() => parseAllowedHosts('http://nas')).toThrow(/http:\/\/nas/);
		expect(() => hostPolicyFromEnv({ ORIGIN: 'comradarr.lan' })).toThrow(/ORIGIN/);
	});
});

// ---------------------------------------------------------------------------------------------
// Settings → Security authentication modes (item 9), as the guard applies them.

describe('guard authentication modes', () => {
	/** 10.0.0.2 plays the reverse proxy. */
	const proxies = parseTrustedProxies('10.0.0.2');
	const modeHandle = () =>
		createGuardHandle({
			db: () => db,
			hostPolicy: () => SITE_HOSTS,
			trustedProxies: () => proxies
		});
	const runMode = (event: RequestEvent) => {
		resolved = null;
		return modeHandle()({ event, resolve });
	};
	const setMode = (security: Partial<SecuritySettings>) =>
		updateSettings(db, 'security', {
			authMode: 'full',
			proxyHeader: 'Remote-User',
			sessionMaxAgeDays: 30,
			...security
		});
	const page = (init: Parameters<typeof makeEvent>[1] = {}, path = '/dashboard') =>
		makeEvent(`http://comradarr.lan${path}`, init).event;

	let admin: { id: number; username: string };
	let alice: { id: number; username: string };
	beforeEach(async () => {
		admin = await createUser(db, { username: 'admin', password: 'password1' });
		alice = await createUser(db, { username: 'alice', password: 'password2' });
	});

	it('full: the network position counts for nothing, and pages learn the mode', async () => {
		const response = await runMode(page({ peer: '127.0.0.1' }));
		expect(response.status).toBe(303);
		const login = await runMode(page({}, '/login'));
		expect(login.status).toBe(200);
		expect(resolved?.locals.authMode).toBe('full');
		expect(resolved?.locals.authMethod).toBeNull();
	});

	describe('local_bypass', () => {
		beforeEach(async () => {
			await setMode({ authMode: 'local_bypass' });
		});

		it('treats loopback, RFC 1918 and RFC 4193 socket peers as the admin', async () => {
			for (const peer of [
				'127.0.0.1',
				'::1',
				'192.168.1.20',
				'10.9.8.7',
				'fd00::5',
				'::ffff:172.16.0.9'
			]) {
				const response = await runMode(page({ peer }));
				expect(response.status, peer).toBe(200);
				expect(resolved?.locals.user).toEqual(admin);
				expect(resolved?.locals.authMethod).toBe('localNetwork');
				expect(resolved?.locals.authMode).toBe('local_bypass');
			}
		});

		it('gives a public peer nothing, whatever X-Forwarded-For it sends', async () => {
			for (const forwarded of [null, '192.168.1.20', '127.0.0.1', '10.0.0.2, 192.168.1.20']) {
				const headers: Record<string, string> = forwarded ? { 'x-forwarded-for': forwarded } : {};
				const response = await runMode(page({ peer: '203.0.113.5', headers }));
				expect(response.status, String(forwarded)).toBe(303);
				const api = await runMode(page({ peer: '203.0.113.5', headers }, '/api/v1/queue'));
				expect(api.status).toBe(401);
			}
			for (const peer of ['169.254.1.2', '100.64.0.1', '64:ff9b::c0a8:114', 'fe80::1', '']) {
				expect((await runMode(page({ peer }))).status, peer).toBe(303);
			}
		});

		it('behind a trusted proxy, decides on the client X-Forwarded-For names, and never on the proxy itself', async () => {
			const local = await runMode(
				page({ peer: '10.0.0.2', headers: { 'x-forwarded-for': '192.168.1.30' } })
			);
			expect(local.status).toBe(200);
			expect(resolved?.locals.user).toEqual(admin);
			const remote = await runMode(
				page({ peer: '10.0.0.2', headers: { 'x-forwarded-for': '192.168.1.30, 203.0.113.5' } })
			);
			expect(remote.status).toBe(303);
			// A trusted proxy that names no client would make the whole internet local.
			expect((await runMode(page({ peer: '10.0.0.2' }))).status).toBe(303);
		});

		it('still requires the Origin for state-changing API calls, so a foreign site in a LAN browser cannot drive the app', async () => {
			const foreign = await runMode(
				page(
					{ peer: '192.168.1.20', method: 'POST', headers: { origin: 'http://evil.example' } },
					'/api/v1/queue/dispatch'
				)
			);
			expect(foreign.status).toBe(403);
			expect(await errorCode(foreign)).toBe('auth.bad_origin');
			const none = await runMode(
				page({ peer: '192.168.1.20', method: 'DELETE' }, '/api/v1/connectors/1')
			);
			expect(none.status).toBe(403);
			const own = await runMode(
				page(
					{ peer: '192.168.1.20', method: 'POST', headers: { origin: 'http://comradarr.lan' } },
					'/api/v1/queue/dispatch'
				)
			);
			expect(own.status).toBe(200);
		});

		it('lets a session cookie name its own user', async () => {
			const cookies = {
				[SESSION_COOKIE]: (await createSession(db, alice.id, { address: null, userAgent: null }))
					.token
			};
			await runMode(page({ peer: '192.168.1.20', cookies }));
			expect(resolved?.locals.user).toEqual(alice);
			expect(resolved?.locals.authMethod).toBe('session');
		});

		it('grants the bypass only for an allowed Host (a rebinding page in a LAN browser gets 421)', async () => {
			const response = await runMode(
				page({ peer: '192.168.1.20', headers: { host: 'rebind.example' } })
			);
			expect(response.status).toBe(421);
			expect(resolved).toBeNull();
		});
	});

	describe('proxy_header', () => {
		beforeEach(async () => {
			await setMode({ authMode: 'proxy_header', proxyHeader: 'Remote-User' });
		});

		it('accepts the header from a trusted proxy when it names an existing user', async () => {
			const response = await runMode(
				page({ peer: '10.0.0.2', headers: { 'remote-user': 'alice' } })
			);
			expect(response.status).toBe(200);
			expect(resolved?.locals.user).toEqual(alice);
			expect(resolved?.locals.authMethod).toBe('proxyHeader');
			expect(resolved?.locals.authMode).toBe('proxy_header');
		});

		it('refuses a spoofed header from any other peer with 403, even with a valid cookie', async () => {
			const cookies = {
				[SESSION_COOKIE]: (await createSession(db, admin.id, { address: null, userAgent: null }))
					.token
			};
			for (const peer of ['203.0.113.5', '192.168.1.20', '127.0.0.1']) {
				const response = await runMode(
					page({
						peer,
						cookies,
						headers: { 'remote-user': 'admin', 'x-forwarded-for': '10.0.0.2' }
					})
				);
				expect(response.status, peer).toBe(403);
				expect(await response.text()).toMatch(/Remote-User.*TRUSTED_PROXIES/);
				expect(resolved).toBeNull();
			}
			const api = await runMode(
				page({ peer: '203.0.113.5', headers: { 'remote-user': 'admin' } }, '/api/v1/queue')
			);
			expect(api.status).toBe(403);
			expect(await errorCode(api)).toBe('auth.proxy_header_untrusted');
		});

		it('refuses a header naming no user instead of falling back to anonymous', async () => {
			const response = await runMode(
				page({ peer: '10.0.0.2', headers: { 'remote-user': 'mallory' } }, '/api/v1/queue')
			);
			expect(response.status).toBe(403);
			expect(await errorCode(response)).toBe('auth.proxy_user_unknown');
		});

		it('without the header, works like full (cookie or login)', async () => {
			expect((await runMode(page({ peer: '10.0.0.2' }))).status).toBe(303);
			const cookies = {
				[SESSION_COOKIE]: (await createSession(db, admin.id, { address: null, userAgent: null }))
					.token
			};
			expect((await runMode(page({ peer: '203.0.113.5', cookies }))).status).toBe(200);
		});

		it('reads the configured header name, and still requires the Origin for state changes', async () => {
			await setMode({ authMode: 'proxy_header', proxyHeader: 'X-Authentik-Username' });
			const headers = { 'x-authentik-username': 'alice' };
			expect((await runMode(page({ peer: '10.0.0.2', headers }))).status).toBe(200);
			expect(resolved?.locals.user).toEqual(alice);
			expect(
				(await runMode(page({ peer: '10.0.0.2', headers: { 'remote-user': 'alice' } }))).status
			).toBe(303);
			const forged = await runMode(
				page({ peer: '10.0.0.2', method: 'POST', headers }, '/api/v1/queue/dispatch')
			);
			expect(forged.status).toBe(403);
			expect(await errorCode(forged)).toBe('auth.bad_origin');
		});

		it('lets an API key decide on its own', async () => {
			const { key } = await createApiKey(db, { userId: admin.id, name: 'script', readOnly: false });
			const response = await runMode(
				page(
					{ peer: '203.0.113.5', headers: { 'x-api-key': key, 'remote-user': 'alice' } },
					'/api/v1/queue'
				)
			);
			expect(response.status).toBe(200);
			expect(resolved?.locals.user).toEqual(admin);
		});
	});

	describe('disabled', () => {
		beforeEach(async () => {
			await setMode({ authMode: 'disabled' });
		});

		it('treats everyone as the admin, but keeps the Origin check and the host check', async () => {
			expect((await runMode(page({ peer: '203.0.113.5' }))).status).toBe(200);
			expect(resolved?.locals.user).toEqual(admin);
			expect(resolved?.locals.authMethod).toBe('disabled');
			const forged = await runMode(
				page(
					{ peer: '203.0.113.5', method: 'POST', headers: { origin: 'http://evil.example' } },
					'/api/v1/queue/dispatch'
				)
			);
			expect(forged.status).toBe(403);
			const rebound = await runMode(
				page({ peer: '203.0.113.5', headers: { host: 'rebind.example' } })
			);
			expect(rebound.status).toBe(421);
		});
	});

	it('sends everyone to /setup while no user exists, in every mode', async () => {
		await resetDb(db);
		for (const authMode of ['full', 'local_bypass', 'proxy_header', 'disabled'] as const) {
			await setMode({ authMode });
			const response = await runMode(page({ peer: '127.0.0.1' }));
			expect(response.status, authMode).toBe(303);
			expect(response.headers.get('location')).toBe('/setup');
			const api = await runMode(page({ peer: '127.0.0.1' }, '/api/v1/queue'));
			expect(api.status, authMode).toBe(401);
		}
		// Even when the authenticating proxy already names a user.
		await setMode({ authMode: 'proxy_header' });
		const proxied = await runMode(page({ peer: '10.0.0.2', headers: { 'remote-user': 'owner' } }));
		expect(proxied.status).toBe(303);
		expect(proxied.headers.get('location')).toBe('/setup');
		expect(
			(await runMode(page({ peer: '10.0.0.2', headers: { 'remote-user': 'owner' } }, '/setup')))
				.status
		).toBe(200);
	});
});
