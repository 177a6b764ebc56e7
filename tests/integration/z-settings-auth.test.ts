/**
 * The session, password and API-key rules behind Settings → Security and API keys, against the
 * real PostgreSQL: the absolute session lifetime, the last-seen throttle, logging other sessions
 * out, the password change, API-key scope, last use (time and address), the per-key rate limit
 * (429 with Retry-After through the request guard) and revocation. Time is a movable clock.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { apiKeys, sessions, users } from '../../src/lib/server/db/schema';
import type { Clock } from '$lib/server/auth/clock';
import {
	ApiKeyRateLimiter,
	RATE_LIMIT_WINDOW_MS,
	apiKeyRateLimiter,
	createApiKey,
	deleteApiKey,
	listApiKeys,
	verifyApiKey
} from '$lib/server/auth/api-keys';
import { login } from '$lib/server/auth/login';
import { verifyPassword } from '$lib/server/auth/password';
import {
	LAST_SEEN_RESOLUTION_MS,
	SESSION_COOKIE,
	createSession,
	invalidateOtherSessions,
	invalidateSessionById,
	listSessions,
	sessionIdFromToken,
	validateSessionToken
} from '$lib/server/auth/session';
import { changePassword, createUser } from '$lib/server/auth/users';
import { createGuardHandle } from '$lib/server/http/guard';
import {
	invalidateSettingsCache,
	updateSettings
} from '$lib/server/services/settings/settings-service';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CLIENT = {
	address: '192.0.2.10',
	userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0'
};

function testClock(start = '2026-11-20T12:00:00.000Z'): Clock & { advance(ms: number): void } {
	let now = new Date(start).getTime();
	const clock = (() => new Date(now)) as Clock & { advance(ms: number): void };
	clock.advance = (ms) => {
		now += ms;
	};
	return clock;
}

let db: Database;
let userId: number;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
	invalidateSettingsCache();
	apiKeyRateLimiter.reset();
	userId = (await createUser(db, { username: 'admin', password: 'old password' })).id;
});

async function sessionRow(token: string) {
	const [row] = await db
		.select()
		.from(sessions)
		.where(eq(sessions.id, sessionIdFromToken(token)));
	return row;
}

describe('absolute session lifetime', () => {
	it('ends a session maxAgeDays after login however active it is, and deletes it', async () => {
		const clock = testClock();
		const { token } = await createSession(db, userId, CLIENT, clock);
		const policy = { maxAgeDays: 2 };
		// Seen every 12 hours: the sliding 7 days never run out …
		for (let i = 0; i < 3; i++) {
			clock.advance(12 * 60 * MINUTE);
			expect(await validateSessionToken(db, token, policy, clock)).not.toBeNull();
		}
		clock.advance(12 * 60 * MINUTE - 1);
		expect(await validateSessionToken(db, token, policy, clock)).not.toBeNull();
		// … but 2 days after login it is over.
		clock.advance(1);
		expect(await validateSessionToken(db, token, policy, clock)).toBeNull();
		expect(await sessionRow(token)).toBeUndefined();
	});

	it('never renews the sliding expiry past the absolute end, so the cookie expires with it', async () => {
		const clock = testClock();
		const { token } = await createSession(db, userId, CLIENT, clock);
		const start = clock().getTime();
		clock.advance(4 * DAY);
		const renewed = await validateSessionToken(db, token, { maxAgeDays: 9 }, clock);
		expect(renewed?.renewed).toBe(true);
		expect(renewed?.expiresAt.getTime()).toBe(start + 9 * DAY);
		expect((await sessionRow(token))?.expiresAt.getTime()).toBe(start + 9 * DAY);
		// Nothing left to extend to: no renewal and no cookie re-sent.
		clock.advance(2 * DAY);
		const later = await validateSessionToken(db, token, { maxAgeDays: 9 }, clock);
		expect(later?.renewed).toBe(false);
	});

	it('is enforced by the request guard with the lifetime from Settings → Security', async () => {
		const clock = testClock();
		const { token } = await createSession(db, userId, CLIENT, clock);
		clock.advance(DAY + MINUTE);
		const handle = createGuardHandle({ db: () => db, clock });
		const request = async (): Promise<Response> =>
			handle({ event: pageEvent('/dashboard', { [SESSION_COOKIE]: token }), resolve: ok });
		// Under the default 30 days the day-old session is fine …
		expect((await request()).status).toBe(200);
		// … and once the lifetime is 1 day it is refused.
		await updateSettings(db, 'security', {
			authMode: 'full',
			proxyHeader: 'Remote-User',
			sessionMaxAgeDays: 1
		});
		const refused = await request();
		expect(refused.status).toBe(303);
		expect(refused.headers.get('location')).toContain('/login');
	});
});

describe('last seen', () => {
	it('records where a session was opened and writes last_seen_at at most once a minute', async () => {
		const clock = testClock();
		const { token } = await createSession(db, userId, CLIENT, clock);
		const created = clock().getTime();
		const policy = { maxAgeDays: 30 };
		expect(await sessionRow(token)).toMatchObject({
			address: '192.0.2.10',
			userAgent: CLIENT.userAgent
		});
		clock.advance(LAST_SEEN_RESOLUTION_MS - 1);
		await validateSessionToken(db, token, policy, clock);
		expect((await sessionRow(token))?.lastSeenAt.getTime()).toBe(created);
		clock.advance(1);
		await validateSessionToken(db, token, policy, clock);
		const seen = created + LAST_SEEN_RESOLUTION_MS;
		expect((await sessionRow(token))?.lastSeenAt.getTime()).toBe(seen);
		clock.advance(30_000);
		await validateSessionToken(db, token, policy, clock);
		expect((await sessionRow(token))?.lastSeenAt.getTime()).toBe(seen);
	});

	it('truncates a long User-Agent to the column and keeps an unknown address as null', async () => {
		const { token } = await createSession(db, userId, { address: '', userAgent: 'x'.repeat(999) });
		expect(await sessionRow(token)).toMatchObject({ address: null, userAgent: 'x'.repeat(256) });
	});
});

describe('logging sessions out', () => {
	it('logs one session out by its id, only the user’s own', async () => {
		const mine = await createSession(db, userId, CLIENT);
		const bob = (await createUser(db, { username: 'bob', password: 'password-b' })).id;
		const his = await createSession(db, bob, CLIENT);
		const hisId = sessionIdFromToken(his.token);
		expect(await invalidateSessionById(db, { userId, sessionId: hisId })).toBe(false);
		expect(await sessionRow(his.token)).toBeDefined();
		const myId = sessionIdFromToken(mine.token);
		expect(await invalidateSessionById(db, { userId, sessionId: myId })).toBe(true);
		expect(await sessionRow(mine.token)).toBeUndefined();
	});

	it('logs out everywhere else but keeps the current session', async () => {
		const current = await createSession(db, userId, CLIENT);
		await createSession(db, userId, { address: '198.51.100.7', userAgent: 'curl/8.5.0' });
		await createSession(db, userId, { address: '198.51.100.8', userAgent: null });
		const keep = sessionIdFromToken(current.token);
		expect(await invalidateOtherSessions(db, { userId, keepSessionId: keep })).toBe(2);
		expect((await listSessions(db, userId)).map((s) => s.id)).toEqual([keep]);
	});
});

describe('password change', () => {
	it('refuses a wrong current password on its field and changes nothing', async () => {
		const current = await createSession(db, userId, CLIENT);
		const other = await createSession(db, userId, CLIENT);
		const [before] = await db.select().from(users).where(eq(users.id, userId));
		await expect(
			changePassword(db, {
				userId,
				currentPassword: 'not it',
				newPassword: 'new password',
				keepSessionId: sessionIdFromToken(current.token)
			})
		).rejects.toMatchObject({
			code: 'auth.wrong_current_password',
			fields: { currentPassword: 'The current password is wrong.' }
		});
		const [after] = await db.select().from(users).where(eq(users.id, userId));
		expect(after?.passwordHash).toBe(before?.passwordHash);
		expect(await sessionRow(other.token)).toBeDefined();
	});

	it('stores an Argon2id hash of the new password and ends every other session of the user', async () => {
		const current = await createSession(db, userId, CLIENT);
		const other = await createSession(db, userId, CLIENT);
		const bob = (await createUser(db, { username: 'bob', password: 'password-b' })).id;
		const bobs = await createSession(db, bob, CLIENT);
		const result = await changePassword(db, {
			userId,
			currentPassword: 'old password',
			newPassword: 'new password',
			keepSessionId: sessionIdFromToken(current.token)
		});
		expect(result).toEqual({ endedSessions: 1 });
		const [row] = await db.select().from(users).where(eq(users.id, userId));
		expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
		expect(await verifyPassword(row?.passwordHash ?? '', 'new password')).toBe(true);
		expect(await sessionRow(current.token)).toBeDefined();
		expect(await sessionRow(other.token)).toBeUndefined();
		expect(await sessionRow(bobs.token)).toBeDefined();
		const address = '192.0.2.99';
		expect((await login(db, { username: 'admin', password: 'old password', address })).ok).toBe(
			false
		);
		expect((await login(db, { username: 'admin', password: 'new password', address })).ok).toBe(
			true
		);
	});
});

describe('API keys', () => {
	it('lists scope, rate limit, last use and address, never the key or its hash', async () => {
		const read = await createApiKey(db, { userId, name: 'widget', readOnly: true });
		const full = await createApiKey(db, {
			userId,
			name: 'script',
			readOnly: false,
			rateLimitPerMinute: 30
		});
		const clock = testClock();
		await verifyApiKey(db, full.key, { address: '198.51.100.20' }, clock);
		const list = await listApiKeys(db, userId);
		expect(list).toEqual([
			expect.objectContaining({
				id: full.id,
				scope: 'full',
				rateLimitPerMinute: 30,
				lastUsedAt: clock(),
				lastUsedAddress: '198.51.100.20'
			}),
			expect.objectContaining({
				id: read.id,
				scope: 'read',
				rateLimitPerMinute: 120,
				lastUsedAt: null,
				lastUsedAddress: null
			})
		]);
		const text = JSON.stringify(list);
		expect(text).not.toContain(full.key);
		expect(text).not.toContain('keyHash');
	});

	it('records a new address at once, even within the minute', async () => {
		const { id, key } = await createApiKey(db, { userId, name: 'script', readOnly: false });
		const clock = testClock();
		await verifyApiKey(db, key, { address: '198.51.100.1' }, clock);
		clock.advance(5_000);
		await verifyApiKey(db, key, { address: '198.51.100.2' }, clock);
		const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
		expect(row).toMatchObject({ lastUsedAddress: '198.51.100.2', lastUsedAt: clock() });
	});

	it('writes the last use at most once a minute from one address, also when the address is unknown', async () => {
		const { id, key } = await createApiKey(db, { userId, name: 'script', readOnly: false });
		const clock = testClock();
		const first = clock().getTime();
		for (const address of ['', '198.51.100.3']) {
			await verifyApiKey(db, key, { address }, clock);
			clock.advance(10_000);
			await verifyApiKey(db, key, { address }, clock);
			const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
			expect(row?.lastUsedAddress ?? null).toBe(address || null);
			expect(row?.lastUsedAt?.getTime()).toBe(address ? first + 10_000 : first);
		}
	});

	it('counts requests per key in fixed one-minute windows and says when to retry', () => {
		const limiter = new ApiKeyRateLimiter();
		const t0 = 1_000_000;
		expect(limiter.take(1, 2, t0)).toEqual({ allowed: true, remaining: 1 });
		expect(limiter.take(1, 2, t0 + 1)).toEqual({ allowed: true, remaining: 0 });
		expect(limiter.take(1, 2, t0 + 20_000)).toEqual({ allowed: false, retryAfterSeconds: 40 });
		// Another key has its own window.
		expect(limiter.take(2, 2, t0 + 20_000)).toMatchObject({ allowed: true });
		// Refused requests are not counted; the next window starts afresh.
		expect(limiter.take(1, 2, t0 + RATE_LIMIT_WINDOW_MS - 1)).toEqual({
			allowed: false,
			retryAfterSeconds: 1
		});
		expect(limiter.take(1, 2, t0 + RATE_LIMIT_WINDOW_MS)).toEqual({ allowed: true, remaining: 1 });
	});

	it('answers 429 auth.rate_limited with Retry-After once a key is over its limit, and records the address', async () => {
		const limited = await createApiKey(db, {
			userId,
			name: 'busy script',
			readOnly: true,
			rateLimitPerMinute: 3
		});
		const other = await createApiKey(db, { userId, name: 'other', readOnly: true });
		const clock = testClock();
		const handle = createGuardHandle({ db: () => db, clock });
		const call = (key: string) =>
			handle({ event: apiEvent('/api/v1/connectors', key), resolve: ok });
		for (let i = 0; i < 3; i++) expect((await call(limited.key)).status).toBe(200);
		const refused = await call(limited.key);
		expect(refused.status).toBe(429);
		expect(refused.headers.get('retry-after')).toBe('60');
		expect(await refused.json()).toEqual({
			error: {
				code: 'auth.rate_limited',
				message: 'This API key is limited to 3 requests per minute. Try again in 60 s.',
				requestId: refused.headers.get('x-request-id')
			}
		});
		expect((await call(other.key)).status).toBe(200);
		clock.advance(RATE_LIMIT_WINDOW_MS);
		expect((await call(limited.key)).status).toBe(200);

		// The guard passed the client address on.
		const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, limited.id));
		expect(row?.lastUsedAddress).toBe('203.0.113.5');
	});

	it('keeps a read-only key to GET and refuses a revoked key with 401', async () => {
		const read = await createApiKey(db, { userId, name: 'widget', readOnly: true });
		const handle = createGuardHandle({ db: () => db });
		const post = await handle({
			event: apiEvent('/api/v1/queue/dispatch', read.key, 'POST'),
			resolve: ok
		});
		expect(post.status).toBe(403);
		expect(await deleteApiKey(db, { id: read.id, userId })).toBe(true);
		const after = await handle({ event: apiEvent('/api/v1/connectors', read.key), resolve: ok });
		expect(after.status).toBe(401);
	});
});

// ---------------------------------------------------------------------------------------------

const ok = async (): Promise<Response> => new Response('ok', { status: 200 });

function cookieJar(values: Record<string, string>): Cookies {
	const jar = new Map(Object.entries(values));
	return {
		get: (name: string) => jar.get(name),
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string) => void jar.set(name, value),
		delete: (name: string) => void jar.delete(name),
		serialize: (name: string, value: string) => `${name}=${value}`
	} as unknown as Cookies;
}

function pageEvent(path: string, cookies: Record<string, string>): RequestEvent {
	const url = `http://comradarr.lan${path}`;
	return {
		url: new URL(url),
		request: new Request(url),
		cookies: cookieJar(cookies),
		locals: {},
		isDataRequest: false,
		// A route exists for the path (the guard answers unknown API paths with 404 itself).
		route: { id: path },
		getClientAddress: () => '203.0.113.5'
	} as unknown as RequestEvent;
}

function apiEvent(path: string, key: string, method = 'GET'): RequestEvent {
	const url = `http://comradarr.lan${path}`;
	return {
		url: new URL(url),
		request: new Request(url, { method, headers: { 'x-api-key': key } }),
		cookies: cookieJar({}),
		locals: {},
		isDataRequest: false,
		// A route exists for the path (the guard answers unknown API paths with 404 itself).
		route: { id: path },
		getClientAddress: () => '203.0.113.5'
	} as unknown as RequestEvent;
}
