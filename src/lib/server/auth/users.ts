/**
 * Users: the admin created at first start (setup page or ADMIN_USER/ADMIN_PASS) and lookups for
 * login. Comradarr has one admin today; the table allows more.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Database } from '$lib/server/db';
import { sessions, users } from '$lib/server/db/schema';
import { DomainError } from '$lib/server/errors';
import { hashPassword, verifyPassword } from './password';

/** The signed-in user as routes see it (`locals.user`). */
export interface AuthUser {
	id: number;
	username: string;
}

/** A user row with its password hash, for verification only; never send it to a page. */
export interface UserWithHash extends AuthUser {
	passwordHash: string;
}

/** True once any user exists (setup is then closed). One indexed probe, no count. */
export async function hasUsers(db: DbOrTx): Promise<boolean> {
	const rows = await db.select({ id: users.id }).from(users).limit(1);
	return rows.length > 0;
}

/** Finds a user by exact username, with the hash for verification; null when unknown. */
export async function findUserByUsername(
	db: DbOrTx,
	username: string
): Promise<UserWithHash | null> {
	const [row] = await db
		.select({ id: users.id, username: users.username, passwordHash: users.passwordHash })
		.from(users)
		.where(eq(users.username, username))
		.limit(1);
	return row ?? null;
}

/**
 * Creates a user with an Argon2id hash of `password`. Inputs must already be validated
 * (username ≤ 64 chars; see `setupSchema`).
 * @throws the driver's unique-violation error when the username is taken.
 */
export async function createUser(
	db: DbOrTx,
	input: { username: string; password: string }
): Promise<AuthUser> {
	const passwordHash = await hashPassword(input.password);
	const [row] = await db
		.insert(users)
		.values({ username: input.username, passwordHash })
		.returning({ id: users.id, username: users.username });
	if (!row) throw new Error('insert into users returned no row');
	return row;
}

/**
 * Creates the first user, atomically: two setup submissions (or two replicas bootstrapping from
 * ADMIN_USER at once) cannot both succeed, because the check and the insert run under a
 * transaction-level advisory lock.
 * @returns the new user, or null when a user already exists (nothing is written).
 */
export async function createFirstUser(
	db: Database,
	input: { username: string; password: string }
): Promise<AuthUser | null> {
	// Hash outside the transaction: ~80 ms of CPU need not hold the lock.
	const passwordHash = await hashPassword(input.password);
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext('comradarr.first_user'))`);
		if (await hasUsers(tx)) return null;
		const [row] = await tx
			.insert(users)
			.values({ username: input.username, passwordHash })
			.returning({ id: users.id, username: users.username });
		return row ?? null;
	});
}

/** The refusal of a password change whose current password is wrong (field `currentPassword`). */
export const WRONG_CURRENT_PASSWORD = 'auth.wrong_current_password';

/**
 * Changes `userId`'s password (Argon2id) after checking the current one, and ends every other
 * session of the user, so a stolen session or a browser left logged in elsewhere is cut off. The
 * session `keepSessionId` (the one making the change) stays. The check, the update and the logouts are
 * one transaction under a row lock: a password is never changed with the old sessions left open.
 * Inputs must already be validated (`changePasswordSchema`).
 * @returns how many other sessions were ended.
 * @throws DomainError `auth.wrong_current_password` (field `currentPassword`) when the current
 *   password does not match; `auth.user_not_found` (404) when the user is gone.
 */
export async function changePassword(
	db: Database,
	input: { userId: number; currentPassword: string; newPassword: string; keepSessionId: string }
): Promise<{ endedSessions: number }> {
	return db.transaction(async (tx) => {
		// The row lock serialises two changes at once: the second checks against the new hash.
		const [row] = await tx
			.select({ passwordHash: users.passwordHash })
			.from(users)
			.where(eq(users.id, input.userId))
			.for('update')
			.limit(1);
		if (!row) {
			throw new DomainError('auth.user_not_found', 'This account no longer exists.', {
				status: 404
			});
		}
		if (!(await verifyPassword(row.passwordHash, input.currentPassword))) {
			throw new DomainError(WRONG_CURRENT_PASSWORD, 'The current password is wrong.', {
				fields: { currentPassword: 'The current password is wrong.' }
			});
		}
		const passwordHash = await hashPassword(input.newPassword);
		await tx.update(users).set({ passwordHash }).where(eq(users.id, input.userId));
		const ended = await tx
			.delete(sessions)
			.where(and(eq(sessions.userId, input.userId), ne(sessions.id, input.keepSessionId)))
			.returning({ id: sessions.id });
		return { endedSessions: ended.length };
	});
}
