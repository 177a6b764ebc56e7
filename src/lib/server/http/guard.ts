/**
 * The request guard: who is calling, and may they? Used by `handle` in hooks.server.ts.
 *
 * Every decision is made on the decoded, normalised path (`request-path.ts`: the string
 * SvelteKit routes on); ambiguous encodings (`%2F`, `%25`, `%00`, dot segments, `//`, invalid
 * UTF-8) are refused with a 400 before anything else — JSON for the API, plain text for pages.
 *
 * Everything is private by default. Public are exactly `/login`, `/setup`, `/health`, the build's
 * static assets under `/_app/` (not `/_app/remote/`, where remote functions would live) and
 * `/favicon*`; files from `static/` are served by the adapter (and by Vite in dev) before `handle`
 * runs, so they never reach this code. Without a credential, pages get a 303 to
 * `/login?redirectTo=…` (or `/setup` while no user exists) and `/api/*` gets 401 JSON — also for
 * API paths that do not exist, so the route list cannot be probed anonymously; signed in, an
 * unknown API path is 404 JSON and a wrong method 405 JSON with `Allow`.
 *
 * `/webhooks/{connectorId}` (exactly one segment, on the route `/webhooks/[connectorId]`) is let
 * through without a session, Origin or Host check: the *arr apps post there server-to-server, and
 * its handler authenticates every request by the connector's webhook secret alone
 * (services/webhooks/receive.ts: 401 without it). Its errors are JSON like the API's.
 *
 * `/metrics` (route `/metrics`) is decided by its handler (services/metrics/auth.ts): with an
 * `Authorization` header it is let through untouched (the bearer token is its only credential);
 * without one the caller is authenticated as below and let through even when anonymous, so the
 * handler can answer 404 (metrics off) or 401 itself. Its errors are JSON like the API's.
 *
 * Who is calling (Settings → Security, `getSettings(db).security.authMode`):
 * - an `X-Api-Key` header, when present, is the only credential considered;
 * - `proxy_header`: the configured header (e.g. `Remote-User`) names the user — believed only
 *   from a socket peer in TRUSTED_PROXIES and only for an existing user; otherwise the request is
 *   refused (403) rather than quietly treated as anonymous;
 * - the session cookie;
 * - `local_bypass`: a client on loopback, RFC 1918 or RFC 4193 addresses is the admin. The client
 *   is the socket peer; behind a trusted proxy, the address `X-Forwarded-For` names (a trusted
 *   proxy that names no client bypasses nothing);
 * - `disabled`: everyone is the admin.
 * While no user exists every mode leads to /setup. Where a browser gets in without a credential
 * of its own — /setup, /login and the three modes above — the `Host` must be an allowed one
 * (`allowed-hosts.ts`, against DNS rebinding), else 421.
 *
 * State-changing `/api/*` requests must carry an `Origin` equal to the app's origin unless they
 * are authenticated by API key (a browser never attaches that header by itself); that includes
 * requests let in by network position or a proxy header, so a foreign site open in a LAN browser
 * cannot drive the app. SvelteKit's own CSRF check covers form posts. Read-only keys may only
 * GET/HEAD; a key over its per-minute limit gets 429 `auth.rate_limited` with `Retry-After`
 * (`api-keys.ts`).
 *
 * Responses: security headers on all; `Cache-Control: no-store` on everything but static assets;
 * HSTS only over https (the protocol is https only when ORIGIN says so or a trusted proxy does,
 * see `forwarding.ts`). The Content-Security-Policy comes from `kit.csp` (svelte.config.js).
 */
import type { Cookies, Handle, RequestEvent } from '@sveltejs/kit';
import type { Database } from '$lib/server/db';
import { moduleLogger, withRequestId } from '$lib/server/logger';
import { findAdmin } from '$lib/server/auth/admin';
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
import { findUserByUsername, hasUsers, type AuthUser } from '$lib/server/auth/users';
import {
	getSettings,
	type AuthMode,
	type SecuritySettings
} from '$lib/server/services/settings/settings-service';
import { cookiePath, withBase } from './base-path';
import { cachedHostPolicy, hostNameOf, isAllowedHost, type HostPolicy } from './allowed-hosts';
import {
	isLocalNetworkAddress,
	requestClient,
	trustedProxiesFromEnv,
	type Cidr,
	type ResolvedClient
} from './client-address';
import { refuseUnknownFormAction } from './form-actions';
import { errorResponse } from './api';
import { lenientPath, normaliseRequestPath } from './request-path';

const log = moduleLogger('http');

const PUBLIC_PAGES = new Set(['/login', '/setup', '/health']);
/** Pages a browser uses before it has a credential: answered only for allowed hosts. */
const HOST_CHECKED_PAGES = new Set(['/login', '/setup']);
const READ_METHODS = new Set(['GET', 'HEAD']);
const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Where a successful login lands by default. */
export const DEFAULT_AFTER_LOGIN = '/dashboard';
/**
 * The policy path of a remote-function call: SvelteKit sets `url.pathname` of those to the calling
 * page's path, taken from a request header, so it proves nothing.
 */
const REMOTE_FUNCTION_PATH = '/_app/remote/';

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
 * trailing slash or sub-path is not public. Pass the decoded path (`normaliseRequestPath`).
 */
export function isPublicPath(pathname: string): boolean {
	return PUBLIC_PAGES.has(pathname) || isStaticAssetPath(pathname);
}

/** The route whose handler authenticates by the connector's webhook secret instead of a session. */
export const WEBHOOK_ROUTE_ID = '/webhooks/[connectorId]';

/**
 * True for `/webhooks/{connectorId}`: exactly one non-empty segment below `/webhooks`, no
 * trailing slash. Pass the decoded path (`normaliseRequestPath`).
 */
export function isWebhookPath(pathname: string): boolean {
	return /^\/webhooks\/[^/]+$/.test(pathname);
}

/** The Prometheus endpoint's route: its handler decides access (services/metrics/auth.ts). */
export const METRICS_ROUTE_ID = '/metrics';

/** True for the JSON API (`/api` and everything below it). Pass the decoded path. */
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

/**
 * How a request was authenticated: a session cookie, an API key, the local-network bypass, the
 * reverse proxy's user header, or the `disabled` mode.
 */
export type AuthMethod = 'session' | 'apiKey' | 'localNetwork' | 'proxyHeader' | 'disabled';

/**
 * The CSRF rule for the JSON API.
 * @param input.origin the request's `Origin` header (null when absent)
 * @param input.expectedOrigin the app's own origin (`event.url.origin`)
 * @returns true when the request may proceed: safe methods always; state-changing ones when
 *   authenticated by API key, or otherwise (cookie, network position, proxy header, disabled)
 *   with an exactly matching Origin.
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
	/** Parsed `TRUSTED_PROXIES`; defaults to the environment's. */
	trustedProxies?: () => readonly Cidr[];
	/** `ALLOWED_HOSTS` and the host of `ORIGIN`; defaults to the environment's. */
	hostPolicy?: () => HostPolicy;
}

/** A change to the session cookie decided while authenticating. */
type CookieChange = { kind: 'set'; token: string; expiresAt: Date } | { kind: 'clear' } | null;

/** Why a request was refused while authenticating (not the same as "anonymous"). */
interface Refusal {
	status: number;
	code: string;
	message: string;
	reason: string;
}

interface Authentication {
	method: AuthMethod | null;
	cookie: CookieChange;
	refusal?: Refusal;
	/** Set when a valid API key is over its per-minute limit: the answer is a 429. */
	rateLimited?: Response;
}

interface AuthContext {
	db: Database;
	clock: Clock;
	security: SecuritySettings;
	client: ResolvedClient;
	hostAllowed: boolean;
}

/** 421 for a `Host` that is not ours: see `allowed-hosts.ts`. */
function hostRefusal(event: RequestEvent): Refusal {
	const name = hostNameOf(event.request.headers.get('host') ?? '');
	// 421 Misdirected Request (RFC 9110 §15.5.20): "directed at a server that is unable or
	// unwilling to produce an authoritative response for the target URI" — exactly a host name
	// this install was not configured for. 403 would read as "your credentials are wrong".
	return {
		status: 421,
		code: 'request.host_not_allowed',
		message:
			`Comradarr does not answer to ${name ? `the host name "${name}"` : 'this Host header'} here. ` +
			'Open it by IP address or as localhost, or add the name to ALLOWED_HOSTS (or set ORIGIN). ' +
			'This protects the set-up and login pages against DNS rebinding.',
		reason: 'host not allowed'
	};
}

/** True when the network position of the client counts as local (see the module comment). */
function isLocalClient(client: ResolvedClient): boolean {
	// A trusted proxy that did not say who its client is must not make everyone "local".
	if (client.peerTrusted && !client.forwarded) return false;
	return client.ip !== null && isLocalNetworkAddress(client.ip);
}

/**
 * Authenticates a request and fills `locals.user` / `locals.apiKey`. An `X-Api-Key` header, when
 * present, is the only credential considered (a bad key is not rescued by a cookie).
 */
async function authenticate(event: RequestEvent, context: AuthContext): Promise<Authentication> {
	const { db, clock, security, client } = context;
	const key = event.request.headers.get(API_KEY_HEADER);
	if (key !== null) {
		const principal = await verifyApiKey(db, key.trim(), { address: client.address }, clock);
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

	if (security.authMode === 'proxy_header') {
		const named = event.request.headers.get(security.proxyHeader);
		if (named !== null) return authenticateByProxyHeader(event, context, named);
	}

	let cookie: CookieChange = null;
	const token = event.cookies.get(SESSION_COOKIE);
	if (token) {
		const policy = { maxAgeDays: security.sessionMaxAgeDays };
		const session = await validateSessionToken(db, token, policy, clock);
		if (session) {
			event.locals.user = session.user;
			return {
				method: 'session',
				cookie: session.renewed ? { kind: 'set', token, expiresAt: session.expiresAt } : null
			};
		}
		cookie = { kind: 'clear' };
	}

	const mode = security.authMode;
	const bypass: AuthMethod | null =
		mode === 'disabled'
			? 'disabled'
			: mode === 'local_bypass' && isLocalClient(client)
				? 'localNetwork'
				: null;
	if (!bypass) return { method: null, cookie };
	// While no user exists there is nobody to act as: /setup first, in every mode.
	const admin = await findAdmin(db);
	if (!admin) return { method: null, cookie };
	if (!context.hostAllowed) return { method: null, cookie, refusal: hostRefusal(event) };
	event.locals.user = admin;
	return { method: bypass, cookie };
}

async function authenticateByProxyHeader(
	event: RequestEvent,
	context: AuthContext,
	named: string
): Promise<Authentication> {
	const header = context.security.proxyHeader;
	if (!context.client.peerTrusted) {
		return {
			method: null,
			cookie: null,
			refusal: {
				status: 403,
				code: 'auth.proxy_header_untrusted',
				message: `The ${header} header is accepted only from the reverse proxies in TRUSTED_PROXIES; this request came from elsewhere.`,
				reason: 'proxy header from an untrusted peer'
			}
		};
	}
	const user: AuthUser | null = await findUserByUsername(context.db, named.trim());
	if (!user) {
		// A fresh install behind an authenticating proxy must still reach /setup.
		if (!(await hasUsers(context.db))) return { method: null, cookie: null };
		return {
			method: null,
			cookie: null,
			refusal: {
				status: 403,
				code: 'auth.proxy_user_unknown',
				message: `The ${header} header names no Comradarr user. Create the user, or make the proxy send an existing username.`,
				reason: 'proxy header names no user'
			}
		};
	}
	if (!context.hostAllowed) return { method: null, cookie: null, refusal: hostRefusal(event) };
	event.locals.user = { id: user.id, username: user.username };
	return { method: 'proxyHeader', cookie: null };
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
	const options = { path: cookiePath(), httpOnly: true, sameSite: 'lax', secure } as const;
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
function redirectResponse(event: RequestEvent, appPath: string): Response {
	// The browser sees the app under BASE_URL: an absolute Location must carry it.
	const location = withBase(appPath);
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

/** A refusal as the caller understands it: `{error}` JSON for the API, plain text for pages. */
function refusalResponse(api: boolean, status: number, code: string, message: string): Response {
	if (api) return errorResponse(status, code, message);
	return new Response(message, {
		status,
		headers: { 'content-type': 'text/plain; charset=utf-8' }
	});
}

/**
 * Response headers every answer drops. SvelteKit repeats each preload of a page's `<head>` in a
 * `Link` header; on a page with many chunks it passes 4 KB, nginx's default `proxy_buffer_size`,
 * and nginx then answers 502 ("upstream sent too big header while reading response header").
 * The `<head>` carries every preload, so the header adds nothing.
 */
const DROPPED_HEADERS = ['link'] as const;

/**
 * Adds headers and drops `DROPPED_HEADERS`, copying the response first when its headers are
 * immutable (e.g. from fetch).
 */
function withHeaders(response: Response, headers: Record<string, string>): Response {
	const apply = (target: Response) => {
		for (const name of DROPPED_HEADERS) target.headers.delete(name);
		for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
		return target;
	};
	try {
		return apply(response);
	} catch {
		return apply(new Response(response.body, response));
	}
}

/**
 * Makes any error response of the API the standard JSON body. SvelteKit answers a wrong method
 * with plain text (405, with `Allow`) and some failures with HTML; handlers wrapped in `withApi`
 * already answer JSON and are left alone.
 */
async function jsonApiError(response: Response, method: string): Promise<Response> {
	if (response.status < 400) return response;
	if (/[/+]json\b/.test(response.headers.get('content-type') ?? '')) return response;
	await response.body?.cancel();
	const allow = response.headers.get('allow');
	const extra: Record<string, string> = allow ? { allow } : {};
	let replacement: Response;
	if (response.status === 405) {
		replacement = errorResponse(
			405,
			'api.method_not_allowed',
			`${method} is not allowed here${allow ? `; allowed: ${allow}` : ''}.`,
			undefined,
			extra
		);
	} else if (response.status === 404) {
		replacement = errorResponse(404, 'api.not_found', 'No such API endpoint.');
	} else {
		const message = response.status >= 500 ? 'Internal error' : 'The request was refused.';
		const code = response.status >= 500 ? 'internal' : `http.${response.status}`;
		replacement = errorResponse(response.status, code, message, undefined, extra);
	}
	for (const cookie of response.headers.getSetCookie()) {
		replacement.headers.append('set-cookie', cookie);
	}
	return replacement;
}

/**
 * Builds the `handle` hook: request id, path normalisation, authentication, the access rules
 * above, and security headers plus `X-Request-Id` on every response it returns.
 */
export function createGuardHandle(deps: GuardDeps): Handle {
	const clock = deps.clock ?? systemClock;
	const trustedProxies = deps.trustedProxies ?? (() => trustedProxiesFromEnv());
	const hostPolicy = deps.hostPolicy ?? (() => cachedHostPolicy());
	return ({ event, resolve }) => {
		const requestId = crypto.randomUUID();
		// Every line logged while this request is handled carries its id as `cid`, every API error
		// body as `requestId`.
		return withRequestId(requestId, () => handleRequest(event, resolve, requestId));
	};

	async function handleRequest(
		event: RequestEvent,
		resolve: Parameters<Handle>[0]['resolve'],
		requestId: string
	): Promise<Response> {
		event.locals.requestId = requestId;
		event.locals.user = null;
		event.locals.apiKey = null;
		event.locals.authMode = 'full';
		event.locals.authMethod = null;
		const https = event.url.protocol === 'https:';
		const headers: Record<string, string> = {
			...securityHeaders(https),
			'x-request-id': requestId
		};
		const normalised = normaliseRequestPath(event.url.pathname);
		const pathname = event.isRemoteRequest
			? REMOTE_FUNCTION_PATH
			: normalised.ok
				? normalised.path
				: lenientPath(event.url.pathname);
		// The webhook answers JSON to the *arr apps, like the API does.
		const api = isApiPath(pathname) || isWebhookPath(pathname) || pathname === METRICS_ROUTE_ID;
		// Anything dynamic must not be kept by a browser or a shared cache: signed-in pages, API
		// answers, and the login and error pages too.
		if (!isStaticAssetPath(pathname)) headers['cache-control'] = 'no-store';
		let response: Response;
		try {
			if (!normalised.ok) {
				log.debug({ cid: requestId, reason: normalised.reason }, 'request path refused');
				response = refusalResponse(
					api,
					400,
					'request.bad_path',
					`The request path is ambiguous (${normalised.reason}); send it without that encoding.`
				);
			} else {
				response = await guard(event, resolve, {
					pathname,
					api,
					getDb: deps.db,
					clock,
					https,
					trustedProxies: trustedProxies(),
					hostPolicy: hostPolicy()
				});
				if (api) response = await jsonApiError(response, event.request.method);
			}
		} catch (error) {
			log.error({ err: error, cid: requestId, path: event.url.pathname }, 'request guard failed');
			response = refusalResponse(api, 500, 'internal', 'Internal error');
		}
		return withHeaders(response, headers);
	}
}

interface GuardContext {
	/** The decoded policy path. */
	pathname: string;
	api: boolean;
	getDb: () => Database;
	clock: Clock;
	https: boolean;
	trustedProxies: readonly Cidr[];
	hostPolicy: HostPolicy;
}

async function guard(
	event: RequestEvent,
	resolve: Parameters<Handle>[0]['resolve'],
	context: GuardContext
): Promise<Response> {
	const { pathname, api, clock, https } = context;
	// No credential lookup for assets and /health: /health must answer with the database down.
	if (isStaticAssetPath(pathname) || pathname === '/health') return resolve(event);
	// Authenticated by the connector's webhook secret in its handler, and by nothing else.
	if (isWebhookPath(pathname) && event.route.id === WEBHOOK_ROUTE_ID) return resolve(event);
	const metrics = pathname === METRICS_ROUTE_ID && event.route.id === METRICS_ROUTE_ID;
	if (metrics && event.request.headers.has('authorization')) return resolve(event);
	const db = context.getDb();
	const { security } = await getSettings(db, clock().getTime());
	const authMode: AuthMode = security.authMode;
	event.locals.authMode = authMode;

	const hostAllowed = isAllowedHost(
		event.request.headers.get('host') ?? event.url.host,
		context.hostPolicy
	);
	const deny = (response: Response, reason: string, cookie: CookieChange = null): Response => {
		const serialized = serializeCookieChange(event.cookies, cookie, https);
		if (serialized) response.headers.append('set-cookie', serialized);
		log.debug(
			{ cid: event.locals.requestId, path: pathname, method: event.request.method, reason },
			'request denied'
		);
		return response;
	};
	if (HOST_CHECKED_PAGES.has(pathname) && !hostAllowed) {
		const refusal = hostRefusal(event);
		return deny(
			refusalResponse(api, refusal.status, refusal.code, refusal.message),
			refusal.reason
		);
	}

	const auth = await authenticate(event, {
		db,
		clock,
		security,
		client: requestClient(event, context.trustedProxies),
		hostAllowed
	});
	if (auth.rateLimited) return deny(auth.rateLimited, 'api key over its rate limit');
	if (auth.refusal) {
		const { status, code, message, reason } = auth.refusal;
		return deny(refusalResponse(api, status, code, message), reason, auth.cookie);
	}
	event.locals.authMethod = auth.method;
	applyCookieChange(event.cookies, auth.cookie, https);

	// Form actions SvelteKit itself cannot answer (`?/default`, Object.prototype names) get a 404
	// here; on guarded pages only once the caller is authenticated, so the route list stays hidden.
	if (isPublicPath(pathname)) return refuseUnknownFormAction(event) ?? resolve(event);

	if (!auth.method) {
		if (metrics) return resolve(event);
		if (api) {
			return deny(
				errorResponse(401, 'auth.required', 'Authentication required'),
				'unauthenticated',
				auth.cookie
			);
		}
		const location = (await hasUsers(db))
			? loginLocation(event.url, event.request.method)
			: '/setup';
		return deny(redirectResponse(event, location), 'unauthenticated', auth.cookie);
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
			'bad origin',
			auth.cookie
		);
	}
	// Only now, authenticated: an unknown API path says so (401 came first for everyone else).
	if (api && event.route.id === null) {
		return deny(
			errorResponse(404, 'api.not_found', 'No such API endpoint.'),
			'unknown API path',
			auth.cookie
		);
	}
	return refuseUnknownFormAction(event) ?? resolve(event);
}
