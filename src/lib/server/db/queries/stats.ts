/**
 * Read models for pages and the API: per-connector numbers, search history (the request queue's
 * read model is services/queue/queue-view.ts).
 * Reads the mirror and state tables only — never an *arr app (DESIGN.md decision 9).
 */
import { and, desc, eq, isNotNull, like, sql } from 'drizzle-orm';
import type { DbOrTx } from '../index';
import { connectors, jobRuns, searchHistory, syncState, type JobRun } from '../schema';
import {
	episodeGapCondition,
	episodeUpgradeCondition,
	movieGapCondition,
	movieUpgradeCondition
} from './wanted-conditions';
import { zonedDayStart } from '../../time/day-start';

export interface ConnectorStats {
	gaps: number;
	upgrades: number;
	/** Searches waiting in the request queue. */
	queued: number;
	/** Commands waiting in the request queue. */
	queuedCommands: number;
	searchesToday: number;
	/** End of the last sync, whatever its outcome. */
	lastSyncAt: Date | null;
	lastSyncStatus: string | null;
	lastSyncError: string | null;
	/** End of the last successful sync of either kind. */
	lastSuccessAt: Date | null;
	/** End of the last successful full reconciliation. */
	lastFullSyncAt: Date | null;
	/** The newest sync run of this connector (`job_runs`, `sync.*`), running or finished. */
	newestSync: JobRun | null;
}

const EMPTY: ConnectorStats = {
	gaps: 0,
	upgrades: 0,
	queued: 0,
	queuedCommands: 0,
	searchesToday: 0,
	lastSyncAt: null,
	lastSyncStatus: null,
	lastSyncError: null,
	lastSuccessAt: null,
	lastFullSyncAt: null,
	newestSync: null
};

/**
 * Numbers for every connector, in seven grouped queries over indexed subsets.
 * @param timeZone whose local day "searches today" counts (Settings → General)
 */
export async function connectorStats(
	db: DbOrTx,
	now: Date,
	timeZone: string
): Promise<Map<number, ConnectorStats>> {
	const stats = new Map<number, ConnectorStats>();
	const get = (id: number) => {
		let s = stats.get(id);
		if (!s) {
			s = { ...EMPTY };
			stats.set(id, s);
		}
		return s;
	};
	const dayStart = zonedDayStart(now, timeZone).toISOString();
	// Each count reads only the rows it counts, through the partial indexes of content.ts
	// (`episodes_gap_idx`, `episodes_upgrade_idx`, `movies_*_idx`) and search-state.ts
	// (`request_queue_dispatch_idx`, `request_queue_claimed_idx`), never the whole mirror.
	const [
		episodeGapRows,
		episodeUpgradeRows,
		movieRows,
		pendingRows,
		todayRows,
		syncRows,
		syncRunRows
	] = await Promise.all([
		db.execute<{ connector_id: number; n: number }>(sql`
			select e.connector_id, count(*)::int as n
			from episodes e join series s on s.id = e.series_id
			where e.has_file = false and e.monitored = true and ${episodeGapCondition(now)}
			group by e.connector_id`),
		db.execute<{ connector_id: number; n: number }>(sql`
			select e.connector_id, count(*)::int as n
			from episodes e join series s on s.id = e.series_id
			where e.has_file = true and e.quality_cutoff_not_met = true and e.monitored = true
			  and ${episodeUpgradeCondition}
			group by e.connector_id`),
		db.execute<{ connector_id: number; gaps: number; upgrades: number }>(sql`
			select m.connector_id,
			       count(*) filter (where ${movieGapCondition})::int as gaps,
			       count(*) filter (where ${movieUpgradeCondition})::int as upgrades
			from movies m
			where m.monitored = true
			  and (m.has_file = false or m.quality_cutoff_not_met = true)
			group by m.connector_id`),
		db.execute<{ connector_id: number; queued: number; queued_commands: number }>(sql`
			select connector_id, coalesce(sum(search_count), 0)::int as queued,
			       count(*)::int as queued_commands
			from request_queue where status = 'pending' group by connector_id`),
		db.execute<{ connector_id: number; today: number }>(sql`
			select connector_id, coalesce(sum(search_count), 0)::int as today
			from request_queue
			where claimed_at >= ${dayStart}::timestamptz
			  and status in ('sending', 'sent', 'completed', 'failed')
			group by connector_id`),
		db.select().from(syncState),
		db
			.selectDistinctOn([jobRuns.connectorId])
			.from(jobRuns)
			.where(and(isNotNull(jobRuns.connectorId), like(jobRuns.job, 'sync.%')))
			.orderBy(jobRuns.connectorId, desc(jobRuns.id))
	]);
	for (const r of episodeGapRows) get(r.connector_id).gaps += r.n;
	for (const r of episodeUpgradeRows) get(r.connector_id).upgrades += r.n;
	for (const r of movieRows) {
		const s = get(r.connector_id);
		s.gaps += r.gaps;
		s.upgrades += r.upgrades;
	}
	for (const r of pendingRows) {
		const s = get(r.connector_id);
		s.queued = r.queued;
		s.queuedCommands = r.queued_commands;
	}
	for (const r of todayRows) get(r.connector_id).searchesToday = r.today;
	for (const r of syncRows) {
		const s = get(r.connectorId);
		s.lastSyncAt = r.lastSyncAt;
		s.lastSyncStatus = r.lastStatus;
		s.lastSyncError = r.lastError;
		s.lastSuccessAt = r.lastSuccessAt;
		s.lastFullSyncAt = r.lastFullSyncAt;
	}
	for (const r of syncRunRows) {
		if (r.connectorId !== null) get(r.connectorId).newestSync = r;
	}
	return stats;
}

export function statsFor(stats: Map<number, ConnectorStats>, id: number): ConnectorStats {
	return stats.get(id) ?? { ...EMPTY };
}

export interface HistoryEntryView {
	id: number;
	connectorId: number;
	connectorName: string;
	command: string;
	searchType: string;
	label: string;
	searchCount: number;
	outcome: string;
	commandStatus: string | null;
	message: string | null;
	arrCommandId: number | null;
	sentAt: Date | null;
	finishedAt: Date;
	durationMs: number | null;
}

/** The columns of a finished search as the dashboard, the History page and the API show it
 * (`search_history` joined to `connectors` for the name). */
export const HISTORY_COLUMNS = {
	id: searchHistory.id,
	connectorId: searchHistory.connectorId,
	connectorName: connectors.name,
	command: searchHistory.command,
	searchType: searchHistory.searchType,
	label: searchHistory.label,
	searchCount: searchHistory.searchCount,
	outcome: searchHistory.outcome,
	commandStatus: searchHistory.commandStatus,
	message: searchHistory.message,
	arrCommandId: searchHistory.arrCommandId,
	sentAt: searchHistory.sentAt,
	finishedAt: searchHistory.finishedAt,
	durationMs: searchHistory.durationMs
};

/** The most recent finished searches, newest first. */
export async function listHistory(
	db: DbOrTx,
	options: { limit?: number; connectorId?: number } = {}
): Promise<HistoryEntryView[]> {
	const query = db
		.select(HISTORY_COLUMNS)
		.from(searchHistory)
		.innerJoin(connectors, eq(connectors.id, searchHistory.connectorId))
		.$dynamic();
	if (options.connectorId !== undefined) {
		query.where(eq(searchHistory.connectorId, options.connectorId));
	}
	return query
		.orderBy(desc(searchHistory.finishedAt), desc(searchHistory.id))
		.limit(options.limit ?? 100);
}
