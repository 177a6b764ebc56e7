/**
 * The admin: the first user created (setup or ADMIN_USER). Comradarr has one admin today; the
 * authentication modes that let a request in without a login (local-network bypass, disabled)
 * act as this user.
 */
import { asc } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { users } from '$lib/server/db/schema';
import type { AuthUser } from './users';

/** The user with the lowest id, or null while no user exists (setup still to do). */
export async function findAdmin(db: DbOrTx): Promise<AuthUser | null> {
	const [row] = await db
		.select({ id: users.id, username: users.username })
		.from(users)
		.orderBy(asc(users.id))
		.limit(1);
	return row ?? null;
}
