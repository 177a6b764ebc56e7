/**
 * Auth services against a real PostgreSQL: users, sessions, login throttling, API keys and the
 * admin bootstrap. Time is injected with a movable clock.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testDb, resetDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { apiKeys, loginAttempts, sessions, users } from '../../src/lib/server/db/schema';
import { readConfig } from '../../src/lib/server/config';
import type { Runtime } from '../../src/lib/server/runtime';
import type { Clock } from '$lib/server/auth/clock';
import { hashPassword, verifyPassword } from '$lib/server/auth/password';
import { createFirstUser, createUser, findUserByUsername, hasUsers } from '$lib/server/auth/users';
import {
	SESSION_TTL_MS,
	createSession,
	deleteExpiredSessions,
	invalidateSession,
	sessionIdFromToken,
	validateSessionToken
} from '$lib/server/auth/session';
import { LOCKOUT_MS, getLoginLock, lockoutMessage } from '$lib/server/auth/rate-limit';
import { login, usernameFingerprint } from '$lib/server/auth/login';
import { createApiKey, deleteApiKey, listApiKeys, verifyApiKey } from '$lib/server/auth/api-keys';
import { bootstrapAdmin } from '$lib/server/auth/bootstrap';
import { sha256Hex } from '$lib/server/auth/tokens';

const MINUTE = 60_000;
/** Where the test sessions and API-key uses come from. */
const CLIENT = { address: '192.0.2.10', userAgent: 'vitest' };
const USE = { address: '192.0.2.10' };
/** The default absolute session lifetime (Settings → Security). */
const POLICY = { maxAgeDays: 30 };
const DAY = 24 * 60 * MINUTE;

/** A clock tests move by hand. */
function testClock(start = '2026-11-20T12:00:00.000Z'): Clock & { advance(ms: number): void } {
	let now = new Date(start).getTime();
	const clock = (() => new Date(now)) as Clock & { advance(ms: number): void };
	clock.advance = (ms) => {
		now += ms;
	};
	return clock;
}

let db: Database;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
});

describe('passwords', () => {
	it('hashes with Argon2id and verifies only the right password', async () => {
		const hash = await hashPassword('correct horse battery');
		expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
		expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
	});

	it('treats a malformed stored hash as a failed verification, not a crash', async () => {
		expect(await verifyPassword('not-a-phc-string', 'anything')).toBe(false);
	});
});

describe('users', () => {
	it('stores a hash, never the password', async () => {
		expect(await hasUsers(db)).toBe(false);
		const user = await createUser(db, { username: 'admin', password: 'secret-password' });
		expect(await hasUsers(db)).toBe(true);
		const [row] = await db.select().from(users).where(eq(users.id, user.id));
		expect(row?.passwordHash).not.toContain('secret-password');
		expect((await findUserByUsername(db, 'admin'))?.id).toBe(user.id);
		expect(await findUserByUsername(db, 'nobody')).toBeNull();
	});

	it('creates the first user only once, even when two setups race', async () => {
		const results = await Promise.all([
			createFirstUser(db, { username: 'alice', password: 'password-a' }),
			createFirstUser(db, { username: 'bob', password: 'password-b' })
		]);
		expect(results.filter((r) => r !== null)).toHaveLength(1);
		expect(await db.select().from(users)).toHaveLength(1);
		expect(await createFirstUser(db, { username: 'carol', password: 'password-c' })).toBeNull();
	});
});

describe('sessions', () => {
	it('stores the SHA-256 of the token and resolves the token to its user', async () => {
		const clock = testClock();
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const session = await createSession(db, user.id, CLIENT, clock);
		expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(session.expiresAt.getTime() - clock().getTime()).toBe(SESSION_TTL_MS);
		const [row] = await db.select().from(sessions);
		expect(row?.id).toBe(sha256Hex(session.token));
		expect(row?.id).not.toBe(session.token);

		const valid = await validateSessionToken(db, session.token, POLICY, clock);
		expect(valid).toMatchObject({ user: { id: user.id, username: 'admin' }, renewed: false });
	});

	it('rejects unknown and malformed tokens', async () => {
		expect(await validateSessionToken(db, 'A'.repeat(43), POLICY)).toBeNull();
		expect(await validateSessionToken(db, 'short', POLICY)).toBeNull();
		expect(await validateSessionToken(db, `${'A'.repeat(42)};`, POLICY)).toBeNull();
	});

	it('deletes an expired session when it is seen', async () => {
		const clock = testClock();
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const session = await createSession(db, user.id, CLIENT, clock);
		clock.advance(SESSION_TTL_MS);
		expect(await validateSessionToken(db, session.token, POLICY, clock)).toBeNull();
		expect(await db.select().from(sessions)).toHaveLength(0);
	});

	it('renews a session with less than half its lifetime left, and not before', async () => {
		const clock = testClock();
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const session = await createSession(db, user.id, CLIENT, clock);

		clock.advance(3 * DAY);
		const early = await validateSessionToken(db, session.token, POLICY, clock);
		expect(early?.renewed).toBe(false);
		expect(early?.expiresAt.getTime()).toBe(session.expiresAt.getTime());

		clock.advance(DAY);
		const late = await validateSessionToken(db, session.token, POLICY, clock);
		expect(late?.renewed).toBe(true);
		expect(late?.expiresAt.getTime()).toBe(clock().getTime() + SESSION_TTL_MS);
		const [row] = await db
			.select()
			.from(sessions)
			.where(eq(sessions.id, sessionIdFromToken(session.token)));
		expect(row?.expiresAt.getTime()).toBe(clock().getTime() + SESSION_TTL_MS);

		// A session kept in use never expires.
		clock.advance(6 * DAY);
		expect(await validateSessionToken(db, session.token, POLICY, clock)).not.toBeNull();
	});

	it('ends a session on logout and prunes expired ones in bulk', async () => {
		const clock = testClock();
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const a = await createSession(db, user.id, CLIENT, clock);
		await invalidateSession(db, a.token);
		expect(await validateSessionToken(db, a.token, POLICY, clock)).toBeNull();

		await createSession(db, user.id, CLIENT, clock);
		clock.advance(SESSION_TTL_MS + 1);
		await createSession(db, user.id, CLIENT, clock);
		expect(await deleteExpiredSessions(db, clock)).toBe(1);
		expect(await db.select().from(sessions)).toHaveLength(1);
	});
});

describe('login', () => {
	const address = '198.51.100.7';

	it('logs in with the right password, records the attempt and opens a session', async () => {
		const user = await createUser(db, { username: 'admin', password: 'right-password' });
		const result = await login(db, { username: 'admin', password: 'right-password', address });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.user).toEqual({ id: user.id, username: 'admin' });
		expect((await validateSessionToken(db, result.session.token, POLICY))?.user.id).toBe(user.id);
		const attempts = await db.select().from(loginAttempts);
		expect(attempts).toMatchObject([{ username: 'admin', address, success: true }]);
	});

	it('fingerprints an unknown username for the log without keeping its text', () => {
		const fingerprint = usernameFingerprint('Correct-Horse-Typed-As-Username ');
		expect(fingerprint).toMatch(/^[0-9a-f]{12}$/);
		expect(usernameFingerprint('correct-horse-typed-as-username')).toBe(fingerprint);
		expect(usernameFingerprint('another name')).not.toBe(fingerprint);
		// Keyed: not the plain SHA-256 a log reader could brute-force offline.
		expect(sha256Hex('correct-horse-typed-as-username').slice(0, 12)).not.toBe(fingerprint);
	});

	it('gives the same answer for an unknown user and a wrong password', async () => {
		await createUser(db, { username: 'admin', password: 'right-password' });
		const wrong = await login(db, { username: 'admin', password: 'wrong', address });
		const unknown = await login(db, { username: 'ghost', password: 'wrong', address });
		// The same refusal; only the log learns which it was (`knownUser`).
		expect(wrong).toEqual({ ok: false, reason: 'invalid', knownUser: true });
		expect(unknown).toEqual({ ok: false, reason: 'invalid', knownUser: false });
		expect(
			await db.select().from(loginAttempts).where(eq(loginAttempts.success, false))
		).toHaveLength(2);
	});

	it('locks a username from one address for 15 minutes after 5 failures, even with the right password', async () => {
		const clock = testClock();
		await createUser(db, { username: 'admin', password: 'right-password' });
		for (let i = 0; i < 5; i++) {
			expect(
				await login(db, { username: 'admin', password: `guess-${i}`, address }, clock)
			).toEqual({
				ok: false,
				reason: 'invalid',
				knownUser: true
			});
			clock.advance(MINUTE);
		}
		const fifthFailureAt = clock().getTime() - MINUTE;

		const locked = await login(
			db,
			{ username: 'admin', password: 'right-password', address },
			clock
		);
		expect(locked).toEqual({
			ok: false,
			reason: 'locked',
			lockedUntil: new Date(fifthFailureAt + LOCKOUT_MS)
		});
		if (locked.ok || locked.reason !== 'locked') return;
		expect(lockoutMessage(locked.lockedUntil, clock())).toBe(
			'Too many failed attempts. Try again in 14 minutes.'
		);
		// Refused tries are not recorded, so they cannot extend the lock.
		expect(await db.select().from(loginAttempts)).toHaveLength(5);

		// Case does not dodge the lock; another address is not affected.
		expect(await login(db, { username: 'ADMIN', password: 'x', address }, clock)).toMatchObject({
			reason: 'locked'
		});
		expect(
			(
				await login(
					db,
					{ username: 'admin', password: 'right-password', address: '203.0.113.1' },
					clock
				)
			).ok
		).toBe(true);

		clock.advance(LOCKOUT_MS - 2 * MINUTE);
		expect(await getLoginLock(db, { username: 'admin', address }, clock)).not.toBeNull();
		clock.advance(MINUTE);
		expect(await getLoginLock(db, { username: 'admin', address }, clock)).toBeNull();
		expect(
			(await login(db, { username: 'admin', password: 'right-password', address }, clock)).ok
		).toBe(true);
	});

	it('lets at most 5 of 50 simultaneous wrong passwords reach the password check', async () => {
		await createUser(db, { username: 'admin', password: 'right-password' });
		const results = await Promise.all(
			Array.from({ length: 50 }, (_, i) =>
				login(db, { username: 'admin', password: `guess-${i}`, address })
			)
		);
		const checked = results.filter((r) => !r.ok && r.reason === 'invalid');
		const locked = results.filter((r) => !r.ok && r.reason === 'locked');
		expect(checked).toHaveLength(5);
		expect(locked).toHaveLength(45);
		expect(await db.select().from(loginAttempts)).toHaveLength(5);
		// The pair is locked now, and another address is not.
		expect(await getLoginLock(db, { username: 'admin', address })).not.toBeNull();
		expect(
			(await login(db, { username: 'admin', password: 'right-password', address: '203.0.113.1' }))
				.ok
		).toBe(true);
	});

	it('still lets the right password through in a burst that has room left', async () => {
		await createUser(db, { username: 'admin', password: 'right-password' });
		const results = await Promise.all([
			login(db, { username: 'admin', password: 'wrong-1', address }),
			login(db, { username: 'admin', password: 'right-password', address }),
			login(db, { username: 'admin', password: 'wrong-2', address })
		]);
		expect(results.map((r) => r.ok)).toEqual([false, true, false]);
		const attempts = await db.select().from(loginAttempts);
		expect(attempts.filter((a) => a.success)).toHaveLength(1);
		expect(attempts).toHaveLength(3);
	});

	it('does not lock when the 5 failures are spread over more than 15 minutes', async () => {
		const clock = testClock();
		await createUser(db, { username: 'admin', password: 'right-password' });
		for (let i = 0; i < 5; i++) {
			await login(db, { username: 'admin', password: 'wrong', address }, clock);
			clock.advance(4 * MINUTE);
		}
		expect(await getLoginLock(db, { username: 'admin', address }, clock)).toBeNull();
	});

	it('starts counting again after a successful login', async () => {
		const clock = testClock();
		await createUser(db, { username: 'admin', password: 'right-password' });
		for (let i = 0; i < 4; i++) {
			await login(db, { username: 'admin', password: 'wrong', address }, clock);
		}
		clock.advance(1000);
		expect(
			(await login(db, { username: 'admin', password: 'right-password', address }, clock)).ok
		).toBe(true);
		clock.advance(1000);
		await login(db, { username: 'admin', password: 'wrong', address }, clock);
		expect(await getLoginLock(db, { username: 'admin', address }, clock)).toBeNull();
	});

	it('phrases the lockout in whole minutes, rounding up', () => {
		const now = new Date('2026-11-20T12:00:00Z');
		expect(lockoutMessage(new Date(now.getTime() + 15 * MINUTE), now)).toBe(
			'Too many failed attempts. Try again in 15 minutes.'
		);
		expect(lockoutMessage(new Date(now.getTime() + 10_000), now)).toBe(
			'Too many failed attempts. Try again in 1 minute.'
		);
	});
});

describe('API keys', () => {
	it('shows the key once and stores only its hash and prefix', async () => {
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const { id, key } = await createApiKey(db, {
			userId: user.id,
			name: 'Home Assistant',
			readOnly: true
		});
		expect(key).toMatch(/^cmdr_[A-Za-z0-9_-]{43}$/);
		const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
		expect(row).toMatchObject({
			keyHash: sha256Hex(key),
			prefix: key.slice(0, 8),
			readOnly: true,
			lastUsedAt: null
		});
		expect(JSON.stringify(await listApiKeys(db, user.id))).not.toContain(key);
	});

	it('verifies a key to its owner and read-only flag, and rejects anything else', async () => {
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const full = await createApiKey(db, { userId: user.id, name: 'script', readOnly: false });
		const read = await createApiKey(db, { userId: user.id, name: 'dashboard', readOnly: true });
		expect(await verifyApiKey(db, full.key, USE)).toEqual({
			id: full.id,
			readOnly: false,
			rateLimitPerMinute: 120,
			user: { id: user.id, username: 'admin' }
		});
		expect((await verifyApiKey(db, read.key, USE))?.readOnly).toBe(true);
		expect(await verifyApiKey(db, `${full.key}x`, USE)).toBeNull();
		expect(await verifyApiKey(db, 'cmdr_nope', USE)).toBeNull();
		expect(await verifyApiKey(db, full.key.slice(5), USE)).toBeNull();

		expect(await deleteApiKey(db, { id: full.id, userId: user.id })).toBe(true);
		expect(await verifyApiKey(db, full.key, USE)).toBeNull();
	});

	it('writes last_used_at at most once a minute', async () => {
		const clock = testClock();
		const user = await createUser(db, { username: 'admin', password: 'password1' });
		const { id, key } = await createApiKey(db, {
			userId: user.id,
			name: 'script',
			readOnly: false
		});
		const lastUsed = async () =>
			(await db.select().from(apiKeys).where(eq(apiKeys.id, id)))[0]?.lastUsedAt;

		await verifyApiKey(db, key, USE, clock);
		const first = clock().getTime();
		expect((await lastUsed())?.getTime()).toBe(first);
		clock.advance(59_000);
		await verifyApiKey(db, key, USE, clock);
		expect((await lastUsed())?.getTime()).toBe(first);
		clock.advance(1_000);
		await verifyApiKey(db, key, USE, clock);
		expect((await lastUsed())?.getTime()).toBe(first + 60_000);
	});
});

describe('bootstrapAdmin', () => {
	const runtimeWith = (env: Record<string, string>): Runtime =>
		({ config: readConfig(env), db }) as unknown as Runtime;

	it('creates the admin from ADMIN_USER and ADMIN_PASS when no user exists', async () => {
		await bootstrapAdmin(runtimeWith({ ADMIN_USER: 'admin', ADMIN_PASS: 'long-enough' }));
		const user = await findUserByUsername(db, 'admin');
		expect(user).not.toBeNull();
		expect(await verifyPassword(user?.passwordHash ?? '', 'long-enough')).toBe(true);
	});

	it('leaves existing users alone', async () => {
		await createUser(db, { username: 'owner', password: 'password1' });
		await bootstrapAdmin(runtimeWith({ ADMIN_USER: 'admin', ADMIN_PASS: 'long-enough' }));
		expect((await db.select().from(users)).map((u) => u.username)).toEqual(['owner']);
	});

	it('skips an incomplete or invalid pair so /setup stays available', async () => {
		await bootstrapAdmin(runtimeWith({ ADMIN_USER: 'admin' }));
		await bootstrapAdmin(runtimeWith({ ADMIN_USER: 'admin', ADMIN_PASS: 'short' }));
		await bootstrapAdmin(runtimeWith({ ADMIN_USER: 'bad name', ADMIN_PASS: 'long-enough' }));
		await bootstrapAdmin(runtimeWith({}));
		expect(await hasUsers(db)).toBe(false);
	});
});
