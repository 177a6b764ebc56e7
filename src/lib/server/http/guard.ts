/**
 * The request guard: who is calling, and may they? Used by `handle` in hooks.server.ts.
 *
 * Everything is private by default. Public are exactly `/login`, `/setup`, `/health`, the build's
 * static assets under `/_app/` (not `/_app/remote/`, where remote functions would live) and
 * `/favicon*`; files from `static/` are served by the adapter (and by Vite in dev) before `handle`
 * runs, so they never reach this code. Callers authenticate with the session cookie or an
 * `X-Api-Key` header. Without either, pages get a 303 to `/login?redirectTo=…` (or `/setup` while
 * no user exists) and `/api/*` gets 401 JSON.
 *
 * Cookie-authenticated state-changing `/api/*` requests must carry an `Origin` equal to the app's
 * origin (SvelteKit's own CSRF check covers only form posts); key-authenticated requests skip that
 * check (a browser never attaches the header by itself). Read-only keys may only GET/HEAD; a key
 * over its per-minute limit gets 429 `auth.rate_limited` with `Retry-After` (`api-keys.ts`).
 */
import type { Cookies, Handle, RequestEvent } from '@sveltejs/kit';
import type { Database } from '$lib/server/db';
import { moduleLogger } from '$lib/server/logger';
import {
	API_KEY_HEADER,
	apiKeyRateLimiter,
	rateLimitMessage,
	verifyApiKey
} from '$lib/server/auth/api-keys';
import { systemClock, type Clock } from '$lib/server/auth/clock';
import {
	SESSION_COOKIE,
	clearSessionCookie,
	setSessionCookie,
	validateSessionToken
} from '$lib/server/auth/session';
import { hasUsers } from '$lib/server/auth/users';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { errorResponse } from './api';
import { requestClientAddress } from './client-address';

const log = moduleLogger('http');

const PUBLIC_PAGES = new Set(['/login', '/setup', '/health']);
const READ_METHODS = new Set(['GET', 'HEAD']);
const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Where a successful login lands by default. */
export const DEFAULT_AFTER_LOGIN = '/dashboard';

/**
 * Static files of the build (`/_app/immutable/…`, `/_app/version.json`, `/_app/env.js`) and
 * favicons: public, and not worth a session lookup.
 */
export function isStaticAssetPath(pathname: string): boolean {
	if (pathname.startsWith('/_app/')) return !pathname.startsWith('/_app/remote/');
	return /^\/favicon[^/]*$/.test(pathname);
}

/**
 * True for the paths anyone may request without logging in: exactly `/login`, `/setup`,
 * `/health`, plus static assets (`isStaticAssetPath`). Matching is exact and case-sensitive; a
 * trailing slash or sub-path is not public.
 */
export function isPublicPath(pathname: string): boolean {
	return PUBLIC_PAGES.has(pathname) || isStaticAssetPath(pathname);
}

/** True for the JSON API (`/api` and everything below it). */
export function isApiPath(pathname: string): boolean {
	return pathname === '/api' || pathname.startsWith('/api/');
}

/** GET and HEAD: what a read-only API key may use. */
export function isReadMethod(method: string): boolean {
	return READ_METHODS.has(method.toUpperCase());
}

/** POST, PUT, PATCH, DELETE: the methods the Origin check applies to. */
export function isStateChangingMethod(method: string): boolean {
	return STATE_CHANGING_METHODS.has(method.toUpperCase());
}

/** How a request was authenticated. */
export type AuthMethod = 'session' | 'apiKey';

/**
 * The CSRF rule for the JSON API.
 * @param input.origin the request's `Origin` header (null when absent)
 * @param input.expectedOrigin the app's own origin (`event.url.origin`)
 * @returns true when the request may proceed: safe methods always; state-changing ones when
 *   authenticated by API key, or by cookie with an exactly matching Origin.
 */
export function checkOrigin(input: {
	method: string;
	origin: string | null;
	expectedOrigin: string;
	authMethod: AuthMethod;
}): boolean {
	if (!isStateChangingMethod(input.method)) return true;
	if (input.authMethod === 'apiKey') return true;
	return input.origin !== null && input.origin === input.expectedOrigin;
}

/**
 * Validates a `redirectTo` value: only same-site relative paths starting with a single `/` (no
 * `//host`, no backslashes, no control characters), and never back to /login, /setup or /logout.
 * @returns the path, or `fallback` when the value is absent or unsafe.
 */
export function safeRedirectTarget(
	value: string | null | undefined,
	fallback: string = DEFAULT_AFTER_LOGIN
): string {
	if (!value || value.length > 2048) return fallback;
	if (!value.startsWith('/') || value.startsWith('//')) return fallback;
	// Browsers read "\" as "/" ("/\evil.com" is protocol-relative); control characters are stripped.
	// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
	if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
	let url: URL;
	try {
		url = new URL(value, 'http://comradarr.invalid');
	} catch {
		return fallback;
	}
	if (url.origin !== 'http://comradarr.invalid') return fallback;
	if (['/login', '/setup', '/logout'].includes(url.pathname)) return fallback;
	return url.pathname + url.search + url.hash;
}

/**
 * Where an unauthenticated page request is sent: `/login?redirectTo=<path+query>` for GET/HEAD
 * (a POST cannot be replayed after login, so it gets plain `/login`).
 */
export function loginLocation(url: URL, method: string): string {
	if (!isReadMethod(method) || url.pathname === '/') return '/login';
	const target = safeRedirectTarget(url.pathname + url.search, '');
	return target ? `/login?redirectTo=${encodeURIComponent(target)}` : '/login';
}

/**
 * Security headers for every response. HSTS only over https: sent over plain http it would be
 * ignored anyway, and a homelab on http must not be told to insist on https.
 */
export function securityHeaders(https: boolean): Record<string, string> {
	const headers: Record<string, string> = {
		'x-frame-options': 'SAMEORIGIN',
		'x-content-type-options': 'nosniff',
		'referrer-policy': 'strict-origin-when-cross-origin',
		'permissions-policy': 'camera=(), microphone=(), geolocation=()'
	};
	if (https) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
	return headers;
}

/** What the guard needs from its surroundings. */
export interface GuardDeps {
	/** The database (a getter: the runtime opens it after the hooks module loads). */
	db: () => Database;
	clock?: Clock;
}

/** A change to the session cookie decided while authenticating. */
type CookieChange = { kind: 'set'; token: string; expiresAt: Date } | { kind: 'clear' } | null;

interface Authentication {
	method: AuthMethod | null;
	cookie: CookieChange;
	/** Set when a valid API key is over its per-minute limit: the answer is a 429. */
	rateLimited?: Response;
}

/**
 * Authenticates a request and fills `locals.user` / `locals.apiKey`. An `X-Api-Key` header, when
 * present, is the only credential considered (a bad key is not rescued by a cookie).
 */
async function authenticate(
	event: RequestEvent,
	db: Database,
	clock: Clock
): Promise<Authentication> {
	const key = event.request.headers.get(API_KEY_HEADER);
	if (key !== null) {
		const address = requestClientAddress(event);
		const principal = await verifyApiKey(db, key.trim(), { address }, clock);
		if (!principal) return { method: null, cookie: null };
		const limit = principal.rateLimitPerMinute;
		const decision = apiKeyRateLimiter.take(principal.id, limit, clock().getTime());
		if (!decision.allowed) {
			const seconds = decision.retryAfterSeconds;
			const response = errorResponse(
				429,
				'auth.rate_limited',
				rateLimitMessage(limit, seconds),
				undefined,
				{ 'retry-after': String(seconds) }
			);
			return { method: null, cookie: null, rateLimited: response };
		}
		event.locals.user = principal.user;
		event.locals.apiKey = { id: principal.id, readOnly: principal.readOnly };
		return { method: 'apiKey', cookie: null };
	}
	const token = event.cookies.get(SESSION_COOKIE);
	if (!token) return { method: null, cookie: null };
	const { security } = await getSettings(db);
	const policy = { maxAgeDays: security.sessionMaxAgeDays };
	const session = await validateSessionToken(db, token, policy, clock);
	if (!session) return { method: null, cookie: { kind: 'clear' } };
	event.locals.user = session.user;
	return {
		method: 'session',
		cookie: session.renewed ? { kind: 'set', token, expiresAt: session.expiresAt } : null
	};
}

function applyCookieChange(cookies: Cookies, change: CookieChange, secure: boolean): void {
	if (change?.kind === 'set') setSessionCookie(cookies, change, secure);
	else if (change?.kind === 'clear') clearSessionCookie(cookies, secure);
}

/**
 * SvelteKit adds `event.cookies` changes only to responses produced by `resolve`; responses the
 * guard builds itself get the Set-Cookie header here.
 */
function serializeCookieChange(
	cookies: Cookies,
	change: CookieChange,
	secure: boolean
): string | null {
	const options = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
	if (change?.kind === 'set') {
		return cookies.serialize(SESSION_COOKIE, change.token, {
			...options,
			expires: change.expiresAt
		});
	}
	if (change?.kind === 'clear') {
		return cookies.serialize(SESSION_COOKIE, '', { ...options, maxAge: 0 });
	}
	return null;
}

/**
 * A redirect the client understands: a 303 for documents, the JSON forms SvelteKit's client expects
 * for `__data.json` requests (client-side navigation) and for `use:enhance` form posts.
 */
function redirectResponse(event: RequestEvent, location: string): Response {
	const jsonHeaders = { 'content-type': 'application/json' };
	if (event.isDataRequest) {
		return new Response(JSON.stringify({ type: 'redirect', location }), { headers: jsonHeaders });
	}
	const enhanced = event.request.headers.get('x-sveltekit-action') === 'true';
	if (event.request.method === 'POST' && enhanced) {
		return new Response(JSON.stringify({ type: 'redirect', status: 303, location }), {
			headers: jsonHeaders
		});
	}
	return new Response(null, { status: 303, headers: { location } });
}

/** Adds headers, copying the response first when its headers are immutable (e.g. from fetch). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
	let target = response;
	try {
		for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
	} catch {
		target = new Response(response.body, response);
		for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
	}
	return target;
}

/**
 * Builds the `handle` hook: request id, authentication, the access rules above, and security
 * headers plus `X-Request-Id` on every response it returns.
 */
export function createGuardHandle(deps: GuardDeps): Handle {
	const clock = deps.clock ?? systemClock;
	return async ({ event, resolve }) => {
		const requestId = crypto.randomUUID();
		event.locals.requestId = requestId;
		event.locals.user = null;
		event.locals.apiKey = null;
		const https = event.url.protocol === 'https:';
		const headers = { ...securityHeaders(https), 'x-request-id': requestId };
		let response: Response;
		try {
			response = await guard(event, resolve, deps.db, clock, https);
		} catch (error) {
			log.error({ err: error, cid: requestId, path: event.url.pathname }, 'request guard failed');
			response = isApiPath(event.url.pathname)
				? errorResponse(500, 'internal', 'Internal error')
				: new Response('Internal error', {
						status: 500,
						headers: { 'content-type': 'text/plain' }
					});
		}
		return withHeaders(response, headers);
	};
}

async function guard(
	event: RequestEvent,
	resolve: Parameters<Handle>[0]['resolve'],
	getDb: () => Database,
	clock: Clock,
	https: boolean
): Promise<Response> {
	const { pathname } = event.url;
	// No credential lookup for assets and /health: /health must answer with the database down.
	if (isStaticAssetPath(pathname) || pathname === '/health') return resolve(event);
	const db = getDb();

	const auth = await authenticate(event, db, clock);
	applyCookieChange(event.cookies, auth.cookie, https);
	const deny = (response: Response, reason: string): Response => {
		const cookie = serializeCookieChange(event.cookies, auth.cookie, https);
		if (cookie) response.headers.append('set-cookie', cookie);
		log.debug(
			{ cid: event.locals.requestId, path: pathname, method: event.request.method, reason },
			'request denied'
		);
		return response;
	};

	if (auth.rateLimited) return deny(auth.rateLimited, 'api key over its rate limit');
	if (isPublicPath(pathname)) return resolve(event);

	const api = isApiPath(pathname);
	if (!auth.method) {
		if (api) {
			return deny(
				errorResponse(401, 'auth.required', 'Authentication required'),
				'unauthenticated'
			);
		}
		const location = (await hasUsers(db))
			? loginLocation(event.url, event.request.method)
			: '/setup';
		return deny(redirectResponse(event, location), 'unauthenticated');
	}
	if (event.locals.apiKey?.readOnly && !isReadMethod(event.request.method)) {
		return deny(
			errorResponse(
				403,
				'auth.read_only',
				'This API key is read-only: only GET and HEAD are allowed.'
			),
			'read-only key'
		);
	}
	if (
		api &&
		!checkOrigin({
			method: event.request.method,
			origin: event.request.headers.get('origin'),
			expectedOrigin: event.url.origin,
			authMethod: auth.method
		})
	) {
		return deny(
			errorResponse(
				403,
				'auth.bad_origin',
				'Cross-origin request refused: the Origin header must match this site.'
			),
			'bad origin'
		);
	}
	return resolve(event);
}
