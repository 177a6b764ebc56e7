/**
 * Login throttling per (username, address), recorded in `login_attempts`.
 *
 * Rule: 5 failed logins for one username from one address within 15 minutes (and since the last
 * success there) lock that pair until 15 minutes after the fifth of those failures. While locked,
 * every try is refused — even with the right password — and refused tries are not recorded, so an
 * attacker cannot extend the lock indefinitely. The lock is per address: a lockout triggered from
 * one machine does not lock the owner out from another.
 *
 * The check and the record are one step (`beginLoginAttempt`): both run in a transaction holding
 * an advisory lock on the (username, address) pair, so of a burst of simultaneous tries exactly
 * the first five are let through to the password check and the rest find the pair locked.
 */
import { and, desc, eq, gt, lt, lte, max, sql } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { loginAttempts } from '$lib/server/db/schema';
import { systemClock, type Clock } from './clock';

/** Failures that trigger a lockout. */
export const MAX_FAILED_LOGINS = 5;
/** Window in which failures count, and length of the lockout (ms). */
export const LOCKOUT_MS = 15 * 60 * 1000;

/** The key a login attempt is recorded under. */
export interface AttemptKey {
	username: string;
	address: string;
}

/** Normalises a key to the column widths; usernames compare case-insensitively for throttling. */
function normaliseKey(key: AttemptKey): AttemptKey {
	return {
		username: key.username.trim().toLowerCase().slice(0, 64),
		address: key.address.slice(0, 64)
	};
}

/**
 * Whether `key` is locked out now.
 * @returns the instant the lock ends, or null when logins may be tried.
 */
export async function getLoginLock(
	db: DbOrTx,
	key: AttemptKey,
	clock: Clock = systemClock
): Promise<{ lockedUntil: Date } | null> {
	const { username, address } = normaliseKey(key);
	const now = clock();
	// A lock ends 15 minutes after the last of 5 failures that lie within 15 minutes of each other,
	// so only failures from the last 30 minutes can still matter.
	const horizon = new Date(now.getTime() - 2 * LOCKOUT_MS);
	const same = and(eq(loginAttempts.username, username), eq(loginAttempts.address, address));
	const [lastSuccess] = await db
		.select({ at: max(loginAttempts.at) })
		.from(loginAttempts)
		.where(and(same, eq(loginAttempts.success, true), gt(loginAttempts.at, horizon)));
	const since = lastSuccess?.at ?? horizon;
	const failures = await db
		.select({ at: loginAttempts.at })
		.from(loginAttempts)
		.where(
			and(
				same,
				eq(loginAttempts.success, false),
				gt(loginAttempts.at, since),
				lte(loginAttempts.at, now)
			)
		)
		.orderBy(desc(loginAttempts.at))
		.limit(MAX_FAILED_LOGINS);
	const newest = failures[0];
	const oldest = failures[MAX_FAILED_LOGINS - 1];
	if (!newest || !oldest) return null;
	if (newest.at.getTime() - oldest.at.getTime() > LOCKOUT_MS) return null;
	const lockedUntil = new Date(newest.at.getTime() + LOCKOUT_MS);
	return lockedUntil.getTime() > now.getTime() ? { lockedUntil } : null;
}

/**
 * Records one login attempt.
 * @returns the row id, so a provisional failure can later be marked a success.
 */
export async function recordLoginAttempt(
	db: DbOrTx,
	key: AttemptKey & { success: boolean },
	clock: Clock = systemClock
): Promise<number> {
	const { username, address } = normaliseKey(key);
	const [row] = await db
		.insert(loginAttempts)
		.values({ username, address, success: key.success, at: clock() })
		.returning({ id: loginAttempts.id });
	if (!row) throw new Error('insert into login_attempts returned no row');
	return row.id;
}

/** Advisory lock namespace of the login throttle (`pg_advisory_xact_lock(int, int)`). */
const LOGIN_LOCK_NS = 0x4c67;

/**
 * Checks the lock and, when the pair is not locked, records a provisional failure — atomically:
 * concurrent calls for one (username, address) pair run one after another (a transaction-scoped
 * advisory lock on the pair), so no burst gets more than `MAX_FAILED_LOGINS` tries past the
 * check. Pairs are serialised only with themselves; other users and addresses never wait.
 * @returns `{ attemptId }` of the provisional failure to flip on success
 *   (`markLoginAttemptSucceeded`), or `{ lockedUntil }` when the pair is locked (nothing recorded).
 */
export async function beginLoginAttempt(
	db: DbOrTx,
	key: AttemptKey,
	clock: Clock = systemClock
): Promise<{ attemptId: number } | { lockedUntil: Date }> {
	const normalised = normaliseKey(key);
	return db.transaction(async (tx) => {
		// hashtext() maps the pair onto the int4 key space; a collision only serialises two pairs.
		await tx.execute(
			sql`select pg_advisory_xact_lock(${LOGIN_LOCK_NS}, hashtext(${`${normalised.username}\n${normalised.address}`}))`
		);
		const lock = await getLoginLock(tx, normalised, clock);
		if (lock) return { lockedUntil: lock.lockedUntil };
		return { attemptId: await recordLoginAttempt(tx, { ...normalised, success: false }, clock) };
	});
}

/** Marks a recorded attempt as successful (the provisional-failure pattern in `login`). */
export async function markLoginAttemptSucceeded(db: DbOrTx, id: number): Promise<void> {
	await db.update(loginAttempts).set({ success: true }).where(eq(loginAttempts.id, id));
}

/**
 * Deletes attempts older than `before` (maintenance job; anything older than the 15-minute window
 * no longer matters).
 * @returns how many rows were deleted.
 */
export async function pruneLoginAttempts(db: DbOrTx, before: Date): Promise<number> {
	const deleted = await db
		.delete(loginAttempts)
		.where(lt(loginAttempts.at, before))
		.returning({ id: loginAttempts.id });
	return deleted.length;
}

/** The message shown while locked: "Too many failed attempts. Try again in N minutes." */
export function lockoutMessage(lockedUntil: Date, now: Date): string {
	const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000));
	return `Too many failed attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}
