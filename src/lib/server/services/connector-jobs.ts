/**
 * Syncs and sweeps as background jobs: "Sync now", "Full sync", "Sweep now", the API and the
 * scheduled syncs all start a run for one connector (services/jobs/runner.ts) — `sync.incremental`
 * or `sync.full`, `sweep` — which the UI follows through `GET /api/v1/jobs/{id}`. Both sync modes
 * lock `sync.connector.{id}`, across processes, so one connector never has two syncs at once: a
 * second start gets the running run back instead of starting another. Sweeps lock
 * `sweep.connector.{id}` the same way.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { syncState, type Connector, type JobTrigger, type SyncMode } from '../db/schema';
import { libraryKind, type LibraryKind } from '../connectors';
import {
	countOf,
	formatCount,
	formatDuration,
	libraryCounts
} from '../../components/connectors/format';
import type { JobRunView } from '../../types/jobs';
import {
	getJobRun,
	JobConflictError,
	startJob,
	type JobOutcome,
	type StartJobOptions
} from './jobs';
import { sweepOne, syncOne, type OperationDeps } from './operations';
import type { SweepKind, SweepResult } from './queue/sweep';
import type { SyncProgress, SyncReport } from './sync/sync-service';

/** A sync or sweep run as `POST /api/v1/connectors/{id}/sync` (or `/sweep`) answers it. */
export interface ConnectorJobView {
	id: number;
	/** `sync.incremental`, `sync.full` or `sweep` (the job's name). */
	kind: string;
	connectorId: number | null;
	/** The run's status: queued | running | success | partial | failed | skipped. */
	state: JobRunView['status'];
	phase: string | null;
	done: number | null;
	total: number | null;
	progress: number | null;
	message: string | null;
	error: string | null;
	startedAt: string | null;
	finishedAt: string | null;
}

/** The run in the shape of the sync and sweep endpoints. */
export function toConnectorJobView(run: JobRunView): ConnectorJobView {
	return {
		id: run.id,
		kind: run.job,
		connectorId: run.connectorId,
		state: run.status,
		phase: run.phase,
		done: run.done,
		total: run.total,
		progress: run.progress,
		message: run.message,
		error: run.error,
		startedAt: run.startedAt,
		finishedAt: run.finishedAt
	};
}

/** The job name of a sync in `mode`. */
export function syncJobName(mode: SyncMode): `sync.${SyncMode}` {
	return `sync.${mode}`;
}

/**
 * The mode a sync runs in when none is asked for: incremental once a full sync of the connector
 * has succeeded (`sync_state.last_full_sync_at`), full before.
 */
export async function defaultSyncMode(db: Database, connectorId: number): Promise<SyncMode> {
	const [row] = await db
		.select({ lastFullSyncAt: syncState.lastFullSyncAt })
		.from(syncState)
		.where(eq(syncState.connectorId, connectorId));
	return row?.lastFullSyncAt ? 'incremental' : 'full';
}

const PHASE_LABELS: Record<SyncProgress['phase'], string> = {
	profiles: 'Reading quality profiles and tags',
	series: 'Reading the series list',
	episodes: 'Reading episodes',
	history: 'Reading the history since the last sync',
	movies: 'Reading movies'
};

/** "Reading episodes: 120 of 4,000 series" — what the progress bar says. */
export function describeSyncProgress(progress: SyncProgress): string {
	const label = PHASE_LABELS[progress.phase];
	if (progress.total === null) return `${label}…`;
	const total =
		progress.phase === 'movies'
			? countOf(progress.total, 'movie')
			: countOf(progress.total, 'series', 'series');
	return `${label}: ${formatCount(progress.done)} of ${total}`;
}

/**
 * "Incremental sync: 12 series, 380 episodes in 1.2 s; 3 added, 5 updated" — the summary a run
 * ends with; for a failed sync, the reason.
 */
export function describeSyncReport(
	report: Omit<SyncReport, 'connectorId'>,
	kind: LibraryKind
): string {
	const mode = report.mode === 'full' ? 'Full sync' : 'Incremental sync';
	if (report.status === 'failed') return `${mode} failed: ${report.error ?? 'unknown error'}`;
	const changes: string[] = [];
	if (report.added > 0) changes.push(`${formatCount(report.added)} added`);
	if (report.updated > 0) changes.push(`${formatCount(report.updated)} updated`);
	if (report.removed > 0) changes.push(`${formatCount(report.removed)} removed`);
	if (report.skipped > 0) changes.push(`${countOf(report.skipped, 'malformed item')} skipped`);
	const tail = changes.length > 0 ? changes.join(', ') : 'no changes';
	const counts = libraryCounts(kind, report);
	// Their lists were not parsed (same digest as the mirror's last write).
	const unchanged =
		kind === 'series' && report.seriesUnchanged > 0
			? ` (episodes of ${formatCount(report.seriesUnchanged)} series unchanged since the last read)`
			: '';
	return `${mode}: ${counts}${unchanged} in ${formatDuration(report.durationMs)}; ${tail}`;
}

/** The run's outcome from the sync's report (partial → `partial`, failed → `failed`). */
export function syncOutcome(report: SyncReport, connector: Connector): JobOutcome {
	const message = describeSyncReport(report, libraryKind(connector));
	const result: Record<string, unknown> = {
		mode: report.mode,
		status: report.status,
		seriesCount: report.seriesCount,
		episodeCount: report.episodeCount,
		movieCount: report.movieCount,
		added: report.added,
		updated: report.updated,
		removed: report.removed,
		skipped: report.skipped,
		seriesUnchanged: report.seriesUnchanged,
		requests: report.requests,
		rowsWritten: report.rowsWritten,
		durationMs: report.durationMs
	};
	if (report.status === 'failed') {
		return { status: 'failed', error: message, message, result };
	}
	return { status: report.status === 'partial' ? 'partial' : 'success', message, result };
}

export interface StartedSync {
	/** The run started, or the one already running for this connector. */
	run: JobRunView;
	/** False when the connector's sync was already running (that run is returned). */
	started: boolean;
	/** The report once the run is done (null when this call did not start it). */
	report: Promise<SyncReport | null> | null;
}

/**
 * Starts a sync of `connector` in the background and returns at once.
 * @param options.mode default `defaultSyncMode`
 * @throws MaintenanceError during a restore; database errors.
 */
export async function startSync(
	deps: OperationDeps,
	connector: Connector,
	options: { mode?: SyncMode; trigger?: JobTrigger; userId?: number | null } = {}
): Promise<StartedSync> {
	const mode = options.mode ?? (await defaultSyncMode(deps.db, connector.id));
	let report: SyncReport | null = null;
	const joined = await startOrJoin({
		db: deps.db,
		job: syncJobName(mode),
		connectorId: connector.id,
		trigger: options.trigger ?? 'manual',
		userId: options.userId ?? null,
		...(deps.clock ? { clock: deps.clock } : {}),
		run: async (ctx) => {
			ctx.step(null, null, null, `${mode === 'full' ? 'Full' : 'Incremental'} sync…`);
			report = await syncOne(deps, connector, {
				mode,
				runId: ctx.runId,
				onProgress: (progress) =>
					ctx.step(progress.phase, progress.done, progress.total, describeSyncProgress(progress))
			});
			return syncOutcome(report, connector);
		}
	});
	return {
		run: joined.run,
		started: joined.done !== null,
		report: joined.done?.then(() => report) ?? null
	};
}

/**
 * Starts a run, or finds the one holding its lock (here or in another process).
 * @returns the run, and `done` when this call started it (null when it joined a running one)
 * @throws JobConflictError when the running run cannot be read; what `startJob` throws.
 */
async function startOrJoin(
	options: StartJobOptions
): Promise<{ run: JobRunView; done: Promise<JobRunView> | null }> {
	try {
		const started = await startJob(options);
		return { run: started.run, done: started.done };
	} catch (error) {
		if (!(error instanceof JobConflictError)) throw error;
		const running = error.runningId === null ? null : await getJobRun(options.db, error.runningId);
		if (!running) throw error;
		return { run: running, done: null };
	}
}

export interface StartedSweep {
	run: JobRunView;
	started: boolean;
	/** The sweep's result once done (null when this call did not start it, or it failed). */
	result: Promise<SweepResult | null> | null;
}

/** "Queued 7 commands (42 searches); 120 gaps, 30 upgrade candidates", or why it was skipped. */
export function describeSweepResult(
	result: Pick<SweepResult, 'skipped' | 'wanted' | 'queuedBatches' | 'queuedSearches'>
): string {
	switch (result.skipped) {
		case 'disabled':
			return 'Sweep skipped: the connector is disabled. Enable it first.';
		case 'paused':
			return (
				'Sweep skipped: the connector is paused while it is unhealthy or offline. ' +
				'A successful sync brings it back.'
			);
		case null: {
			const commands = countOf(result.queuedBatches, 'command');
			const searches = countOf(result.queuedSearches, 'search', 'searches');
			const gaps = countOf(result.wanted.gaps, 'gap');
			const upgrades = countOf(result.wanted.upgrades, 'upgrade candidate');
			return `Queued ${commands} (${searches}); ${gaps}, ${upgrades}`;
		}
	}
}

/**
 * Starts a sweep of `connector` (`kind`: gaps, upgrades or both) as a background run of `sweep`
 * and returns at once; a sweep of the connector already running is returned instead.
 * @throws MaintenanceError during a restore; database errors.
 */
export async function startSweep(
	deps: OperationDeps,
	connector: Connector,
	kind: SweepKind,
	options: { trigger?: JobTrigger; userId?: number | null } = {}
): Promise<StartedSweep> {
	let result: SweepResult | null = null;
	const joined = await startOrJoin({
		db: deps.db,
		job: 'sweep',
		connectorId: connector.id,
		trigger: options.trigger ?? 'manual',
		userId: options.userId ?? null,
		...(deps.clock ? { clock: deps.clock } : {}),
		run: async () => {
			const done = await sweepOne(deps, connector, kind);
			result = done;
			const summary = { kind, ...done, wanted: { ...done.wanted } };
			return done.skipped === null
				? { message: describeSweepResult(done), result: summary }
				: { status: 'skipped', message: describeSweepResult(done), result: summary };
		}
	});
	return {
		run: joined.run,
		started: joined.done !== null,
		result: joined.done?.then(() => result) ?? null
	};
}
