/**
 * Content mirror writes: batch upserts and removals, set-based (DESIGN.md decision 5).
 *
 * Upserts are multi-row `INSERT … ON CONFLICT (connector_id, arr_id) DO UPDATE … WHERE (…) IS
 * DISTINCT FROM (…)`, so unchanged rows are not rewritten. Batches of ≤ 1000 rows keep every
 * statement under PostgreSQL's 65 535-parameter limit.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../index';
import { episodes, movies, seasons, series } from '../schema';
import type { MirrorEpisode, MirrorMovie, MirrorSeries } from '../../connectors/common/types';

export const BATCH_SIZE = 1000;

export function chunk<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/**
 * `column NOT IN (ids)` with the ids as ONE jsonb parameter, so a keep-list of any length fits
 * (a plain NOT IN list binds one parameter per id, capped at 65 535).
 */
function notAmong(column: PgColumn, ids: readonly number[]): SQL {
	return sql`${column} not in (select value::int from jsonb_array_elements_text(${JSON.stringify(ids)}::text::jsonb))`;
}

/** `SET col = excluded.col` for each column, plus the IS DISTINCT FROM guard over them. */
function upsertSet(columns: Record<string, PgColumn>): { set: Record<string, SQL>; where: SQL } {
	const set: Record<string, SQL> = {};
	const current: SQL[] = [];
	const incoming: SQL[] = [];
	for (const [key, column] of Object.entries(columns)) {
		const excluded = sql`excluded.${sql.identifier(column.name)}`;
		set[key] = excluded;
		current.push(sql`${column}`);
		incoming.push(excluded);
	}
	const where = sql`(${sql.join(current, sql`, `)}) is distinct from (${sql.join(incoming, sql`, `)})`;
	return { set, where };
}

const seriesUpdate = upsertSet({
	title: series.title,
	sortTitle: series.sortTitle,
	status: series.status,
	seriesType: series.seriesType,
	monitored: series.monitored,
	year: series.year,
	tvdbId: series.tvdbId,
	imdbId: series.imdbId,
	tmdbId: series.tmdbId,
	qualityProfileId: series.qualityProfileId,
	added: series.added
});

/**
 * Upserts series and their seasons; returns arr id → our series id for every given series.
 */
export async function upsertSeries(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorSeries[]
): Promise<Map<number, number>> {
	const ids = new Map<number, number>();
	for (const batch of chunk(items, BATCH_SIZE)) {
		await db
			.insert(series)
			.values(
				batch.map((s) => ({
					connectorId,
					arrId: s.arrId,
					title: s.title,
					sortTitle: s.sortTitle,
					status: s.status,
					seriesType: s.seriesType,
					monitored: s.monitored,
					year: s.year,
					tvdbId: s.tvdbId,
					imdbId: s.imdbId,
					tmdbId: s.tmdbId,
					qualityProfileId: s.qualityProfileId,
					added: s.added
				}))
			)
			.onConflictDoUpdate({
				target: [series.connectorId, series.arrId],
				set: { ...seriesUpdate.set, syncedAt: sql`now()` },
				setWhere: seriesUpdate.where
			});
		const rows = await db
			.select({ id: series.id, arrId: series.arrId })
			.from(series)
			.where(
				and(
					eq(series.connectorId, connectorId),
					inArray(
						series.arrId,
						batch.map((s) => s.arrId)
					)
				)
			);
		for (const row of rows) ids.set(row.arrId, row.id);
	}

	const seasonRows = items.flatMap((s) => {
		const seriesId = ids.get(s.arrId);
		return seriesId === undefined
			? []
			: s.seasons.map((season) => ({ connectorId, seriesId, ...season }));
	});
	const seasonUpdate = upsertSet({
		monitored: seasons.monitored,
		episodeFileCount: seasons.episodeFileCount,
		episodeCount: seasons.episodeCount,
		totalEpisodeCount: seasons.totalEpisodeCount,
		nextAiring: seasons.nextAiring,
		previousAiring: seasons.previousAiring
	});
	for (const batch of chunk(seasonRows, BATCH_SIZE)) {
		await db
			.insert(seasons)
			.values(batch)
			.onConflictDoUpdate({
				target: [seasons.seriesId, seasons.seasonNumber],
				set: { ...seasonUpdate.set, syncedAt: sql`now()` },
				setWhere: seasonUpdate.where
			});
	}
	// Seasons that disappeared from a series that is still there.
	if (ids.size > 0) {
		const keys = JSON.stringify(seasonRows.map((r) => [r.seriesId, r.seasonNumber]));
		const seriesIds = JSON.stringify([...ids.values()]);
		await db.execute(sql`
			delete from ${seasons} s
			where s.connector_id = ${connectorId}
			  and s.series_id in (select value::int from jsonb_array_elements_text(${seriesIds}::text::jsonb))
			  and (s.series_id, s.season_number) not in (
				select (k->>0)::int, (k->>1)::int from jsonb_array_elements(${keys}::text::jsonb) k)`);
	}
	return ids;
}

/** Removes the series of a connector whose arr ids are not in `keepArrIds` (cascades). Returns the count. */
export async function removeSeriesExcept(
	db: DbOrTx,
	connectorId: number,
	keepArrIds: readonly number[]
): Promise<number> {
	const removed = await db
		.delete(series)
		.where(and(eq(series.connectorId, connectorId), notAmong(series.arrId, keepArrIds)))
		.returning({ id: series.id });
	return removed.length;
}

const episodeUpdate = upsertSet({
	seriesId: episodes.seriesId,
	seasonNumber: episodes.seasonNumber,
	episodeNumber: episodes.episodeNumber,
	title: episodes.title,
	airDateUtc: episodes.airDateUtc,
	runtime: episodes.runtime,
	monitored: episodes.monitored,
	hasFile: episodes.hasFile,
	episodeFileId: episodes.episodeFileId,
	quality: episodes.quality,
	qualityCutoffNotMet: episodes.qualityCutoffNotMet,
	lastSearchTime: episodes.lastSearchTime
});

/**
 * Upserts the episodes of one series and removes that series' episodes not listed
 * (`keepArrIds` adds ids that were present but unreadable). Returns the number removed.
 */
export async function replaceSeriesEpisodes(
	db: DbOrTx,
	connectorId: number,
	seriesId: number,
	items: readonly MirrorEpisode[],
	keepArrIds: readonly number[] = []
): Promise<number> {
	for (const batch of chunk(items, BATCH_SIZE)) {
		await db
			.insert(episodes)
			.values(
				batch.map((e) => ({
					connectorId,
					seriesId,
					arrId: e.arrId,
					seasonNumber: e.seasonNumber,
					episodeNumber: e.episodeNumber,
					title: e.title,
					airDateUtc: e.airDateUtc,
					runtime: e.runtime,
					monitored: e.monitored,
					hasFile: e.hasFile,
					episodeFileId: e.episodeFileId,
					quality: e.quality,
					qualityCutoffNotMet: e.qualityCutoffNotMet,
					lastSearchTime: e.lastSearchTime
				}))
			)
			.onConflictDoUpdate({
				target: [episodes.connectorId, episodes.arrId],
				set: { ...episodeUpdate.set, syncedAt: sql`now()` },
				setWhere: episodeUpdate.where
			});
	}
	const keep = [...items.map((e) => e.arrId), ...keepArrIds];
	const removed = await db
		.delete(episodes)
		.where(and(eq(episodes.seriesId, seriesId), notAmong(episodes.arrId, keep)))
		.returning({ id: episodes.id });
	return removed.length;
}

const movieUpdate = upsertSet({
	title: movies.title,
	sortTitle: movies.sortTitle,
	year: movies.year,
	status: movies.status,
	monitored: movies.monitored,
	hasFile: movies.hasFile,
	movieFileId: movies.movieFileId,
	quality: movies.quality,
	qualityCutoffNotMet: movies.qualityCutoffNotMet,
	minimumAvailability: movies.minimumAvailability,
	isAvailable: movies.isAvailable,
	tmdbId: movies.tmdbId,
	imdbId: movies.imdbId,
	releaseDate: movies.releaseDate,
	lastSearchTime: movies.lastSearchTime,
	added: movies.added
});

/** Upserts movies; removes the connector's movies not listed. Returns the number removed. */
export async function replaceMovies(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorMovie[],
	keepArrIds: readonly number[] = []
): Promise<number> {
	for (const batch of chunk(items, BATCH_SIZE)) {
		await db
			.insert(movies)
			.values(batch.map((m) => ({ connectorId, ...m })))
			.onConflictDoUpdate({
				target: [movies.connectorId, movies.arrId],
				set: { ...movieUpdate.set, syncedAt: sql`now()` },
				setWhere: movieUpdate.where
			});
	}
	const keep = [...items.map((m) => m.arrId), ...keepArrIds];
	const removed = await db
		.delete(movies)
		.where(and(eq(movies.connectorId, connectorId), notAmong(movies.arrId, keep)))
		.returning({ id: movies.id });
	return removed.length;
}
