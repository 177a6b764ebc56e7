/**
 * Sync of one connector's library into the content mirror, incremental or full (issue 8).
 *
 * Sonarr / Whisparr v2:
 * 1. `GET /api/v3/series`, parsed as it streams and written in batches: a series whose fields or
 *    season statistics (episodeFileCount, episodeCount, totalEpisodeCount, sizeOnDisk,
 *    previousAiring, nextAiring, monitored) differ from the mirror is written and marked as
 *    needing its episodes re-read (`series_sync_pending`). Series gone from the app are removed.
 * 2. `GET /api/v3/qualityprofile` (profiles are small and their cutoff decides which files are
 *    upgrade candidates, so every sync reads them: one request).
 * 3. Incremental only: `GET /api/v3/history/since?date=` from the start of the last successful
 *    sync (minus {@link HISTORY_OVERLAP_MS} against clock skew) marks the series of every import
 *    and file deletion since, which the statistics miss when the file count stays the same (an
 *    upgrade, a deleted file re-grabbed). A quality profile whose cutoff, upgradeAllowed or format
 *    scores changed marks every series using it.
 * 4. `GET /api/v3/episode?seriesId=` + `GET /api/v3/episodefile?seriesId=` for the marked series
 *    (incremental) or for every series (full), a few series in flight; each series is written,
 *    and its mark cleared, in its own transaction.
 * `GET /api/v3/tag` is read on a full sync, and on an incremental one only when a series or movie
 * carries a tag id the mirror does not know. So with nothing changed an incremental sync makes
 * 3 requests (Sonarr) or 2 (Radarr) and writes no mirror or search-state row.
 *
 * Radarr / Whisparr v3: `GET /api/v3/movie` streamed and compared batch by batch (the embedded
 * movieFile carries quality, customFormatScore and qualityCutoffNotMet, so history is not needed);
 * only changed rows are written; then `GET /api/v3/qualityprofile`. Incremental and full differ
 * only in the tags read.
 *
 * Events (item.acquired / item.upgraded / item.removed) and search-state clearing happen inside the
 * write functions of db/queries/content.ts, in the transaction of each write. The run ends with one
 * transaction that finishes the sync_runs row, updates sync_state and appends `sync.completed` or
 * `sync.failed`.
 *
 * Failure semantics: an *arr failure (after the HTTP layer's retries) is reported in the result and
 * in the connector's health, never thrown. What was written before it stays written and is
 * consistent (every batch and every series is its own transaction; removals happen only after a
 * complete listing; marks are cleared only with the episodes they ask for), and the next sync
 * completes it: marked series stay marked, and `last_sync_started_at` does not advance, so history
 * is asked again from the same instant.
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
	addStats,
	emptyStats,
	markSeriesPending,
	mirroredSeries,
	settleUnchangedSeries,
	mirroredTagIds,
	pendingSeries,
	removeMoviesExcept,
	removeSeriesExceptWithStats,
	writeMovies,
	writeQualityProfiles,
	writeEpisodesOfSeries,
	writeSeries,
	writeTags,
	type SeriesEpisodes,
	type SeriesToRead,
	type WriteStats
} from '../../db/queries/content';
import { appendEvents } from '../../db/queries/events';
import {
	ArrApiError,
	RadarrClient,
	SonarrClient,
	type ArrClient,
	type MirrorQualityProfile
} from '../../connectors';
import { moduleLogger } from '../../logger';
import { reasonForError, recordFailure, recordSuccess } from '../health/health-state';

const log = moduleLogger('sync');

/** History is asked from this long before the last sync's start, against clock skew. */
export const HISTORY_OVERLAP_MS = 60_000;

/**
 * History event types (Sonarr EpisodeHistoryEventType, Radarr MovieHistoryEventType) that change
 * an episode's file: its episodes and files are re-read. Grabs change nothing until imported.
 */
const FILE_EVENTS: ReadonlySet<string> = new Set([
	'downloadFolderImported',
	'seriesFolderImported',
	'episodeFileDeleted',
	'movieFolderImported',
	'movieFileDeleted'
]);

/** Where a sync is; `total` is null while unknown (a streamed list). */
export interface SyncProgress {
	phase: 'profiles' | 'series' | 'episodes' | 'history' | 'movies';
	done: number;
	total: number | null;
}

export interface SyncReport {
	connectorId: number;
	status: SyncRunStatus;
	mode: SyncMode;
	/** Series listed by the app. */
	seriesCount: number;
	/** Episodes read (incremental: of the series re-read only). */
	episodeCount: number;
	/** Movies listed by the app. */
	movieCount: number;
	/** Items that failed validation and were skipped. */
	skipped: number;
	/** Items new to the mirror (series, episodes, movies). */
	added: number;
	/** Items already mirrored that changed. */
	updated: number;
	/** Items removed from the mirror because the app no longer has them. */
	removed: number;
	/**
	 * Series whose episode lists came back as the mirror last wrote them (the same digest,
	 * `series.episodes_digest`): neither parsed nor compared. Their episodes count in
	 * `episodeCount` from the mirror, which the digest says matches what the app listed.
	 */
	seriesUnchanged: number;
	/** HTTP requests made to the app, retries included. */
	requests: number;
	/** Mirror and search-state rows inserted, updated or deleted (see WriteStats.rowsWritten). */
	rowsWritten: number;
	durationMs: number;
	error: string | null;
}

export interface SyncDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	clock?: () => Date;
	/** Series whose episodes are fetched in parallel (each is two requests). Default 4. */
	seriesConcurrency?: number;
	/** Default: 'incremental' once sync_state.last_full_sync_at is set, else 'full'. */
	mode?: SyncMode;
	/** Called often (per batch, per series); must be cheap. */
	onProgress?: (p: SyncProgress) => void;
	/** job_runs.id: stored in sync_runs.job_run_id and in the subject of every event. */
	runId?: number;
	/**
	 * Episodes gathered from several series before one write transaction (a series is never
	 * split). Default {@link EPISODE_WRITE_BATCH}; tests use 1 to write series one by one.
	 */
	episodeWriteBatch?: number;
}

/** What one sync run shares between its phases. */
interface Run {
	db: Database;
	connector: Connector;
	mode: SyncMode;
	report: SyncReport;
	stats: WriteStats;
	progress: (p: SyncProgress) => void;
	ctx: { runId?: number };
	/** Start of the last successful sync (history baseline), null when none. */
	since: Date | null;
	concurrency: number;
	episodeWriteBatch: number;
}

/**
 * Syncs one connector (see the module comment for the requests and writes of each mode).
 * Never throws for an *arr failure: it is reported in the result (`status: 'failed'`, `error`) and
 * in the connector's health. @throws only for database failures.
 */
export async function syncConnector(deps: SyncDeps): Promise<SyncReport> {
	const { db, connector, client } = deps;
	const clock = deps.clock ?? (() => new Date());
	const startedAt = clock();
	const started = performance.now();
	const [state] = await db.select().from(syncState).where(eq(syncState.connectorId, connector.id));
	const mode: SyncMode = deps.mode ?? (state?.lastFullSyncAt ? 'incremental' : 'full');
	const [run] = await db
		.insert(syncRuns)
		.values({
			connectorId: connector.id,
			status: 'running',
			mode,
			startedAt,
			...(deps.runId === undefined ? {} : { jobRunId: deps.runId })
		})
		.returning({ id: syncRuns.id });
	await db
		.insert(syncState)
		.values({ connectorId: connector.id, runningSince: startedAt })
		.onConflictDoUpdate({ target: syncState.connectorId, set: { runningSince: startedAt } });

	const report: SyncReport = {
		connectorId: connector.id,
		status: 'success',
		mode,
		seriesCount: 0,
		episodeCount: 0,
		movieCount: 0,
		skipped: 0,
		added: 0,
		updated: 0,
		removed: 0,
		seriesUnchanged: 0,
		requests: 0,
		rowsWritten: 0,
		durationMs: 0,
		error: null
	};
	const requestsBefore = client.http.requestCount;
	const ctx: Run = {
		db,
		connector,
		mode,
		report,
		stats: emptyStats(),
		progress: deps.onProgress ?? (() => {}),
		ctx: deps.runId === undefined ? {} : { runId: deps.runId },
		since: state?.lastSyncStartedAt ?? null,
		concurrency: Math.max(1, deps.seriesConcurrency ?? 4),
		episodeWriteBatch: Math.max(1, deps.episodeWriteBatch ?? EPISODE_WRITE_BATCH)
	};
	try {
		if (client instanceof RadarrClient) await syncMovies(ctx, client);
		else if (client instanceof SonarrClient) await syncSeries(ctx, client);
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
	report.added = ctx.stats.added;
	report.updated = ctx.stats.updated;
	report.removed = ctx.stats.removed;
	report.rowsWritten = ctx.stats.rowsWritten;
	report.requests = client.http.requestCount - requestsBefore;
	const finishedAt = clock();
	report.durationMs = Math.round(performance.now() - started);
	const succeeded = report.status !== 'failed';
	await db.transaction(async (tx) => {
		if (run) {
			await tx
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
					addedCount: report.added,
					updatedCount: report.updated,
					requestCount: report.requests,
					rowsWritten: report.rowsWritten,
					error: report.error
				})
				.where(eq(syncRuns.id, run.id));
		}
		await tx
			.update(syncState)
			.set({
				lastSyncAt: finishedAt,
				lastStatus: report.status,
				lastError: report.error,
				runningSince: null,
				...(succeeded ? { lastSuccessAt: finishedAt, lastSyncStartedAt: startedAt } : {}),
				...(succeeded && mode === 'full' ? { lastFullSyncAt: finishedAt } : {})
			})
			.where(eq(syncState.connectorId, connector.id));
		await appendEvents(tx, [
			{
				type: succeeded ? 'sync.completed' : 'sync.failed',
				connectorId: connector.id,
				subject: ctx.ctx,
				payload: { ...report, syncRunId: run?.id ?? null }
			}
		]);
	});
	log.info({ ...report }, 'sync finished');
	return report;
}

/** Reads `GET /api/v3/qualityprofile` (phase 'profiles'). */
async function readProfiles(run: Run, client: ArrClient): Promise<MirrorQualityProfile[]> {
	run.progress({ phase: 'profiles', done: 0, total: null });
	const profiles = await client.listQualityProfiles();
	run.report.skipped += profiles.skipped;
	run.progress({ phase: 'profiles', done: profiles.items.length, total: profiles.items.length });
	return profiles.items;
}

/**
 * Writes the profiles; on an incremental series sync marks the series using a profile whose
 * judging fields changed. Tags are re-read on a full sync or when an unknown tag id was seen.
 */
async function writeProfilesAndTags(
	run: Run,
	client: ArrClient,
	profiles: readonly MirrorQualityProfile[],
	seenTagIds: ReadonlySet<number>,
	markSeries: boolean
): Promise<void> {
	const { db, connector } = run;
	await db.transaction(async (tx) => {
		const written = await writeQualityProfiles(tx, connector.id, profiles);
		run.stats.rowsWritten += written.rowsWritten;
		if (markSeries && written.judgingChanged.length > 0) {
			await markSeriesPending(
				tx,
				connector.id,
				{ qualityProfileArrIds: written.judgingChanged },
				'profile'
			);
		}
	});
	const known = await mirroredTagIds(db, connector.id);
	const unknown = [...seenTagIds].some((id) => !known.has(id));
	if (run.mode === 'full' || unknown) {
		const list = await client.listTags();
		run.stats.rowsWritten += await db.transaction((tx) => writeTags(tx, connector.id, list.items));
	}
}

/**
 * Runs `write` for each batch `source` yields, one write at a time, while the next batch is read:
 * the reading is this process's CPU (parsing), the writing mostly PostgreSQL's, so the two
 * overlap. At most two batches are held (the one being written, the one being read).
 * @throws the first failure of either side, once the write in flight has settled.
 */
async function writeWhileReading<T>(
	source: AsyncIterable<T>,
	write: (batch: T) => Promise<void>
): Promise<void> {
	let writing: Promise<void> = Promise.resolve();
	try {
		for await (const batch of source) {
			await writing;
			writing = write(batch);
			// Awaited before the next write or below; this only keeps a failure that happens while
			// the next batch is read from counting as unhandled.
			writing.catch(() => {});
		}
		await writing;
	} finally {
		await writing.catch(() => {});
	}
}

async function syncMovies(run: Run, client: RadarrClient): Promise<void> {
	const { db, connector } = run;
	const seen: number[] = [];
	const tagIds = new Set<number>();
	run.progress({ phase: 'movies', done: 0, total: null });
	await writeWhileReading(client.streamMovies(), async (batch) => {
		run.report.skipped += batch.skipped;
		run.report.movieCount += batch.items.length;
		for (const m of batch.items) {
			seen.push(m.arrId);
			for (const t of m.tags) tagIds.add(t);
		}
		seen.push(...batch.skippedIds);
		const stats = await db.transaction((tx) => writeMovies(tx, connector.id, batch.items, run.ctx));
		addStats(run.stats, stats);
		run.progress({ phase: 'movies', done: run.report.movieCount, total: null });
	});
	// Only after the whole list: a list that broke off must not remove what it did not reach.
	addStats(
		run.stats,
		await db.transaction((tx) => removeMoviesExcept(tx, connector.id, seen, run.ctx))
	);
	const profiles = await readProfiles(run, client);
	await writeProfilesAndTags(run, client, profiles, tagIds, false);
}

async function syncSeries(run: Run, client: SonarrClient): Promise<void> {
	const { db, connector } = run;
	const seen: number[] = [];
	const tagIds = new Set<number>();
	run.progress({ phase: 'series', done: 0, total: null });
	await writeWhileReading(client.streamSeries(), async (batch) => {
		run.report.skipped += batch.skipped;
		run.report.seriesCount += batch.items.length;
		for (const s of batch.items) {
			seen.push(s.arrId);
			for (const t of s.tags) tagIds.add(t);
		}
		seen.push(...batch.skippedIds);
		const written = await db.transaction((tx) => writeSeries(tx, connector.id, batch.items));
		addStats(run.stats, written);
		run.progress({ phase: 'series', done: run.report.seriesCount, total: null });
	});
	addStats(
		run.stats,
		await db.transaction((tx) => removeSeriesExceptWithStats(tx, connector.id, seen, run.ctx))
	);
	const profiles = await readProfiles(run, client);
	await writeProfilesAndTags(run, client, profiles, tagIds, run.mode === 'incremental');

	if (run.mode === 'incremental' && run.since) {
		run.progress({ phase: 'history', done: 0, total: null });
		const since = new Date(run.since.getTime() - HISTORY_OVERLAP_MS);
		const arrSeriesIds = new Set<number>();
		let read = 0;
		for await (const batch of client.historySince(since)) {
			read += batch.items.length;
			for (const h of batch.items) {
				if (h.arrSeriesId !== null && FILE_EVENTS.has(h.eventType)) arrSeriesIds.add(h.arrSeriesId);
			}
			run.progress({ phase: 'history', done: read, total: null });
		}
		if (arrSeriesIds.size > 0) {
			await db.transaction((tx) =>
				markSeriesPending(tx, connector.id, { arrIds: [...arrSeriesIds] }, 'history')
			);
		}
	}

	const todo =
		run.mode === 'full'
			? await mirroredSeries(db, connector.id)
			: await pendingSeries(db, connector.id);
	await syncEpisodes(run, client, todo);
}

/** Episodes gathered from several series before they are written in one transaction. */
export const EPISODE_WRITE_BATCH = 2000;

/**
 * Phase 'episodes': reads the episodes of `todo`, `run.concurrency` series at once, and writes
 * them in transactions of about `run.episodeWriteBatch` episodes (one series is never split).
 * Writes run one after another while the next series are fetched; a reader that fills a batch
 * waits only for the write before it, so at most about two batches are held.
 */
async function syncEpisodes(
	run: Run,
	client: SonarrClient,
	todo: readonly SeriesToRead[]
): Promise<void> {
	const { db, connector } = run;
	const total = todo.length;
	let done = 0;
	run.progress({ phase: 'episodes', done, total });
	let next = 0;
	let failed = false;
	let buffer: SeriesEpisodes[] = [];
	let buffered = 0;
	/** Series read back unchanged since the last flush: only their pending marks are cleared. */
	let unchanged: { seriesId: number; digest: string }[] = [];
	let writing: Promise<void> = Promise.resolve();
	/** Queues the buffer's write; resolves when the write before it is done (double buffering). */
	const flush = (): Promise<void> => {
		const batch = buffer;
		const settled = unchanged;
		buffer = [];
		buffered = 0;
		unchanged = [];
		const previous = writing;
		if (batch.length === 0 && settled.length === 0) return previous;
		writing = previous.then(async () => {
			const stats = await db.transaction(async (tx) => {
				run.report.episodeCount += await settleUnchangedSeries(tx, settled);
				return writeEpisodesOfSeries(tx, connector.id, batch, run.ctx);
			});
			addStats(run.stats, stats);
			done += batch.length;
			run.progress({ phase: 'episodes', done, total });
		});
		// Handled here so a failed write is never an unhandled rejection while no reader waits on
		// it; it stops the readers, and whoever awaits the chain next gets the error.
		writing.catch(() => {
			failed = true;
		});
		return previous;
	};
	const worker = async (): Promise<void> => {
		while (!failed && next < todo.length) {
			const item = todo[next++]!;
			let episodes;
			try {
				episodes = await client.listEpisodes(item.arrId, { unlessDigest: item.episodesDigest });
			} catch (error) {
				// Deleted since the listing: the next sync's listing removes it.
				if (error instanceof ArrApiError && error.kind === 'not_found') continue;
				failed = true; // stop the other workers: this sync has failed
				throw error;
			}
			if (episodes.unchanged) {
				// The app sent the bytes the mirror was written from: nothing to parse or compare.
				run.report.seriesUnchanged++;
				unchanged.push({ seriesId: item.seriesId, digest: episodes.digest });
				done++;
				run.progress({ phase: 'episodes', done, total });
				// Settled in batches: their pending marks, a digest check and an episode count.
				if (unchanged.length >= run.episodeWriteBatch) await flush();
				continue;
			}
			run.report.skipped += episodes.skipped;
			run.report.episodeCount += episodes.items.length;
			buffer.push({
				seriesId: item.seriesId,
				items: episodes.items,
				keepArrIds: episodes.skippedIds,
				digest: episodes.digest
			});
			buffered += episodes.items.length;
			if (buffered >= run.episodeWriteBatch) await flush();
		}
	};
	const results = await Promise.allSettled(Array.from({ length: run.concurrency }, worker));
	const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failure) {
		// What was read before the failure is still written: it is complete per series.
		await flush().catch(() => {});
		await writing.catch(() => {});
		throw failure.reason;
	}
	await flush();
	await writing;
}
