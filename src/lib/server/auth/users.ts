/**
 * Users: the admin created at first start (setup page or ADMIN_USER/ADMIN_PASS) and lookups for
 * login. Comradarr has one admin today; the table allows more.
 */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx, Database } from '$lib/server/db';
import { users } from '$lib/server/db/schema';
import { hashPassword } from './password';

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
