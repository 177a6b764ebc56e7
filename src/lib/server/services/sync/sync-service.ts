/**
 * Full sync of one connector's library into the content mirror.
 *
 * Sonarr: `GET /api/v3/series` (with season statistics), then per series `GET /api/v3/episode`
 * and `GET /api/v3/episodefile` (for quality and qualityCutoffNotMet). Radarr: `GET /api/v3/movie`.
 * Writes are batch upserts; items gone from the app are removed with their search state
 * (cascades). A malformed item is skipped and counted and is never removed from the mirror. A sync
 * that fails (after the HTTP layer's retries) marks the connector unhealthy/offline with the reason
 * and changes nothing else; other connectors are not affected (each sync is independent).
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../db';
import {
	syncRuns,
	syncState,
	type Connector,
	type SyncMode,
	type SyncRunStatus
} from '../../db/schema';
import {
	removeSeriesExcept,
	replaceMovies,
	replaceSeriesEpisodes,
	upsertSeries
} from '../../db/queries/content';
import { RadarrClient, SonarrClient, type ArrClient } from '../../connectors';
import { moduleLogger } from '../../logger';
import { reasonForError, recordFailure, recordSuccess } from '../health/health-state';

const log = moduleLogger('sync');

/** What a sync is doing now: the step and its counts (series, movies…). */
export interface SyncProgress {
	phase: 'profiles' | 'series' | 'episodes' | 'history' | 'movies';
	done: number;
	total: number | null;
}

export interface SyncReport {
	connectorId: number;
	mode: SyncMode;
	status: SyncRunStatus;
	seriesCount: number;
	episodeCount: number;
	movieCount: number;
	/** Items that failed validation and were skipped. */
	skipped: number;
	/** Items removed from the mirror because the app no longer has them. */
	removed: number;
	durationMs: number;
	error: string | null;
	/** Items new to the mirror / changed in it. */
	added: number;
	updated: number;
	/** HTTP requests made to the app. */
	requests: number;
	/** Mirror and search-state rows written. */
	rowsWritten: number;
}

export interface SyncDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	clock?: () => Date;
	/** Series fetched in parallel (each is two requests). Default 4. */
	seriesConcurrency?: number;
	/** Default: `incremental` once a full sync has succeeded, else `full`. */
	mode?: SyncMode;
	/** Called as the sync goes (often; keep it cheap). */
	onProgress?: (progress: SyncProgress) => void;
	/** The job run doing the sync (`job_runs.id`). */
	runId?: number;
}

/**
 * Syncs one connector. Never throws for an *arr failure: it is reported in the result and in the
 * connector's health. @throws only for database failures.
 */
export async function syncConnector(deps: SyncDeps): Promise<SyncReport> {
	const { db, connector, client } = deps;
	const clock = deps.clock ?? (() => new Date());
	const startedAt = clock();
	const started = performance.now();
	const [run] = await db
		.insert(syncRuns)
		.values({ connectorId: connector.id, status: 'running', startedAt })
		.returning({ id: syncRuns.id });
	await db
		.insert(syncState)
		.values({ connectorId: connector.id, runningSince: startedAt })
		.onConflictDoUpdate({ target: syncState.connectorId, set: { runningSince: startedAt } });

	const report: SyncReport = {
		connectorId: connector.id,
		mode: deps.mode ?? 'full',
		status: 'success',
		seriesCount: 0,
		episodeCount: 0,
		movieCount: 0,
		skipped: 0,
		removed: 0,
		durationMs: 0,
		error: null,
		added: 0,
		updated: 0,
		requests: 0,
		rowsWritten: 0
	};
	try {
		if (client instanceof RadarrClient) await syncMovies(db, connector, client, report);
		else if (client instanceof SonarrClient) {
			await syncSeries(db, connector, client, report, deps.seriesConcurrency ?? 4);
		}
		if (report.skipped > 0) report.status = 'partial';
		await recordSuccess(db, connector.id, { now: clock() });
	} catch (error) {
		report.status = 'failed';
		report.error = reasonForError(error);
		log.warn({ connectorId: connector.id, err: error }, 'sync failed');
		await recordFailure(db, connector.id, error, {
			afterRetries: true,
			context: 'Sync failed',
			now: clock()
		});
	}
	const finishedAt = clock();
	report.durationMs = Math.round(performance.now() - started);
	if (run) {
		await db
			.update(syncRuns)
			.set({
				status: report.status,
				finishedAt,
				durationMs: report.durationMs,
				seriesCount: report.seriesCount,
				episodeCount: report.episodeCount,
				movieCount: report.movieCount,
				skippedCount: report.skipped,
				removedCount: report.removed,
				error: report.error
			})
			.where(eq(syncRuns.id, run.id));
	}
	await db
		.update(syncState)
		.set({
			lastSyncAt: finishedAt,
			lastStatus: report.status,
			lastError: report.error,
			runningSince: null,
			...(report.status === 'failed' ? {} : { lastSuccessAt: finishedAt })
		})
		.where(eq(syncState.connectorId, connector.id));
	log.info({ ...report }, 'sync finished');
	return report;
}

async function syncMovies(
	db: Database,
	connector: Connector,
	client: RadarrClient,
	report: SyncReport
): Promise<void> {
	const list = await client.listMovies();
	report.skipped += list.skipped;
	report.movieCount = list.items.length;
	report.removed += await db.transaction((tx) =>
		replaceMovies(tx, connector.id, list.items, list.skippedIds)
	);
}

async function syncSeries(
	db: Database,
	connector: Connector,
	client: SonarrClient,
	report: SyncReport,
	concurrency: number
): Promise<void> {
	const list = await client.listSeries();
	report.skipped += list.skipped;
	report.seriesCount = list.items.length;
	const ids = await db.transaction(async (tx) => {
		const map = await upsertSeries(tx, connector.id, list.items);
		report.removed += await removeSeriesExcept(tx, connector.id, [
			...list.items.map((s) => s.arrId),
			...list.skippedIds
		]);
		return map;
	});

	// Episodes series by series, a few in flight; each series is written in its own transaction.
	const queue = [...list.items];
	const worker = async (): Promise<void> => {
		for (let next = queue.shift(); next; next = queue.shift()) {
			const seriesId = ids.get(next.arrId);
			if (seriesId === undefined) continue;
			let episodes;
			try {
				episodes = await client.listEpisodes(next.arrId);
			} catch (error) {
				queue.length = 0; // stop the other workers: this sync has failed
				throw error;
			}
			report.skipped += episodes.skipped;
			report.episodeCount += episodes.items.length;
			report.removed += await db.transaction((tx) =>
				replaceSeriesEpisodes(tx, connector.id, seriesId, episodes.items, episodes.skippedIds)
			);
		}
	};
	const results = await Promise.allSettled(
		Array.from({ length: Math.max(1, concurrency) }, worker)
	);
	const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failure) throw failure.reason;
}
