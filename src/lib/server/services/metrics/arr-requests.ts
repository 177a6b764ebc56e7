/**
 * *arr HTTP request metrics, kept in this process (only the process that made a request knows its
 * latency): every attempt the connector clients record (connectors/common/request-stats.ts, so
 * retries count and the connection test of an unsaved connector does not) goes into
 * - `comradarr_arr_request_duration_seconds{connector_id}`: a histogram of response times, from
 *   sending the request to receiving the response headers, in seconds;
 * - `comradarr_arr_request_errors_total{connector_id,status}`: attempts that failed, by HTTP status
 *   (`"401"`, `"429"`, `"503"`…) or, without a response, `timeout` / `unreachable`.
 * Several replicas each count their own requests: sum them across instances.
 */
import { Counter, Histogram } from 'prom-client';
import { arrRequestListeners } from '../../connectors/common/request-stats';

/** Response-time buckets, seconds: 5 ms to 2 min (library reads may take minutes, http.ts). */
export const ARR_LATENCY_BUCKETS = [
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
] as const;

/** The two metrics and what they have seen, so series of deleted connectors can be dropped. */
export interface ArrRequestMetrics {
	duration: Histogram<'connector_id'>;
	errors: Counter<'connector_id' | 'status'>;
	/** Drops the series of connectors not in `alive` (deleted since). */
	retain(alive: ReadonlySet<number>): void;
	/** Forgets everything (tests). */
	reset(): void;
}

type Observer = (connectorId: number, ms: number, outcome: string) => void;

function create(): { metrics: ArrRequestMetrics; observe: Observer } {
	const duration = new Histogram({
		name: 'comradarr_arr_request_duration_seconds',
		help: 'Response time of *arr API requests (each attempt, retries included), from sending the request to its response headers, in seconds.',
		labelNames: ['connector_id'] as const,
		buckets: [...ARR_LATENCY_BUCKETS],
		registers: []
	});
	const errors = new Counter({
		name: 'comradarr_arr_request_errors_total',
		help: '*arr API request attempts that failed, by HTTP status, or timeout / unreachable when no response came.',
		labelNames: ['connector_id', 'status'] as const,
		registers: []
	});
	const seen = new Map<number, Set<string>>();
	const observe: Observer = (connectorId, ms, outcome) => {
		const id = String(connectorId);
		duration.observe({ connector_id: id }, Math.max(0, ms) / 1000);
		let statuses = seen.get(connectorId);
		if (!statuses) {
			statuses = new Set();
			seen.set(connectorId, statuses);
		}
		if (outcome === 'ok' || /^[23]\d\d$/.test(outcome)) return;
		// Bounded: an HTTP status (three digits), an ArrApiError kind, or `error`.
		const status = /^\d{3}$/.test(outcome) || /^[a-z_]{1,24}$/.test(outcome) ? outcome : 'error';
		statuses.add(status);
		errors.inc({ connector_id: id, status });
	};
	const metrics: ArrRequestMetrics = {
		duration,
		errors,
		retain(alive) {
			for (const [id, statuses] of seen) {
				if (alive.has(id)) continue;
				duration.remove({ connector_id: String(id) });
				for (const status of statuses) errors.remove({ connector_id: String(id), status });
				seen.delete(id);
			}
		},
		reset() {
			duration.reset();
			errors.reset();
			seen.clear();
		}
	};
	return { metrics, observe };
}

interface Holder {
	current?: { metrics: ArrRequestMetrics; observe: Observer };
}

const holder: Holder = ((globalThis as { __comradarrArrMetrics?: Holder }).__comradarrArrMetrics ??=
	{});

/**
 * The process's *arr request metrics, listening to the connector clients from the first call on
 * (the metrics module is loaded at start-up by the registry, see registry.ts).
 */
export function arrRequestMetrics(): ArrRequestMetrics {
	holder.current ??= create();
	// Idempotent (a Set): re-adds the listener if connectors/common/request-stats.ts was reloaded.
	arrRequestListeners.add(holder.current.observe);
	return holder.current.metrics;
}
