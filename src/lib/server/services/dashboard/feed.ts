/**
 * The dashboard's activity feed: the newest domain events (`events`, see types/events.ts) as
 * sentences for people, each linked to the item it is about (`/series/{id}`, `/movies/{id}`) or
 * to the page that tells more, newest first, a page at a time with an id cursor.
 *
 * Shown: sweeps (what discovery found), finished and abandoned searches, acquisitions, upgrades
 * and removals, health changes, and system events (failed syncs, start-ups, maintenance, error
 * thresholds). Left out as noise: `search.sent` (its `search.completed` follows) and
 * `sync.completed` (every few minutes; a failed sync is shown).
 *
 * Cost: one read of `events` backwards along its primary key (`id < before`, the types above),
 * then the names of what those rows mention by unique index: connectors, series and movies by id
 * or by (connector, arr id), episodes by id or by (connector, arr id). Never a scan of the mirror.
 */
import { and, desc, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, episodes, events, movies, series } from '../../db/schema';
import { countOf } from '../../../components/connectors/format';
import type { EventSubject, EventType } from '../../../types/events';
import type { FeedCategory, FeedEntry, FeedHref, FeedPage } from '../../../types/dashboard';

/** The event types the feed shows, with their group. */
export const FEED_TYPES: Readonly<Partial<Record<EventType, FeedCategory>>> = {
	'sweep.completed': 'discovery',
	'search.completed': 'search',
	'search.exhausted': 'search',
	'item.acquired': 'acquisition',
	'item.upgraded': 'acquisition',
	'item.removed': 'acquisition',
	'connector.health_changed': 'health',
	'sync.failed': 'system',
	'app.started': 'system',
	'maintenance.completed': 'system',
	'errors.threshold_exceeded': 'system'
};

/** Entries per page unless asked otherwise, and the most a page may hold. */
export const FEED_PAGE = 20;
export const FEED_PAGE_MAX = 100;

/** One row of `events` as the feed reads it. */
export interface FeedEvent {
	id: number;
	type: EventType;
	connectorId: number | null;
	subject: EventSubject;
	payload: Record<string, unknown>;
	createdAt: Date;
}

/** Names and links of what a page of events mentions. */
interface Lookup {
	connectors: Map<number, string>;
	/** series.id → title */
	series: Map<number, string>;
	/** `${connectorId}:${arrId}` → series.id */
	seriesByArr: Map<string, number>;
	/** episodes.id → where it is */
	episodes: Map<number, { seriesId: number; season: number; episode: number | null }>;
	/** `${connectorId}:${arrId}` → episodes.id */
	episodesByArr: Map<string, number>;
	/** `${connectorId}:${arrId}` → movies.id */
	moviesByArr: Map<string, number>;
	/** movies.id → title (year) */
	movies: Map<number, string>;
}

/**
 * A page of the feed, newest first.
 * @param options.before only events with a smaller id (the previous page's `nextBefore`)
 * @param options.limit entries per page (1–100, default 20)
 * @returns the entries and the cursor of the next page (null on the last page)
 */
export async function activityFeed(
	db: DbOrTx,
	options: { before?: number | undefined; limit?: number | undefined } = {}
): Promise<FeedPage> {
	const limit = Math.min(FEED_PAGE_MAX, Math.max(1, options.limit ?? FEED_PAGE));
	const conditions: SQL[] = [inArray(events.type, Object.keys(FEED_TYPES) as EventType[])];
	if (options.before !== undefined) conditions.push(lt(events.id, options.before));
	const rows = (await db
		.select({
			id: events.id,
			type: events.type,
			connectorId: events.connectorId,
			subject: events.subject,
			payload: events.payload,
			createdAt: events.createdAt
		})
		.from(events)
		.where(and(...conditions))
		.orderBy(desc(events.id))
		.limit(limit + 1)) as FeedEvent[];
	const page = rows.slice(0, limit);
	return {
		entries: await describeEvents(db, page),
		nextBefore: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null
	};
}

/**
 * Events (rows of `events`, in any order) as the feed's sentences with their links, in the same
 * order. Looks up the names of what they mention by unique index (see the module's cost note).
 */
export async function describeEvents(db: DbOrTx, rows: readonly FeedEvent[]): Promise<FeedEntry[]> {
	const lookup = await loadLookup(db, rows);
	return rows.map((e) => describeEvent(e, lookup));
}

const key = (connectorId: number | null, arrId: number) => `${connectorId ?? 0}:${arrId}`;

/** Pairs (connector, arr id) as SQL `(connector_id, arr_id) in (values …)`. */
function pairsIn(column: SQL, pairs: readonly [number, number][]): SQL {
	return sql`(${column}) in (${sql.join(
		pairs.map(([c, a]) => sql`(${c}::int, ${a}::int)`),
		sql`, `
	)})`;
}

async function loadLookup(db: DbOrTx, page: readonly FeedEvent[]): Promise<Lookup> {
	const lookup: Lookup = {
		connectors: new Map(),
		series: new Map(),
		seriesByArr: new Map(),
		episodes: new Map(),
		episodesByArr: new Map(),
		moviesByArr: new Map(),
		movies: new Map()
	};
	const seriesIds = new Set<number>();
	const episodeIds = new Set<number>();
	const movieIds = new Set<number>();
	const arrSeries = new Map<string, [number, number]>();
	const arrEpisodes = new Map<string, [number, number]>();
	const arrMovies = new Map<string, [number, number]>();
	for (const e of page) {
		const s = e.subject;
		if (typeof s.seriesId === 'number') seriesIds.add(s.seriesId);
		if (typeof s.movieId === 'number') movieIds.add(s.movieId);
		for (const id of s.episodeIds ?? []) episodeIds.add(id);
		for (const id of s.movieIds ?? []) movieIds.add(id);
		if (e.connectorId === null) continue;
		const c = e.connectorId;
		// Searches name the app's ids: the first one is enough to find the item's page.
		if (typeof s.arrSeriesId === 'number' && s.seriesId === undefined) {
			arrSeries.set(key(c, s.arrSeriesId), [c, s.arrSeriesId]);
		}
		const arrEpisode = s.arrEpisodeIds?.[0];
		if (arrEpisode !== undefined && s.episodeIds === undefined) {
			arrEpisodes.set(key(c, arrEpisode), [c, arrEpisode]);
		}
		const arrMovie = s.arrMovieIds?.[0];
		if (arrMovie !== undefined && s.movieIds === undefined && s.movieId === undefined) {
			arrMovies.set(key(c, arrMovie), [c, arrMovie]);
		}
	}
	// One after the other: `db` may be a transaction (one connection).
	for (const r of await db.select({ id: connectors.id, name: connectors.name }).from(connectors)) {
		lookup.connectors.set(r.id, r.name);
	}
	if (arrEpisodes.size > 0) {
		const rows = await db
			.select({ id: episodes.id, connectorId: episodes.connectorId, arrId: episodes.arrId })
			.from(episodes)
			.where(pairsIn(sql`${episodes.connectorId}, ${episodes.arrId}`, [...arrEpisodes.values()]));
		for (const r of rows) {
			lookup.episodesByArr.set(key(r.connectorId, r.arrId), r.id);
			episodeIds.add(r.id);
		}
	}
	if (episodeIds.size > 0) {
		const rows = await db
			.select({
				id: episodes.id,
				seriesId: episodes.seriesId,
				season: episodes.seasonNumber,
				episode: episodes.episodeNumber
			})
			.from(episodes)
			.where(inArray(episodes.id, [...episodeIds]));
		for (const r of rows) {
			lookup.episodes.set(r.id, { seriesId: r.seriesId, season: r.season, episode: r.episode });
			seriesIds.add(r.seriesId);
		}
	}
	if (arrSeries.size > 0) {
		const rows = await db
			.select({ id: series.id, connectorId: series.connectorId, arrId: series.arrId })
			.from(series)
			.where(pairsIn(sql`${series.connectorId}, ${series.arrId}`, [...arrSeries.values()]));
		for (const r of rows) {
			lookup.seriesByArr.set(key(r.connectorId, r.arrId), r.id);
			seriesIds.add(r.id);
		}
	}
	if (seriesIds.size > 0) {
		const rows = await db
			.select({ id: series.id, title: series.title })
			.from(series)
			.where(inArray(series.id, [...seriesIds]));
		for (const r of rows) lookup.series.set(r.id, r.title);
	}
	if (arrMovies.size > 0) {
		const rows = await db
			.select({ id: movies.id, connectorId: movies.connectorId, arrId: movies.arrId })
			.from(movies)
			.where(pairsIn(sql`${movies.connectorId}, ${movies.arrId}`, [...arrMovies.values()]));
		for (const r of rows) {
			lookup.moviesByArr.set(key(r.connectorId, r.arrId), r.id);
			movieIds.add(r.id);
		}
	}
	if (movieIds.size > 0) {
		const rows = await db
			.select({ id: movies.id, title: movies.title, year: movies.year })
			.from(movies)
			.where(inArray(movies.id, [...movieIds]));
		for (const r of rows) lookup.movies.set(r.id, r.year ? `${r.title} (${r.year})` : r.title);
	}
	return lookup;
}

function num(value: unknown, fallback = 0): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

function episodeCode(season: number, episode: number | null): string {
	if (episode === null) return `Season ${season}`;
	const pad = (n: number) => String(n).padStart(2, '0');
	return `S${pad(season)}E${pad(episode)}`;
}

/** The item an event is about: a label for the sentence and its page. */
function itemOf(e: FeedEvent, lookup: Lookup): { label: string; href: FeedHref | null } | null {
	const s = e.subject;
	const p = e.payload;
	const c = e.connectorId;
	// Movies: our ids first, else the app's (a search).
	const movieIds =
		s.movieId !== undefined
			? [s.movieId]
			: s.movieIds && s.movieIds.length > 0
				? s.movieIds
				: (s.arrMovieIds ?? []).flatMap((a) => {
						const id = lookup.moviesByArr.get(key(c, a));
						return id === undefined ? [] : [id];
					});
	const arrMovieCount = s.arrMovieIds?.length ?? 0;
	if (p.kind === 'movie' || movieIds.length > 0 || arrMovieCount > 0) {
		const count = Math.max(movieIds.length, s.movieIds?.length ?? 0, arrMovieCount, 1);
		const first = movieIds[0];
		const title =
			(first === undefined ? undefined : lookup.movies.get(first)) ??
			(str(p.title) || str(p.label) || 'a movie');
		return {
			label: count > 1 && !str(p.label) ? countOf(count, 'movie') : str(p.label) || title,
			// Only a movie still in the mirror has a page.
			href:
				count === 1 && first !== undefined && lookup.movies.has(first) ? `/movies/${first}` : null
		};
	}
	// Series and episodes.
	const episodeIds =
		s.episodeIds && s.episodeIds.length > 0
			? s.episodeIds
			: (s.arrEpisodeIds ?? []).slice(0, 1).flatMap((a) => {
					const id = lookup.episodesByArr.get(key(c, a));
					return id === undefined ? [] : [id];
				});
	const episodeCount = Math.max(s.episodeIds?.length ?? 0, s.arrEpisodeIds?.length ?? 0);
	const firstEpisode = episodeIds[0] === undefined ? undefined : lookup.episodes.get(episodeIds[0]);
	const seriesId =
		s.seriesId ??
		firstEpisode?.seriesId ??
		(s.arrSeriesId === undefined ? undefined : lookup.seriesByArr.get(key(c, s.arrSeriesId)));
	if (seriesId === undefined && episodeCount === 0 && !str(p.label) && !str(p.title)) return null;
	const title =
		(seriesId === undefined ? undefined : lookup.series.get(seriesId)) ??
		(str(p.title) || 'a series');
	let label: string;
	if (str(p.label)) label = str(p.label);
	else if (p.kind === 'series') label = title;
	else if (episodeCount === 1 && firstEpisode) {
		label = `${title} ${episodeCode(firstEpisode.season, firstEpisode.episode)}`;
	} else if (episodeCount > 1) label = `${countOf(episodeCount, 'episode')} of ${title}`;
	else label = title;
	return {
		label,
		href: seriesId !== undefined && lookup.series.has(seriesId) ? `/series/${seriesId}` : null
	};
}

const FAILURE_TEXT: Record<string, string> = {
	no_results: 'found nothing',
	indexer_error: 'failed: an indexer reported an error',
	rate_limited: 'was rate limited',
	timeout: 'timed out',
	app_error: 'failed in the app'
};

/** The sentence, link and flags of one event. */
function describeEvent(e: FeedEvent, lookup: Lookup): FeedEntry {
	const p = e.payload;
	const connector =
		e.connectorId === null
			? 'Comradarr'
			: (lookup.connectors.get(e.connectorId) ?? `connector ${e.connectorId}`);
	const connectorHref: FeedHref | null =
		e.connectorId === null ? null : `/connectors/${e.connectorId}`;
	const base = {
		id: e.id,
		type: e.type,
		category: FEED_TYPES[e.type] ?? 'system',
		connectorId: e.connectorId,
		createdAt: e.createdAt.toISOString()
	};
	const entry = (text: string, href: FeedHref | null, problem = false): FeedEntry => ({
		...base,
		text,
		href,
		problem
	});
	const item = itemOf(e, lookup);
	const what = item?.label ?? 'an item';
	switch (e.type) {
		case 'sweep.completed': {
			const queued = num(p.queuedSearches);
			return entry(
				`Sweep of ${connector} found ${countOf(num(p.gaps), 'missing item')} and ${countOf(num(p.upgrades), 'upgrade candidate')}` +
					(queued > 0 ? `, and queued ${countOf(queued, 'search', 'searches')}.` : '.'),
				'/queue'
			);
		}
		case 'search.completed': {
			const failure = str(p.failure);
			if (p.outcome === 'completed' && failure === '') {
				return entry(`Search for ${what} on ${connector} grabbed a release.`, item?.href ?? null);
			}
			const result =
				FAILURE_TEXT[failure] ?? (p.outcome === 'failed' ? 'failed' : 'ended without a result');
			return entry(
				`Search for ${what} on ${connector} ${result}.`,
				item?.href ?? '/history',
				failure !== 'no_results'
			);
		}
		case 'search.exhausted':
			return entry(
				`Gave up on ${what} on ${connector} after ${countOf(num(p.attempts), 'search', 'searches')}.`,
				item?.href ?? '/history',
				true
			);
		case 'item.acquired':
		case 'item.upgraded':
		case 'item.removed': {
			const verb = {
				'item.acquired': 'Acquired',
				'item.upgraded': 'Upgraded',
				'item.removed': 'Removed'
			}[e.type];
			const qualities = Array.isArray(p.qualities)
				? [...new Set(p.qualities.filter((q): q is string => typeof q === 'string'))]
				: str(p.quality)
					? [str(p.quality)]
					: [];
			const quality = qualities.join(', ');
			const from = str(p.from);
			const detail = quality
				? ` (${from && e.type === 'item.upgraded' ? `${from} → ` : ''}${quality})`
				: '';
			const on = e.type === 'item.removed' ? `from ${connector}` : `on ${connector}`;
			return entry(
				`${verb} ${what} ${on}${detail}.`,
				e.type === 'item.removed' ? null : (item?.href ?? null)
			);
		}
		case 'connector.health_changed': {
			const to = str(p.to) || 'unknown';
			const reason = str(p.reason);
			return entry(
				`${connector} is ${to} (was ${str(p.from) || 'unknown'})${reason ? `: ${reason}` : '.'}`,
				connectorHref,
				to !== 'healthy'
			);
		}
		case 'sync.failed':
			return entry(
				`Sync of ${connector} failed${str(p.error) ? `: ${str(p.error)}` : '.'}`,
				connectorHref,
				true
			);
		case 'sync.completed':
			return entry(`Synced ${connector}.`, connectorHref);
		case 'app.started':
			return entry(
				str(p.version) ? `Comradarr ${str(p.version)} started.` : 'Comradarr started.',
				null
			);
		case 'maintenance.completed':
			return entry(
				str(p.message) || `${str(p.job) || 'Maintenance'} completed.`,
				'/settings/database'
			);
		case 'errors.threshold_exceeded':
			return entry(
				`${num(p.count)} ${str(p.kind) === 'sync.failed' ? 'failed syncs' : 'failed searches'} within ${num(p.windowMinutes)} min` +
					(e.connectorId === null ? '.' : ` on ${connector}.`),
				connectorHref ?? '/history',
				true
			);
		case 'search.sent':
			return entry(`Searching for ${what} on ${connector}.`, item?.href ?? '/queue');
	}
}
