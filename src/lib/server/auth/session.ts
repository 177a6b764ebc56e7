/**
 * Cookie sessions stored in PostgreSQL.
 *
 * The cookie `comradarr_session` holds a 32-byte random token (base64url); `sessions.id` is the hex
 * SHA-256 of it. Sessions last 7 days and slide: a session seen with less than half its lifetime
 * left is extended to a full 7 days from now. An expired session is deleted when it is seen.
 */
import type { Cookies } from '@sveltejs/kit';
import { eq, lt } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { sessions, users } from '$lib/server/db/schema';
import { systemClock, type Clock } from './clock';
import { randomToken, sha256Hex } from './tokens';
import type { AuthUser } from './users';

export const SESSION_COOKIE = 'comradarr_session';
/** Session lifetime in milliseconds (7 days). */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A session with less than this left (ms) is renewed when seen. */
export const SESSION_RENEW_BELOW_MS = SESSION_TTL_MS / 2;

export interface NewSession {
	/** The cookie value; shown to the browser once, never stored or logged. */
	token: string;
	expiresAt: Date;
}

export interface ValidSession {
	/** `sessions.id` (hex SHA-256 of the token). */
	id: string;
	user: AuthUser;
	expiresAt: Date;
	/** True when this validation extended `expiresAt`: the cookie must be sent again. */
	renewed: boolean;
}

/** Hex SHA-256 of a session token: the `sessions.id` it maps to. */
export function sessionIdFromToken(token: string): string {
	return sha256Hex(token);
}

/**
 * Starts a session for `userId`.
 * @returns the token for the cookie and the expiry (now + 7 days).
 */
export async function createSession(
	db: DbOrTx,
	userId: number,
	clock: Clock = systemClock
): Promise<NewSession> {
	const token = randomToken(32);
	const now = clock();
	const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
	await db
		.insert(sessions)
		.values({ id: sessionIdFromToken(token), userId, expiresAt, createdAt: now });
	return { token, expiresAt };
}

/**
 * Resolves a cookie token to its session and user. Deletes the session when it has expired and
 * extends it (sliding renewal) when less than half of its lifetime is left.
 * @returns null for an unknown, malformed or expired token.
 */
export async function validateSessionToken(
	db: DbOrTx,
	token: string,
	clock: Clock = systemClock
): Promise<ValidSession | null> {
	// 32 bytes in base64url are 43 characters; anything else cannot be ours.
	if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
	const id = sessionIdFromToken(token);
	const [row] = await db
		.select({
			id: sessions.id,
			expiresAt: sessions.expiresAt,
			userId: users.id,
			username: users.username
		})
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, id))
		.limit(1);
	if (!row) return null;
	const now = clock().getTime();
	if (row.expiresAt.getTime() <= now) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	const user = { id: row.userId, username: row.username };
	if (row.expiresAt.getTime() - now < SESSION_RENEW_BELOW_MS) {
		const expiresAt = new Date(now + SESSION_TTL_MS);
		await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
		return { id, user, expiresAt, renewed: true };
	}
	return { id, user, expiresAt: row.expiresAt, renewed: false };
}

/** Ends the session a cookie token belongs to (logout). Unknown tokens are ignored. */
export async function invalidateSession(db: DbOrTx, token: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionIdFromToken(token)));
}

/** Ends every session of a user (e.g. after a password change). */
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
 * Sets the session cookie: httpOnly, SameSite=Lax, path `/`, `Secure` only when the request came
 * over https (a homelab served over plain http on a LAN address would otherwise never log in).
 */
export function setSessionCookie(
	cookies: Cookies,
	session: { token: string; expiresAt: Date },
	secure: boolean
): void {
	cookies.set(SESSION_COOKIE, session.token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: session.expiresAt
	});
}

/** Removes the session cookie (logout, or a cookie whose session is gone). */
export function clearSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
