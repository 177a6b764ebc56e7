/**
 * Re-reads one series or one movie and writes it through the same write functions as sync, so
 * the same events (item.acquired / item.upgraded / item.removed) and search-state changes follow.
 * For the webhook handler: a Download/Import or delete notification names the item.
 *
 * Sonarr / Whisparr v2: `GET /api/v3/series/{id}`, `GET /api/v3/episode?seriesId=`,
 * `GET /api/v3/episodefile?seriesId=`. Radarr / Whisparr v3: `GET /api/v3/movie/{id}`.
 */
import type { Database } from '../../db';
import type { Connector } from '../../db/schema';
import {
	addStats,
	emptyStats,
	removeMoviesByArrIds,
	removeSeriesByArrIds,
	writeMovies,
	writeSeries,
	writeSeriesEpisodes,
	type WriteContext,
	type WriteStats
} from '../../db/queries/content';
import { RadarrClient, SonarrClient, type ArrClient } from '../../connectors';

export interface RefreshDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	clock?: () => Date;
	/** job_runs.id for the events' subjects, when the refresh runs as a job. */
	runId?: number;
	/** Recorded in the events' payloads: who asked (`webhook`) and why (`Download`). */
	source?: string;
	eventType?: string;
}

function contextOf(deps: RefreshDeps): WriteContext {
	return {
		...(deps.runId === undefined ? {} : { runId: deps.runId }),
		...(deps.source === undefined ? {} : { source: deps.source }),
		...(deps.eventType === undefined ? {} : { eventType: deps.eventType })
	};
}

export interface RefreshResult extends WriteStats {
	/** False when the app no longer has the item (it was removed from the mirror). */
	found: boolean;
}

/**
 * Re-reads one series (its fields, seasons, episodes and files) and writes it in one transaction;
 * a series the app no longer has (404) is removed from the mirror.
 * @throws ArrApiError when the app cannot be read (the caller decides about retries and health);
 *   Error when the connector does not hold series.
 */
export async function refreshSeries(
	deps: RefreshDeps,
	arrSeriesId: number
): Promise<RefreshResult> {
	const { db, connector, client } = deps;
	if (!(client instanceof SonarrClient)) {
		throw new Error(`connector ${connector.id} holds no series`);
	}
	const ctx = contextOf(deps);
	const found = await client.getSeries(arrSeriesId);
	if (!found) {
		const stats = await db.transaction((tx) =>
			removeSeriesByArrIds(tx, connector.id, [arrSeriesId], ctx)
		);
		return { ...stats, found: false };
	}
	const episodes = await client.listEpisodes(arrSeriesId);
	const stats = await db.transaction(async (tx) => {
		const written = await writeSeries(tx, connector.id, [found]);
		const total = addStats(emptyStats(), written);
		const seriesId = written.ids.get(arrSeriesId);
		if (seriesId !== undefined) {
			addStats(
				total,
				await writeSeriesEpisodes(tx, connector.id, seriesId, episodes.items, {
					keepArrIds: episodes.skippedIds,
					digest: episodes.digest,
					...ctx
				})
			);
		}
		return total;
	});
	return { ...stats, found: true };
}

/**
 * Re-reads one movie (with its file) and writes it; a movie the app no longer has (404) is
 * removed from the mirror.
 * @throws ArrApiError when the app cannot be read; Error when the connector does not hold movies.
 */
export async function refreshMovie(deps: RefreshDeps, arrMovieId: number): Promise<RefreshResult> {
	const { db, connector, client } = deps;
	if (!(client instanceof RadarrClient)) {
		throw new Error(`connector ${connector.id} holds no movies`);
	}
	const ctx = contextOf(deps);
	const movie = await client.getMovie(arrMovieId);
	if (!movie) {
		const stats = await db.transaction((tx) =>
			removeMoviesByArrIds(tx, connector.id, [arrMovieId], ctx)
		);
		return { ...stats, found: false };
	}
	const stats = await db.transaction((tx) => writeMovies(tx, connector.id, [movie], ctx));
	return { ...stats, found: true };
}
