/**
 * Read model of the connector detail page: the connector, its numbers, its health and sync
 * history. PostgreSQL only — never the *arr app.
 */
import { desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../index';
import { healthEvents, searchHistory, syncRuns } from '../schema';
import { connectorStats, statsFor, type ConnectorStats } from './stats';

export interface HealthEventView {
	id: number;
	fromState: string;
	toState: string;
	reason: string | null;
	at: Date;
}

export interface SyncRunView {
	id: number;
	status: string;
	startedAt: Date;
	finishedAt: Date | null;
	durationMs: number | null;
	seriesCount: number;
	episodeCount: number;
	movieCount: number;
	skippedCount: number;
	removedCount: number;
	error: string | null;
}

export interface SearchSuccess {
	/** Commands finished in the last 30 days. */
	finished: number;
	completed: number;
	/** completed / finished, 0..1; null without any finished command. */
	rate: number | null;
}

export interface ConnectorActivity {
	stats: ConnectorStats;
	success: SearchSuccess;
	healthEvents: HealthEventView[];
	syncRuns: SyncRunView[];
}

/**
 * Numbers and histories for one connector (newest first; 50 health events, 20 sync runs).
 * @param timeZone whose local day "searches today" counts (Settings → General)
 */
export async function connectorActivity(
	db: DbOrTx,
	connectorId: number,
	timeZone: string,
	now = new Date()
): Promise<ConnectorActivity> {
	const since = new Date(now.getTime() - 30 * 86_400_000);
	const [stats, success, events, runs] = await Promise.all([
		connectorStats(db, now, timeZone),
		db
			.select({
				finished: sql<number>`count(*)::int`,
				completed: sql<number>`(count(*) filter (where ${searchHistory.outcome} = 'completed'))::int`
			})
			.from(searchHistory)
			.where(
				sql`${searchHistory.connectorId} = ${connectorId} and ${searchHistory.finishedAt} >= ${since.toISOString()}::timestamptz`
			),
		db
			.select({
				id: healthEvents.id,
				fromState: healthEvents.fromState,
				toState: healthEvents.toState,
				reason: healthEvents.reason,
				at: healthEvents.at
			})
			.from(healthEvents)
			.where(eq(healthEvents.connectorId, connectorId))
			.orderBy(desc(healthEvents.at), desc(healthEvents.id))
			.limit(50),
		db
			.select({
				id: syncRuns.id,
				status: syncRuns.status,
				startedAt: syncRuns.startedAt,
				finishedAt: syncRuns.finishedAt,
				durationMs: syncRuns.durationMs,
				seriesCount: syncRuns.seriesCount,
				episodeCount: syncRuns.episodeCount,
				movieCount: syncRuns.movieCount,
				skippedCount: syncRuns.skippedCount,
				removedCount: syncRuns.removedCount,
				error: syncRuns.error
			})
			.from(syncRuns)
			.where(eq(syncRuns.connectorId, connectorId))
			.orderBy(desc(syncRuns.startedAt), desc(syncRuns.id))
			.limit(20)
	]);
	const finished = success[0]?.finished ?? 0;
	const completed = success[0]?.completed ?? 0;
	return {
		stats: statsFor(stats, connectorId),
		success: { finished, completed, rate: finished > 0 ? completed / finished : null },
		healthEvents: events,
		syncRuns: runs
	};
}
