/**
 * Shared pieces of the JSON API v1 route handlers: id parsing and the connector representation (`ConnectorView` + `lastSyncAt` + `stats`).
 */
import { ApiError } from '../http/api';
import { toView, type ConnectorView } from '../services/connectors/connector-service';
import type { Connector, JobRun } from '../db/schema';
import { liveRun, toJobView } from '../services/jobs';
import { isLive, type JobRunView } from '../../types/jobs';
import { connectorStats, statsFor, type ConnectorStats } from '../db/queries/stats';
import type { DbOrTx } from '../db';
import { getSettings } from '../services/settings/settings-service';

/** `params.id` as a positive integer. @throws ApiError 404 otherwise. */
export function parseId(raw: string | undefined, what = 'Connector'): number {
	const id = Number(raw);
	if (!raw || !Number.isSafeInteger(id) || id <= 0) {
		throw new ApiError(404, 'connectors.not_found', `${what} ${raw ?? ''} does not exist`);
	}
	return id;
}

/** The sync running now, as the connector resource shows it. */
export interface SyncStatus {
	running: boolean;
	/** The run (`GET /api/v1/jobs/{id}`), null when none runs. */
	jobId: number | null;
	kind: string | null;
	phase: string | null;
	done: number | null;
	total: number | null;
}

export interface ConnectorResource extends ConnectorView {
	/** End of the last successful sync of either kind. */
	lastSyncAt: Date | null;
	/** End of the last successful full reconciliation. */
	lastFullSyncAt: Date | null;
	/** Status of the last sync, whatever its outcome (`success`, `partial`, `failed`). */
	lastSyncStatus: string | null;
	sync: SyncStatus;
	/** The newest sync run (running or finished) with its progress or summary. */
	syncRun: JobRunView | null;
	stats: Pick<ConnectorStats, 'gaps' | 'upgrades' | 'queued' | 'searchesToday'>;
}

export function toResource(connector: Connector, stats: ConnectorStats): ConnectorResource {
	return {
		...toView(connector),
		lastSyncAt: stats.lastSuccessAt,
		lastFullSyncAt: stats.lastFullSyncAt,
		lastSyncStatus: stats.lastSyncStatus,
		...syncOf(stats.newestSync),
		stats: {
			gaps: stats.gaps,
			upgrades: stats.upgrades,
			queued: stats.queued,
			searchesToday: stats.searchesToday
		}
	};
}

const IDLE: SyncStatus = {
	running: false,
	jobId: null,
	kind: null,
	phase: null,
	done: null,
	total: null
};

/**
 * The running sync's status and the newest sync run; this process's live view of a run it runs
 * (fresher than the row).
 */
function syncOf(row: JobRun | null): { sync: SyncStatus; syncRun: JobRunView | null } {
	if (!row) return { sync: IDLE, syncRun: null };
	const run = liveRun(row.id) ?? toJobView(row);
	if (!isLive(run.status)) return { sync: IDLE, syncRun: run };
	return {
		sync: {
			running: true,
			jobId: run.id,
			kind: run.job,
			phase: run.phase,
			done: run.done,
			total: run.total
		},
		syncRun: run
	};
}

/** Resources for a list of connectors, with their numbers. */
export async function toResources(
	db: DbOrTx,
	list: Connector[],
	now = new Date()
): Promise<ConnectorResource[]> {
	const { timeZone } = (await getSettings(db)).general;
	const stats = await connectorStats(db, now, timeZone);
	return list.map((c) => toResource(c, statsFor(stats, c.id)));
}
