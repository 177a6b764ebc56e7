/**
 * API keys for scripts and integrations, sent in the `X-Api-Key` header.
 *
 * A key is `cmdr_` + 32 random bytes in base64url, shown once at creation; the table keeps its hex
 * SHA-256 and its first 8 characters (to recognise it in a list). Read-only keys may only GET/HEAD
 * (enforced by the request guard). `last_used_at` is written at most once a minute per key, so a
 * busy script does not turn every read into a write.
 */
import { and, desc, eq, isNull, lte, or } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { apiKeys, users } from '$lib/server/db/schema';
import { systemClock, type Clock } from './clock';
import { randomToken, sha256Hex } from './tokens';
import type { AuthUser } from './users';

export const API_KEY_PREFIX = 'cmdr_';
export const API_KEY_HEADER = 'x-api-key';
/** Minimum time between two `last_used_at` writes for one key (ms). */
export const LAST_USED_RESOLUTION_MS = 60 * 1000;

/** An authenticated API key (`locals.apiKey`) and the user it belongs to. */
export interface ApiKeyPrincipal {
	id: number;
	readOnly: boolean;
	user: AuthUser;
}

/** An API key as lists show it: never the key or its hash. */
export interface ApiKeySummary {
	id: number;
	name: string;
	/** First 8 characters of the key (`cmdr_…`). */
	prefix: string;
	readOnly: boolean;
	createdAt: Date;
	lastUsedAt: Date | null;
}

/**
 * Creates an API key for `userId`.
 * @returns the row id and the key itself — the only time the key is available; store nothing else.
 */
export async function createApiKey(
	db: DbOrTx,
	input: { userId: number; name: string; readOnly: boolean }
): Promise<{ id: number; key: string }> {
	const key = API_KEY_PREFIX + randomToken(32);
	const [row] = await db
		.insert(apiKeys)
		.values({
			name: input.name,
			keyHash: sha256Hex(key),
			prefix: key.slice(0, 8),
			readOnly: input.readOnly,
			userId: input.userId
		})
		.returning({ id: apiKeys.id });
	if (!row) throw new Error('insert into api_keys returned no row');
	return { id: row.id, key };
}

/**
 * Resolves an `X-Api-Key` header value and records the use (at most once a minute).
 * @returns the key and its user, or null for an unknown or malformed key.
 */
export async function verifyApiKey(
	db: DbOrTx,
	key: string,
	clock: Clock = systemClock
): Promise<ApiKeyPrincipal | null> {
	if (!key.startsWith(API_KEY_PREFIX) || key.length > 128) return null;
	const [row] = await db
		.select({
			id: apiKeys.id,
			readOnly: apiKeys.readOnly,
			lastUsedAt: apiKeys.lastUsedAt,
			userId: users.id,
			username: users.username
		})
		.from(apiKeys)
		.innerJoin(users, eq(users.id, apiKeys.userId))
		.where(eq(apiKeys.keyHash, sha256Hex(key)))
		.limit(1);
	if (!row) return null;
	const now = clock();
	const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
	if (!row.lastUsedAt || row.lastUsedAt.getTime() <= staleBefore.getTime()) {
		// The WHERE repeats the staleness test so concurrent requests write once.
		await db
			.update(apiKeys)
			.set({ lastUsedAt: now })
			.where(
				and(
					eq(apiKeys.id, row.id),
					or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, staleBefore))
				)
			);
	}
	return { id: row.id, readOnly: row.readOnly, user: { id: row.userId, username: row.username } };
}

/** The keys of one user, newest first, without secrets (Settings page). */
export async function listApiKeys(db: DbOrTx, userId: number): Promise<ApiKeySummary[]> {
	return db
		.select({
			id: apiKeys.id,
			name: apiKeys.name,
			prefix: apiKeys.prefix,
			readOnly: apiKeys.readOnly,
			createdAt: apiKeys.createdAt,
			lastUsedAt: apiKeys.lastUsedAt
		})
		.from(apiKeys)
		.where(eq(apiKeys.userId, userId))
		.orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * Revokes one of `userId`'s keys.
 * @returns false when no such key belongs to the user.
 */
export async function deleteApiKey(
	db: DbOrTx,
	input: { id: number; userId: number }
): Promise<boolean> {
	const deleted = await db
		.delete(apiKeys)
		.where(and(eq(apiKeys.id, input.id), eq(apiKeys.userId, input.userId)))
		.returning({ id: apiKeys.id });
	return deleted.length > 0;
}
