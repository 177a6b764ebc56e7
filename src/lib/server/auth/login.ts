/**
 * The login use case: throttle check, password verification, attempt record, session.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DbOrTx } from '$lib/server/db';
import { systemClock, type Clock } from './clock';
import { verifyDummyPassword, verifyPassword } from './password';
import { beginLoginAttempt, markLoginAttemptSucceeded } from './rate-limit';
import { createSession, type NewSession } from './session';
import { findUserByUsername, type AuthUser } from './users';

/** One message for an unknown user and a wrong password, so usernames cannot be probed. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password.';

export type LoginResult =
	| { ok: true; user: AuthUser; session: NewSession }
	| {
			ok: false;
			reason: 'invalid';
			/** Whether the username names a user (for the log only: the answer never says). */
			knownUser: boolean;
	  }
	| { ok: false; reason: 'locked'; lockedUntil: Date };

/**
 * Tries to log `username` in from `address` (the client address, see `http/client-address.ts`).
 *
 * While the (username, address) pair is locked the password is not even checked. Otherwise the
 * attempt is recorded as a failure *before* the ~80 ms verification and flipped to a success
 * afterwards, so a burst of parallel guesses is counted as it happens rather than after it; the
 * lock check and that record are one atomic step (`beginLoginAttempt`), so of 50 simultaneous
 * guesses at most 5 reach the password check.
 * @returns a new session on success; `invalid` or `locked` (with the end of the lock) otherwise.
 */
export async function login(
	db: DbOrTx,
	input: { username: string; password: string; address: string; userAgent?: string | null },
	clock: Clock = systemClock
): Promise<LoginResult> {
	const key = { username: input.username, address: input.address };
	const attempt = await beginLoginAttempt(db, key, clock);
	if ('lockedUntil' in attempt) {
		return { ok: false, reason: 'locked', lockedUntil: attempt.lockedUntil };
	}
	const { attemptId } = attempt;
	const user = await findUserByUsername(db, input.username);
	if (!user) {
		await verifyDummyPassword(input.password);
		return { ok: false, reason: 'invalid', knownUser: false };
	}
	if (!(await verifyPassword(user.passwordHash, input.password))) {
		return { ok: false, reason: 'invalid', knownUser: true };
	}
	await markLoginAttemptSucceeded(db, attemptId);
	const session = await createSession(
		db,
		user.id,
		{ address: input.address, userAgent: input.userAgent ?? null },
		clock
	);
	return { ok: true, user: { id: user.id, username: user.username }, session };
}

/** Key of `usernameFingerprint`, new in every process: a log cannot be brute-forced offline. */
const FINGERPRINT_KEY = randomBytes(32);

/**
 * A short keyed fingerprint of a username that names nobody, for the log: the same name tried
 * again gives the same 12 hex characters (within one process), but the log never holds the text,
 * which is often a password typed into the wrong field.
 */
export function usernameFingerprint(username: string): string {
	return createHmac('sha256', FINGERPRINT_KEY)
		.update(username.trim().toLowerCase())
		.digest('hex')
		.slice(0, 12);
}
