/**
 * Who may read `/metrics` (the route calls {@link authorizeScrape}; the request guard lets the
 * path through to it, see http/guard.ts):
 * - a caller who is not signed in and brings no valid token: 401 `metrics.unauthorized`, whether
 *   metrics are on or off — like every guarded path, it learns nothing (while off no token is
 *   valid, so any `Authorization` header gets the same 401 an unknown token gets while on);
 * - off (no usable token, token.ts): 404 `metrics.disabled` for a signed-in user (the reason is
 *   shown in Settings → About, not in the answer);
 * - an `Authorization` header, when present, is the only credential considered: `Bearer <token>`
 *   equal to the configured token (compared in constant time) is let in, anything else is 401
 *   `metrics.unauthorized` — a wrong token is not rescued by a session cookie;
 * - otherwise the signed-in user (`locals.user`: session cookie, API key, or the auth mode's
 *   local-network / proxy-header / disabled rules, exactly as for every other page) is let in.
 * Every 401 carries `WWW-Authenticate: Bearer`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MetricsTokenState } from './token';

/** The decision: let in, or refuse with this status and error. */
export type ScrapeDecision =
	| { allowed: true; by: 'token' | 'user' }
	| { allowed: false; status: 404 | 401; code: string; message: string };

const WRONG_TOKEN: ScrapeDecision = {
	allowed: false,
	status: 401,
	code: 'metrics.unauthorized',
	message: 'The Authorization header does not carry the metrics token (Bearer <METRICS_TOKEN>).'
};

/**
 * True when `given` equals `expected`, in time independent of where they differ (both are hashed
 * to 32 bytes first, so their lengths do not show either).
 */
export function tokensEqual(given: string, expected: string): boolean {
	const a = createHash('sha256').update(given, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * Decides a scrape request.
 * @param input.authorization the request's `Authorization` header (null when absent)
 * @param input.signedIn whether the guard found a user for the request (`locals.user !== null`)
 */
export function authorizeScrape(
	state: MetricsTokenState,
	input: { authorization: string | null; signedIn: boolean }
): ScrapeDecision {
	// Anonymous callers learn nothing, not even whether metrics are on (as for every guarded path).
	if (input.authorization === null && !input.signedIn) {
		return {
			allowed: false,
			status: 401,
			code: 'metrics.unauthorized',
			message: 'Send Authorization: Bearer <METRICS_TOKEN>, or sign in.'
		};
	}
	if (!state.enabled) {
		// No token is valid while off: a header gets exactly the answer a wrong token gets while on.
		if (!input.signedIn) return WRONG_TOKEN;
		return {
			allowed: false,
			status: 404,
			code: 'metrics.disabled',
			// The reason may name a file path: Settings → About shows it to signed-in users.
			message:
				'Prometheus metrics are off on this server: set METRICS_TOKEN. Settings → About says why.'
		};
	}
	if (input.authorization !== null) {
		const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(input.authorization);
		if (match && tokensEqual(match[1]!, state.token)) return { allowed: true, by: 'token' };
		return WRONG_TOKEN;
	}
	return { allowed: true, by: 'user' };
}
