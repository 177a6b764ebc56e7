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
	checkOrigin,
	createGuardHandle,
	isApiPath,
	isPublicPath,
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
	const request = new Request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} });
	const event = {
		url: new URL(url),
		request,
		cookies,
		locals: {},
		isDataRequest: init.isDataRequest ?? false,
		getClientAddress: () => '127.0.0.1'
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
const handle = () => createGuardHandle({ db: () => db });

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
			error: { code: 'auth.required', message: 'Authentication required' }
		});
	});

	it('serves the public pages and assets', async () => {
		for (const path of ['/setup', '/login', '/health', '/_app/version.json', '/favicon.ico']) {
			const response = await run(makeEvent(`http://comradarr.lan${path}`).event);
			expect(response.status, path).toBe(200);
		}
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
