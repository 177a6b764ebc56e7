/**
 * Writes the in-memory *arr request statistics (connectors/common/request-stats.ts) to
 * `arr_request_stats`, adding to the hour's row. A flush that fails puts its figures back for the
 * next one; figures of a connector deleted meanwhile are dropped (its rows cascade away anyway).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db';
import { restoreArrRequestStats, takeArrRequestStats } from '../../connectors/common/request-stats';
import { moduleLogger } from '../../logger';
import { onShutdown, type StartupHook } from '../../runtime';

const log = moduleLogger('request-stats');

/** How often the statistics are written, ms. */
export const REQUEST_STATS_FLUSH_MS = 60_000;

/**
 * Adds everything recorded since the last flush to `arr_request_stats` in one statement.
 * @returns the number of (connector, hour) rows written.
 * @throws the database error after restoring the figures (they are written by the next flush).
 */
export async function flushArrRequestStats(db: Database): Promise<number> {
	const buckets = takeArrRequestStats();
	if (buckets.length === 0) return 0;
	try {
		const rows = await db.execute<{ connector_id: number }>(sql`
			insert into arr_request_stats as s (connector_id, hour, requests, errors, total_ms, max_ms)
			select v.connector_id, v.hour, v.requests, v.errors, v.total_ms, v.max_ms
			from unnest(
				${`{${buckets.map((b) => b.connectorId).join(',')}}`}::int[],
				${`{${buckets.map((b) => `"${b.hour.toISOString()}"`).join(',')}}`}::timestamptz[],
				${`{${buckets.map((b) => b.requests).join(',')}}`}::int[],
				${`{${buckets.map((b) => b.errors).join(',')}}`}::int[],
				${`{${buckets.map((b) => b.totalMs).join(',')}}`}::bigint[],
				${`{${buckets.map((b) => b.maxMs).join(',')}}`}::int[]
			) as v(connector_id, hour, requests, errors, total_ms, max_ms)
			where exists (select 1 from connectors c where c.id = v.connector_id)
			on conflict (connector_id, hour) do update set
				requests = s.requests + excluded.requests,
				errors = s.errors + excluded.errors,
				total_ms = s.total_ms + excluded.total_ms,
				max_ms = greatest(s.max_ms, excluded.max_ms)
			returning s.connector_id`);
		return rows.length;
	} catch (error) {
		restoreArrRequestStats(buckets);
		throw error;
	}
}

/**
 * Flushes every {@link REQUEST_STATS_FLUSH_MS} and once more at shutdown (before the database
 * closes). A `StartupHook` for `startRuntime`.
 */
export const startRequestStatsFlush: StartupHook = async (runtime) => {
	const flush = async () => {
		try {
			await flushArrRequestStats(runtime.db);
		} catch (error) {
			log.warn({ err: error }, 'could not write the *arr request statistics; retrying later');
		}
	};
	const timer = setInterval(() => void flush(), REQUEST_STATS_FLUSH_MS);
	timer.unref();
	onShutdown(async () => {
		clearInterval(timer);
		await flush();
	});
};
