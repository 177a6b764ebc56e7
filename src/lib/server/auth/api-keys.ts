/**
 * API keys for scripts and integrations, sent in the `X-Api-Key` header.
 *
 * A key is `cmdr_` + 32 random bytes in base64url, shown once at creation; the table keeps its hex
 * SHA-256 and its first 8 characters (to recognise it in a list). Read-only keys may only GET/HEAD
 * (enforced by the request guard). `last_used_at` and `last_used_address` are written at most once
 * a minute per key (and at once when the address changes), so a busy script does not turn every
 * read into a write.
 *
 * Each key has its own rate limit (`rate_limit_per_minute`, default 120): a fixed one-minute
 * window counted **in this process's memory** (`ApiKeyRateLimiter`). Several replicas behind one
 * load balancer each allow the limit; a restart starts every window afresh. That is enough to
 * stop a runaway script, which is what the limit is for; it is not an accounting system.
 */
import { and, desc, eq, isNotNull, isNull, lte, ne, or } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { apiKeys, users } from '$lib/server/db/schema';
import { API_KEY_RATE_LIMIT, type ApiKeyScope } from '$lib/schemas/api-keys';
import { systemClock, type Clock } from './clock';
import { randomToken, sha256Hex } from './tokens';
import type { AuthUser } from './users';

export const API_KEY_PREFIX = 'cmdr_';
export const API_KEY_HEADER = 'x-api-key';
/** Minimum time between two `last_used_at` writes for one key (ms). */
export const LAST_USED_RESOLUTION_MS = 60 * 1000;
/** Length of a rate-limit window (ms). */
export const RATE_LIMIT_WINDOW_MS = 60 * 1000;
/** `api_keys.last_used_address` is varchar(64). */
const ADDRESS_MAX = 64;

/** An authenticated API key (`locals.apiKey`) and the user it belongs to. */
export interface ApiKeyPrincipal {
	id: number;
	readOnly: boolean;
	/** Requests allowed per minute (`ApiKeyRateLimiter`). */
	rateLimitPerMinute: number;
	user: AuthUser;
}

/** An API key as lists show it: never the key or its hash. */
export interface ApiKeySummary {
	id: number;
	/** What the key is for (the description given at creation). */
	name: string;
	/** First 8 characters of the key (`cmdr_…`). */
	prefix: string;
	scope: ApiKeyScope;
	rateLimitPerMinute: number;
	createdAt: Date;
	lastUsedAt: Date | null;
	/** Client address of the last use. */
	lastUsedAddress: string | null;
}

/**
 * Creates an API key for `userId`. Inputs must already be validated (`createApiKeySchema`).
 * @param input.rateLimitPerMinute requests per minute; the column default (120) when omitted.
 * @returns the row id and the key itself — the only time the key is available; store nothing else.
 */
export async function createApiKey(
	db: DbOrTx,
	input: { userId: number; name: string; readOnly: boolean; rateLimitPerMinute?: number }
): Promise<{ id: number; key: string }> {
	const key = API_KEY_PREFIX + randomToken(32);
	const [row] = await db
		.insert(apiKeys)
		.values({
			name: input.name,
			keyHash: sha256Hex(key),
			prefix: key.slice(0, 8),
			readOnly: input.readOnly,
			userId: input.userId,
			rateLimitPerMinute: input.rateLimitPerMinute ?? API_KEY_RATE_LIMIT.default
		})
		.returning({ id: apiKeys.id });
	if (!row) throw new Error('insert into api_keys returned no row');
	return { id: row.id, key };
}

/**
 * Resolves an `X-Api-Key` header value and records the use: time and client address, at most once
 * a minute unless the address changed.
 * @param use.address the client address of the request (`requestClientAddress`).
 * @returns the key and its user, or null for an unknown or malformed key.
 */
export async function verifyApiKey(
	db: DbOrTx,
	key: string,
	use: { address: string },
	clock: Clock = systemClock
): Promise<ApiKeyPrincipal | null> {
	if (!key.startsWith(API_KEY_PREFIX) || key.length > 128) return null;
	const [row] = await db
		.select({
			id: apiKeys.id,
			readOnly: apiKeys.readOnly,
			rateLimitPerMinute: apiKeys.rateLimitPerMinute,
			lastUsedAt: apiKeys.lastUsedAt,
			lastUsedAddress: apiKeys.lastUsedAddress,
			userId: users.id,
			username: users.username
		})
		.from(apiKeys)
		.innerJoin(users, eq(users.id, apiKeys.userId))
		.where(eq(apiKeys.keyHash, sha256Hex(key)))
		.limit(1);
	if (!row) return null;
	const now = clock();
	// An unknown address (empty) is stored as null, so it compares equal to itself.
	const address = use.address.slice(0, ADDRESS_MAX) || null;
	const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
	const stale = !row.lastUsedAt || row.lastUsedAt.getTime() <= staleBefore.getTime();
	if (stale || row.lastUsedAddress !== address) {
		const otherAddress =
			address === null
				? isNotNull(apiKeys.lastUsedAddress)
				: or(isNull(apiKeys.lastUsedAddress), ne(apiKeys.lastUsedAddress, address));
		// The WHERE repeats the tests so concurrent requests from one address write once.
		await db
			.update(apiKeys)
			.set({ lastUsedAt: now, lastUsedAddress: address })
			.where(
				and(
					eq(apiKeys.id, row.id),
					or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, staleBefore), otherAddress)
				)
			);
	}
	return {
		id: row.id,
		readOnly: row.readOnly,
		rateLimitPerMinute: row.rateLimitPerMinute,
		user: { id: row.userId, username: row.username }
	};
}

/** The keys of one user, newest first, without secrets (Settings page). */
export async function listApiKeys(db: DbOrTx, userId: number): Promise<ApiKeySummary[]> {
	const rows = await db
		.select({
			id: apiKeys.id,
			name: apiKeys.name,
			prefix: apiKeys.prefix,
			readOnly: apiKeys.readOnly,
			rateLimitPerMinute: apiKeys.rateLimitPerMinute,
			createdAt: apiKeys.createdAt,
			lastUsedAt: apiKeys.lastUsedAt,
			lastUsedAddress: apiKeys.lastUsedAddress
		})
		.from(apiKeys)
		.where(eq(apiKeys.userId, userId))
		.orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
	return rows.map(({ readOnly, ...rest }) => ({ ...rest, scope: readOnly ? 'read' : 'full' }));
}

/**
 * Revokes one of `userId`'s keys; the next request with it gets 401.
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

/** The verdict on one request. */
export type RateLimitDecision =
	{ allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/**
 * Per-key request counter over fixed one-minute windows, in this process's memory (see the module
 * comment for what that means with several replicas). A window starts with the first request
 * after the previous one ended; memory is one small entry per key used in the last minute.
 */
export class ApiKeyRateLimiter {
	readonly #windows = new Map<number, { start: number; count: number }>();

	/**
	 * Counts one request of key `keyId` at `now` (ms) against `limit` requests per minute.
	 * @returns allowed with what is left of the window, or refused with the seconds (≥ 1) until the
	 *   window ends — the value of a `Retry-After` header. Refused requests are not counted.
	 */
	take(keyId: number, limit: number, now: number): RateLimitDecision {
		let window = this.#windows.get(keyId);
		if (!window || now - window.start >= RATE_LIMIT_WINDOW_MS || now < window.start) {
			window = { start: now, count: 0 };
			this.#windows.set(keyId, window);
			if (this.#windows.size > 1024) this.#prune(now);
		}
		if (window.count >= limit) {
			const left = window.start + RATE_LIMIT_WINDOW_MS - now;
			return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
		}
		window.count += 1;
		return { allowed: true, remaining: limit - window.count };
	}

	/** Forgets every window (tests; a revoked key's entry simply ages out). */
	reset(): void {
		this.#windows.clear();
	}

	#prune(now: number): void {
		for (const [id, window] of this.#windows) {
			if (now - window.start >= RATE_LIMIT_WINDOW_MS) this.#windows.delete(id);
		}
	}
}

/** The process's limiter, used by the request guard. */
export const apiKeyRateLimiter = new ApiKeyRateLimiter();

/** The 429 message for a key over its limit. */
export function rateLimitMessage(limit: number, retryAfterSeconds: number): string {
	return `This API key is limited to ${limit} requests per minute. Try again in ${retryAfterSeconds} s.`;
}
