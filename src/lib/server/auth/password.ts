/**
 * Password hashing with Argon2id (@node-rs/argon2 defaults: m=19456 KiB, t=2, p=1, 32-byte tag).
 *
 * Always the async API: a hash takes ~80 ms and must not block the event loop (CONVENTIONS.md).
 * `algorithm` is left out on purpose: Argon2id is the library default and the `Algorithm` const
 * enum cannot be imported under `verbatimModuleSyntax` (STACK.md trap 11).
 */
import { hash, verify } from '@node-rs/argon2';

/**
 * Hashes a password.
 * @returns an Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
 */
export function hashPassword(password: string): Promise<string> {
	return hash(password);
}

/**
 * Checks a password against a stored PHC string. The comparison is the library's constant-time one.
 * @returns false for a wrong password and for a malformed hash (never throws for bad input).
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		// A malformed stored hash is a failed login, not a 500.
		return false;
	}
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, for logins naming an unknown user, so the response
 * time does not reveal which usernames exist.
 */
export async function verifyDummyPassword(password: string): Promise<void> {
	dummyHash ??= hash(crypto.randomUUID());
	await verifyPassword(await dummyHash, password);
}
