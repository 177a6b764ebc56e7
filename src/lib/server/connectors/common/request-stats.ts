/**
 * Per-connector *arr request statistics, gathered in memory by {@link ArrHttpClient} and drained
 * into `arr_request_stats` by services/connectors/request-stats.ts (once a minute and at shutdown).
 *
 * Every attempt counts (retries included): its response time is measured from sending the request
 * to receiving the response headers, in ms; an attempt is an error when it got no response
 * (network failure, timeout) or an HTTP status ≥ 400. Requests of a client without a connector id
 * (the connection test of a connector not saved yet) are not recorded.
 */

/** Totals of one connector in one UTC hour. */
export interface ArrRequestBucket {
	connectorId: number;
	/** Start of the UTC hour. */
	hour: Date;
	requests: number;
	errors: number;
	/** Sum of response times, ms. */
	totalMs: number;
	maxMs: number;
}

const HOUR_MS = 3_600_000;
const buckets = new Map<string, ArrRequestBucket>();

/**
 * Told of every attempt recorded (services/metrics keeps its latency histogram from it): `ms` as
 * measured, `outcome` the HTTP status (`"200"`, `"503"`) or why there was none (`"timeout"`,
 * `"unreachable"`). Must not throw.
 */
export const arrRequestListeners = new Set<
	(connectorId: number, ms: number, outcome: string) => void
>();

/**
 * Adds one attempt. `ms` is rounded to whole ms; `at` (ms since the epoch) picks the hour;
 * `outcome` goes to the {@link arrRequestListeners}.
 */
export function recordArrRequest(
	connectorId: number,
	ms: number,
	ok: boolean,
	at = Date.now(),
	outcome = ok ? 'ok' : 'error'
): void {
	for (const listener of arrRequestListeners) listener(connectorId, ms, outcome);
	const hourMs = Math.floor(at / HOUR_MS) * HOUR_MS;
	const key = `${connectorId}:${hourMs}`;
	let bucket = buckets.get(key);
	if (!bucket) {
		bucket = { connectorId, hour: new Date(hourMs), requests: 0, errors: 0, totalMs: 0, maxMs: 0 };
		buckets.set(key, bucket);
	}
	const rounded = Math.max(0, Math.round(ms));
	bucket.requests++;
	if (!ok) bucket.errors++;
	bucket.totalMs += rounded;
	if (rounded > bucket.maxMs) bucket.maxMs = rounded;
}

/** Returns everything recorded since the last call and forgets it. */
export function takeArrRequestStats(): ArrRequestBucket[] {
	const out = [...buckets.values()];
	buckets.clear();
	return out;
}

/** Puts drained buckets back (a flush that failed), merging with what arrived meanwhile. */
export function restoreArrRequestStats(drained: readonly ArrRequestBucket[]): void {
	for (const b of drained) {
		const key = `${b.connectorId}:${b.hour.getTime()}`;
		const current = buckets.get(key);
		if (!current) {
			buckets.set(key, { ...b });
			continue;
		}
		current.requests += b.requests;
		current.errors += b.errors;
		current.totalMs += b.totalMs;
		current.maxMs = Math.max(current.maxMs, b.maxMs);
	}
}
