/**
 * The read model of the series and movie pages (`GET /api/v1/series/{id}`, `/movies/{id}`): the
 * mirrored item with its file / quality state and, per episode or movie, its search state from
 * the search registry (state, attempts, last searched, next eligible, failure category) and any
 * priority override. Ids are ours.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, episodes, movies, series, seasons } from '../../db/schema';
import type { FailureCategory, RegistryState, SearchType } from '../../db/schema';
import { MovieNotFoundError, SeriesNotFoundError, inIds } from './item-scope';

/** An item's search registry row, as the pages show it (null when it is not wanted). */
export interface SearchStateView {
	/** `gap` (missing) or `upgrade` (cutoff unmet). */
	searchType: SearchType;
	state: RegistryState;
	attempts: number;
	lastSearchedAt: Date | null;
	nextEligibleAt: Date;
	failureCategory: FailureCategory | null;
}

export interface EpisodeView {
	id: number;
	arrId: number;
	seasonNumber: number;
	episodeNumber: number | null;
	title: string | null;
	airDateUtc: Date | null;
	monitored: boolean;
	hasFile: boolean;
	/** Quality name of the file, e.g. `HDTV-720p`. */
	quality: string | null;
	/** True when the file meets its quality profile's cutoff (false without a file). */
	cutoffMet: boolean;
	customFormatScore: number | null;
	/** When the app itself last searched it (Sonarr `EpisodeResource.lastSearchTime`), null if never. */
	arrLastSearchAt: Date | null;
	search: SearchStateView | null;
	/** The override set on this episode (points; 0 when none; the series' is on the series). */
	override: number;
}

export interface SeasonView {
	seasonNumber: number;
	monitored: boolean;
	episodeFileCount: number;
	totalEpisodeCount: number;
	episodes: EpisodeView[];
}

export interface SeriesDetail {
	id: number;
	arrId: number;
	title: string;
	year: number | null;
	status: string | null;
	monitored: boolean;
	connector: { id: number; name: string; type: string };
	/** The mirrored quality profile's name (null when the profile is unknown) and tag labels. */
	qualityProfile: string | null;
	tags: string[];
	/** The override set on the series (inherited by every episode), and on its connector. */
	override: number;
	connectorOverride: number;
	seasons: SeasonView[];
}

export interface MovieDetail {
	id: number;
	arrId: number;
	title: string;
	year: number | null;
	status: string | null;
	monitored: boolean;
	hasFile: boolean;
	quality: string | null;
	cutoffMet: boolean;
	customFormatScore: number | null;
	releaseDate: Date | null;
	/** When the app itself last searched it (Radarr `MovieResource.lastSearchTime`), null if never. */
	arrLastSearchAt: Date | null;
	connector: { id: number; name: string; type: string };
	qualityProfile: string | null;
	tags: string[];
	override: number;
	connectorOverride: number;
	search: SearchStateView | null;
}

type RegistryRow = {
	episode_id: number | null;
	movie_id: number | null;
	search_type: SearchType;
	state: RegistryState;
	attempts: number;
	last_searched_at: string | Date | null;
	next_eligible_at: string | Date;
	failure_category: FailureCategory | null;
};

function toSearchState(r: RegistryRow): SearchStateView {
	return {
		searchType: r.search_type,
		state: r.state,
		attempts: r.attempts,
		lastSearchedAt: r.last_searched_at === null ? null : new Date(r.last_searched_at),
		nextEligibleAt: new Date(r.next_eligible_at),
		failureCategory: r.failure_category
	};
}

/** The profile's name and the tags' labels of an item (mirrored `quality_profiles`, `tags`). */
async function profileAndTags(
	db: DbOrTx,
	item: { connectorId: number; qualityProfileId: number | null; tags: number[] | null }
): Promise<{ qualityProfile: string | null; tags: string[] }> {
	const tagIds = item.tags ?? [];
	const [profile, labels] = await Promise.all([
		item.qualityProfileId === null
			? []
			: db.execute<{ name: string }>(sql`
				select name from quality_profiles
				where connector_id = ${item.connectorId} and arr_id = ${item.qualityProfileId}`),
		tagIds.length === 0
			? []
			: db.execute<{ arr_id: number; label: string }>(sql`
				select arr_id, label from tags
				where connector_id = ${item.connectorId} and ${inIds(sql`arr_id`, tagIds)}`)
	]);
	const byId = new Map(labels.map((t) => [t.arr_id, t.label]));
	return {
		qualityProfile: profile[0]?.name ?? null,
		tags: tagIds.flatMap((t) => {
			const label = byId.get(t);
			return label === undefined ? [] : [label];
		})
	};
}

async function connectorOverride(db: DbOrTx, connectorId: number): Promise<number> {
	const [row] = await db.execute<{ delta: number }>(sql`
		select delta from priority_overrides where connector_id = ${connectorId}
		  and series_id is null and episode_id is null and movie_id is null`);
	return row?.delta ?? 0;
}

/**
 * A series with its seasons and episodes (season, then episode order), each with its search state.
 * A gap row is shown before an upgrade row when an item has both (it cannot: a file ends a gap).
 * @throws SeriesNotFoundError (404).
 */
export async function getSeriesDetail(db: DbOrTx, id: number): Promise<SeriesDetail> {
	const [row] = await db
		.select({ s: series, c: { id: connectors.id, name: connectors.name, type: connectors.type } })
		.from(series)
		.innerJoin(connectors, eq(connectors.id, series.connectorId))
		.where(eq(series.id, id));
	if (!row) throw new SeriesNotFoundError(id);
	const [seasonRows, episodeRows, overrides] = await Promise.all([
		db.select().from(seasons).where(eq(seasons.seriesId, id)).orderBy(asc(seasons.seasonNumber)),
		db
			.select()
			.from(episodes)
			.where(eq(episodes.seriesId, id))
			.orderBy(asc(episodes.seasonNumber), asc(episodes.episodeNumber), asc(episodes.id)),
		db.execute<{ series_id: number | null; episode_id: number | null; delta: number }>(sql`
			select series_id, episode_id, delta from priority_overrides
			where series_id = ${id} or episode_id in (select id from episodes where series_id = ${id})`)
	]);
	const registry =
		episodeRows.length === 0
			? []
			: await db.execute<RegistryRow>(sql`
				select episode_id, movie_id, search_type, state, attempts, last_searched_at,
				       next_eligible_at, failure_category
				from search_registry r
				where ${inIds(
					sql`r.episode_id`,
					episodeRows.map((e) => e.id)
				)}
				order by r.search_type`);
	const searchOf = new Map<number, SearchStateView>();
	for (const r of registry) {
		if (r.episode_id !== null && !searchOf.has(r.episode_id)) {
			searchOf.set(r.episode_id, toSearchState(r as RegistryRow));
		}
	}
	const episodeOverride = new Map(
		overrides.flatMap((o) => (o.episode_id === null ? [] : [[o.episode_id, o.delta] as const]))
	);
	const bySeason = new Map<number, SeasonView>();
	for (const s of seasonRows) {
		bySeason.set(s.seasonNumber, {
			seasonNumber: s.seasonNumber,
			monitored: s.monitored,
			episodeFileCount: s.episodeFileCount,
			totalEpisodeCount: s.totalEpisodeCount,
			episodes: []
		});
	}
	for (const e of episodeRows) {
		let season = bySeason.get(e.seasonNumber);
		if (!season) {
			season = {
				seasonNumber: e.seasonNumber,
				monitored: e.monitored,
				episodeFileCount: 0,
				totalEpisodeCount: 0,
				episodes: []
			};
			bySeason.set(e.seasonNumber, season);
		}
		season.episodes.push({
			id: e.id,
			arrId: e.arrId,
			seasonNumber: e.seasonNumber,
			episodeNumber: e.episodeNumber,
			title: e.title,
			airDateUtc: e.airDateUtc,
			monitored: e.monitored,
			hasFile: e.hasFile,
			quality: e.quality,
			cutoffMet: e.hasFile && !e.qualityCutoffNotMet,
			customFormatScore: e.customFormatScore,
			arrLastSearchAt: e.lastSearchTime,
			search: searchOf.get(e.id) ?? null,
			override: episodeOverride.get(e.id) ?? 0
		});
	}
	const s = row.s;
	return {
		id: s.id,
		arrId: s.arrId,
		title: s.title,
		year: s.year,
		status: s.status,
		monitored: s.monitored,
		connector: row.c,
		...(await profileAndTags(db, s)),
		override: overrides.find((o) => o.series_id === id)?.delta ?? 0,
		connectorOverride: await connectorOverride(db, s.connectorId),
		seasons: [...bySeason.values()].sort((a, b) => a.seasonNumber - b.seasonNumber)
	};
}

/** A movie with its file state and search state. @throws MovieNotFoundError (404). */
export async function getMovieDetail(db: DbOrTx, id: number): Promise<MovieDetail> {
	const [row] = await db
		.select({ m: movies, c: { id: connectors.id, name: connectors.name, type: connectors.type } })
		.from(movies)
		.innerJoin(connectors, eq(connectors.id, movies.connectorId))
		.where(eq(movies.id, id));
	if (!row) throw new MovieNotFoundError(id);
	const [registry, override] = await Promise.all([
		db.execute<RegistryRow>(sql`
			select episode_id, movie_id, search_type, state, attempts, last_searched_at,
			       next_eligible_at, failure_category
			from search_registry r where r.movie_id = ${id} order by r.search_type limit 1`),
		db.execute<{ delta: number }>(sql`select delta from priority_overrides where movie_id = ${id}`)
	]);
	const m = row.m;
	const first = registry[0];
	return {
		id: m.id,
		arrId: m.arrId,
		title: m.title,
		year: m.year,
		status: m.status,
		monitored: m.monitored,
		hasFile: m.hasFile,
		quality: m.quality,
		cutoffMet: m.hasFile && !m.qualityCutoffNotMet,
		customFormatScore: m.customFormatScore,
		releaseDate: m.releaseDate,
		arrLastSearchAt: m.lastSearchTime,
		connector: row.c,
		...(await profileAndTags(db, m)),
		override: override[0]?.delta ?? 0,
		connectorOverride: await connectorOverride(db, m.connectorId),
		search: first ? toSearchState(first as RegistryRow) : null
	};
}

/** One row of a series or movie listing. */
export interface ItemListRow {
	id: number;
	title: string;
	year: number | null;
	connectorId: number;
	/** Its items with a search registry row (gaps and upgrade candidates). */
	wanted: number;
}

/**
 * Series (`kind` 'series') or movies of the mirror, one page, by sort title then id; optionally of
 * one connector. A minimal listing for links and scripts (the content browser comes later).
 * @param page 1-based; pageSize rows per page (the route bounds it to 1..500)
 */
export async function listItems(
	db: DbOrTx,
	input: {
		kind: 'series' | 'movie';
		page: number;
		pageSize: number;
		connectorId?: number | undefined;
	}
): Promise<{ items: ItemListRow[]; page: number; pageSize: number; total: number }> {
	const { page, pageSize } = input;
	const table = input.kind === 'series' ? sql`series` : sql`movies`;
	const scope =
		input.connectorId === undefined ? sql`true` : sql`t.connector_id = ${input.connectorId}`;
	const wanted =
		input.kind === 'series'
			? sql`(select count(*) from search_registry r join episodes e on e.id = r.episode_id where e.series_id = t.id)`
			: sql`(select count(*) from search_registry r where r.movie_id = t.id)`;
	const rows = await db.execute<{
		id: number;
		title: string;
		year: number | null;
		connector_id: number;
		wanted: number;
		total: number;
	}>(sql`
		select t.id, t.title, t.year, t.connector_id, ${wanted}::int as wanted,
		       (count(*) over ())::int as total
		from ${table} t where ${scope}
		order by coalesce(t.sort_title, lower(t.title)), t.id
		limit ${pageSize} offset ${(page - 1) * pageSize}`);
	let total = rows[0]?.total;
	if (total === undefined) {
		const [count] = await db.execute<{ n: number }>(
			sql`select count(*)::int as n from ${table} t where ${scope}`
		);
		total = count?.n ?? 0;
	}
	return {
		page,
		pageSize,
		total,
		items: rows.map((r) => ({
			id: r.id,
			title: r.title,
			year: r.year,
			connectorId: r.connector_id,
			wanted: r.wanted
		}))
	};
}
