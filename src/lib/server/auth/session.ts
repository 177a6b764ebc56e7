/**
 * Cookie sessions stored in PostgreSQL.
 *
 * The cookie `comradarr_session` holds a 32-byte random token (base64url); `sessions.id` is the hex
 * SHA-256 of it. A session ends at the first of:
 * - 7 days without being seen (sliding: a session seen with less than half of that left is
 *   extended to 7 days from now);
 * - its absolute lifetime, `createdAt` + Settings → Security → "session lifetime" days, however
 *   active it is (the sliding expiry never reaches past it);
 * - logout, a password change (every other session of the user), or "log out" in the session list.
 * An expired session is deleted when it is seen. `last_seen_at` is written at most once a minute,
 * so browsing does not turn every page view into a write.
 */
import { cookiePath } from '$lib/server/http/base-path';
import type { Cookies } from '@sveltejs/kit';
import { and, desc, eq, lt, lte, ne } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { sessions, users } from '$lib/server/db/schema';
import { systemClock, type Clock } from './clock';
import { randomToken, sha256Hex } from './tokens';
import type { AuthUser } from './users';

export const SESSION_COOKIE = 'comradarr_session';
/** Sliding session lifetime in milliseconds (7 days). */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A session with less than this left (ms) is renewed when seen. */
export const SESSION_RENEW_BELOW_MS = SESSION_TTL_MS / 2;
/** Minimum time between two `last_seen_at` writes for one session (ms). */
export const LAST_SEEN_RESOLUTION_MS = 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** `sessions.address` and `sessions.user_agent` are varchar(64) and varchar(256). */
const ADDRESS_MAX = 64;
const USER_AGENT_MAX = 256;

export interface NewSession {
	/** The cookie value; shown to the browser once, never stored or logged. */
	token: string;
	expiresAt: Date;
}

/** Where a session was opened from, for the session list. */
export interface SessionClient {
	/** Client address (`requestClientAddress`); null when unknown. */
	address: string | null;
	/** The browser's `User-Agent` header; null when absent. Truncated to 256 characters. */
	userAgent: string | null;
}

/** The rules a session is validated under (from Settings → Security). */
export interface SessionPolicy {
	/** Absolute lifetime in days from login (1–365). */
	maxAgeDays: number;
}

export interface ValidSession {
	/** `sessions.id` (hex SHA-256 of the token). */
	id: string;
	user: AuthUser;
	expiresAt: Date;
	/** True when this validation extended `expiresAt`: the cookie must be sent again. */
	renewed: boolean;
}

/** A session as the session list shows it (never the token). */
export interface SessionSummary {
	/** `sessions.id`: the SHA-256 of the token, which cannot be turned back into a cookie. */
	id: string;
	createdAt: Date;
	lastSeenAt: Date;
	expiresAt: Date;
	address: string | null;
	userAgent: string | null;
}

/** Hex SHA-256 of a session token: the `sessions.id` it maps to. */
export function sessionIdFromToken(token: string): string {
	return sha256Hex(token);
}

/** The end of a session's absolute lifetime. */
function absoluteEnd(createdAt: Date, policy: SessionPolicy): number {
	return createdAt.getTime() + policy.maxAgeDays * DAY_MS;
}

/**
 * Starts a session for `userId`, recording where it was opened from.
 * @returns the token for the cookie and the expiry (now + 7 days).
 */
export async function createSession(
	db: DbOrTx,
	userId: number,
	client: SessionClient,
	clock: Clock = systemClock
): Promise<NewSession> {
	const token = randomToken(32);
	const now = clock();
	const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
	await db.insert(sessions).values({
		id: sessionIdFromToken(token),
		userId,
		expiresAt,
		createdAt: now,
		lastSeenAt: now,
		address: client.address?.slice(0, ADDRESS_MAX) || null,
		userAgent: client.userAgent?.slice(0, USER_AGENT_MAX) || null
	});
	return { token, expiresAt };
}

/**
 * Resolves a cookie token to its session and user. Deletes the session when it has expired
 * (sliding expiry or absolute lifetime under `policy`), extends it (sliding renewal, never past
 * the absolute end) when less than half of its 7 days are left, and records the visit in
 * `last_seen_at` when the last record is a minute old or more.
 * @returns null for an unknown, malformed or expired token.
 */
export async function validateSessionToken(
	db: DbOrTx,
	token: string,
	policy: SessionPolicy,
	clock: Clock = systemClock
): Promise<ValidSession | null> {
	// 32 bytes in base64url are 43 characters; anything else cannot be ours.
	if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
	const id = sessionIdFromToken(token);
	const [row] = await db
		.select({
			id: sessions.id,
			expiresAt: sessions.expiresAt,
			createdAt: sessions.createdAt,
			lastSeenAt: sessions.lastSeenAt,
			userId: users.id,
			username: users.username
		})
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, id))
		.limit(1);
	if (!row) return null;
	const now = clock();
	const nowMs = now.getTime();
	const end = absoluteEnd(row.createdAt, policy);
	if (row.expiresAt.getTime() <= nowMs || end <= nowMs) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	const user = { id: row.userId, username: row.username };
	// Near the absolute end there is nothing left to extend to: no renewal (and no write) then.
	const renewTo = Math.min(nowMs + SESSION_TTL_MS, end);
	const renew =
		row.expiresAt.getTime() - nowMs < SESSION_RENEW_BELOW_MS && renewTo > row.expiresAt.getTime();
	const staleBefore = new Date(nowMs - LAST_SEEN_RESOLUTION_MS);
	const seen = row.lastSeenAt.getTime() <= staleBefore.getTime();
	if (renew) {
		const expiresAt = new Date(renewTo);
		await db.update(sessions).set({ expiresAt, lastSeenAt: now }).where(eq(sessions.id, id));
		return { id, user, expiresAt, renewed: true };
	}
	if (seen) {
		// The WHERE repeats the staleness test so concurrent requests of one page write once.
		await db
			.update(sessions)
			.set({ lastSeenAt: now })
			.where(and(eq(sessions.id, id), lte(sessions.lastSeenAt, staleBefore)));
	}
	return { id, user, expiresAt: row.expiresAt, renewed: false };
}

/** The sessions of one user, most recently seen first (Settings → Security). */
export async function listSessions(db: DbOrTx, userId: number): Promise<SessionSummary[]> {
	return db
		.select({
			id: sessions.id,
			createdAt: sessions.createdAt,
			lastSeenAt: sessions.lastSeenAt,
			expiresAt: sessions.expiresAt,
			address: sessions.address,
			userAgent: sessions.userAgent
		})
		.from(sessions)
		.where(eq(sessions.userId, userId))
		.orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
}

/**
 * Ends one of `userId`'s sessions by its id ("log out this session" in the list).
 * @returns false when no such session belongs to the user.
 */
export async function invalidateSessionById(
	db: DbOrTx,
	input: { userId: number; sessionId: string }
): Promise<boolean> {
	const deleted = await db
		.delete(sessions)
		.where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)))
		.returning({ id: sessions.id });
	return deleted.length > 0;
}

/**
 * Ends every session of `userId` except `keepSessionId` ("log out everywhere else", and after a
 * password change).
 * @returns how many sessions were ended.
 */
export async function invalidateOtherSessions(
	db: DbOrTx,
	input: { userId: number; keepSessionId: string }
): Promise<number> {
	const deleted = await db
		.delete(sessions)
		.where(and(eq(sessions.userId, input.userId), ne(sessions.id, input.keepSessionId)))
		.returning({ id: sessions.id });
	return deleted.length;
}

/** Ends the session a cookie token belongs to (logout). Unknown tokens are ignored. */
export async function invalidateSession(db: DbOrTx, token: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionIdFromToken(token)));
}

/** Ends every session of a user, the current one included. */
export async function invalidateUserSessions(db: DbOrTx, userId: number): Promise<void> {
	await db.delete(sessions).where(eq(sessions.userId, userId));
}

/**
 * Deletes sessions that expired before now (maintenance job).
 * @returns how many rows were deleted.
 */
export async function deleteExpiredSessions(
	db: DbOrTx,
	clock: Clock = systemClock
): Promise<number> {
	const deleted = await db
		.delete(sessions)
		.where(lt(sessions.expiresAt, clock()))
		.returning({ id: sessions.id });
	return deleted.length;
}

/**
 * Sets the session cookie: httpOnly, SameSite=Lax, path `BASE_URL` or `/`, `Secure` only when the request came
 * over https (a homelab served over plain http on a LAN address would otherwise never log in).
 */
export function setSessionCookie(
	cookies: Cookies,
	session: { token: string; expiresAt: Date },
	secure: boolean
): void {
	cookies.set(SESSION_COOKIE, session.token, {
		path: cookiePath(),
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: session.expiresAt
	});
}

/** Removes the session cookie (logout, or a cookie whose session is gone). */
export function clearSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(SESSION_COOKIE, { path: cookiePath(), httpOnly: true, sameSite: 'lax', secure });
}
