/**
 * The per-connector webhook secret: generated on request, shown once, stored as its SHA-256 hex
 * (`connectors.webhook_secret_hash`), compared in constant time. 256 random bits, so a plain hash
 * is enough (as for API keys and sessions, auth/tokens.ts).
 *
 * The *arr app sends it in one of three places (the first present wins, in this order):
 * 1. an `X-Comradarr-Token` header (Sonarr/Radarr: the webhook's "Headers", an advanced field);
 * 2. the password of HTTP Basic auth (`Authorization: Basic base64(user:password)`; the username
 *    is ignored) — what the Username/Password fields of the webhook send (WebhookProxy.cs), sent
 *    up front rather than after a challenge, ISO-8859-1 encoded (Sonarr's and Radarr's
 *    `src/NzbDrone.Common/Http/Dispatchers/ManagedHttpDispatcher.cs`; the secret is ASCII);
 * 3. a `token` query parameter (works everywhere, but ends up in proxy access logs).
 */
import { timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, type Connector } from '../../db/schema';
import { randomToken, sha256Hex } from '../../auth/tokens';
import type { Clock } from '../../auth/clock';
import { ConnectorNotFoundError } from '../connectors/connector-service';

/** The header that may carry the secret. */
export const WEBHOOK_TOKEN_HEADER = 'x-comradarr-token';
/** The query parameter that may carry the secret. */
export const WEBHOOK_TOKEN_PARAM = 'token';
/** Longest token considered (a secret is 43 characters); longer ones are refused unread. */
const MAX_TOKEN_LENGTH = 512;

/** A digest no secret has (compared against when there is nothing to compare, for even timing). */
const NO_SECRET_DIGEST = sha256Hex('comradarr: no webhook secret');

/**
 * The token a request presents, from the header, HTTP Basic password or query (see above).
 * @returns the token, or null when none is present, it is empty, or longer than 512 characters.
 */
export function presentedToken(request: Request, url: URL): string | null {
	const header = request.headers.get(WEBHOOK_TOKEN_HEADER);
	if (header !== null) return usable(header.trim());
	const authorization = request.headers.get('authorization');
	if (authorization !== null) {
		const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
		if (!match?.[1]) return null;
		let decoded: string;
		try {
			decoded = Buffer.from(match[1], 'base64').toString('utf8');
		} catch {
			return null;
		}
		const colon = decoded.indexOf(':');
		return colon < 0 ? null : usable(decoded.slice(colon + 1));
	}
	const query = url.searchParams.get(WEBHOOK_TOKEN_PARAM);
	return query === null ? null : usable(query);
}

function usable(token: string): string | null {
	return token === '' || token.length > MAX_TOKEN_LENGTH ? null : token;
}

/**
 * True when `token` is the secret whose digest is `storedHash` (never for an empty token). Always hashes and compares once,
 * also when there is no token or no stored hash, so the answer takes the same time either way.
 */
export function tokenMatches(token: string | null, storedHash: string | null): boolean {
	const presented = Buffer.from(sha256Hex(token ?? ''), 'hex');
	const stored = Buffer.from(storedHash ?? NO_SECRET_DIGEST, 'hex');
	const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
	return equal && token !== null && token !== '' && storedHash !== null;
}

/**
 * Generates a new secret for a connector and stores its digest; the previous secret stops
 * working at once.
 * @returns the secret (43 base64url characters) — the only time it exists outside the request.
 * @throws ConnectorNotFoundError when there is no such connector.
 */
export async function rotateWebhookSecret(
	db: DbOrTx,
	connectorId: number,
	clock: Clock
): Promise<{ secret: string; createdAt: Date }> {
	const secret = randomToken(32);
	const createdAt = clock();
	const updated = await db
		.update(connectors)
		.set({ webhookSecretHash: sha256Hex(secret), webhookSecretCreatedAt: createdAt })
		.where(eq(connectors.id, connectorId))
		.returning({ id: connectors.id });
	if (updated.length === 0) throw new ConnectorNotFoundError(connectorId);
	return { secret, createdAt };
}

/**
 * The connector a webhook request is for, when `token` is its secret.
 * @param rawId the `{connectorId}` path segment as sent
 * @returns the connector, or null for a malformed id, an unknown connector, a connector without a
 *   secret, or a wrong or missing token — one answer for all, so the caller cannot tell which.
 */
export async function authenticateWebhook(
	db: DbOrTx,
	rawId: string,
	token: string | null
): Promise<Connector | null> {
	const parsed = /^[1-9]\d{0,9}$/.test(rawId) ? Number(rawId) : 0;
	// A malformed id still costs the same lookup (of an id no row has), for even timing.
	const id = parsed <= 2_147_483_647 ? parsed : 0;
	const [row] = await db.select().from(connectors).where(eq(connectors.id, id));
	return tokenMatches(token, row?.webhookSecretHash ?? null) && row ? row : null;
}

/** The URL an *arr app posts to: origin + BASE_URL + `/webhooks/{id}`. */
export function webhookUrl(origin: string, basePath: string, connectorId: number): string {
	return `${origin}${basePath}/webhooks/${connectorId}`;
}
