/**
 * The prioritizer: how much a search is worth, per indexer query it costs.
 *
 * ## Item score (points, computed in SQL over the registry and the mirror)
 * Each wanted item (an episode or movie with a `search_registry` row) scores the sum of:
 *
 *   base                  100 for every item (so every score is positive)
 *   gapOverUpgrade        + w  when the item is missing (a gap), 0 for an upgrade candidate
 *   contentAge            + w × (1 − age / 365 days), floored at 0: content that aired or was
 *                         released recently is the likeliest to be on the indexers
 *   missingDuration       + w × min(1, days wanted / 30): a gap we have known for a month is not
 *                         starved by a stream of new ones (days since the registry row was made)
 *   neverSearched         + w  when neither Comradarr nor the *arr app ever searched it (the app's
 *                         `lastSearchTime`, Sonarr ≥ 4 / Radarr ≥ 5.10 EpisodeResource/MovieResource)
 *   leastRecentlySearched + w × min(1, days since the last search / 30), ours or the app's,
 *                         whichever is later (full when never searched): the tie-break
 *   failurePenalty        − w × our earlier unsuccessful attempts
 *   override              + the user's boosts: per item, per series (inherited by its episodes)
 *                         and per connector (`priority_overrides`), summed
 *
 * The weights `w` are Settings → Search behaviour (`SearchWeights`; defaults
 * `DEFAULT_SEARCH_WEIGHTS` in $lib/schemas/settings.ts).
 * The score is floored at 1.
 *
 * ## Batch score (points per query; what the queue is ordered by)
 * The currency is indexer queries: an `EpisodeSearch` of k episodes or a `MoviesSearch` of k
 * movies costs k queries (the app searches each item); a `SeasonSearch` costs one query for the
 * whole season. A batch is worth what it is expected to acquire per query, weighted by the scores
 * of the items it would acquire:
 *
 *   p(item)       = AVAILABILITY_DECAY ^ attempts: the chance a search finds the item falls with
 *                   each search of ours that found nothing
 *   EpisodeSearch = Σ p × score / k                      (k queries, each finds its own item)
 *   MoviesSearch  = Σ p × score / k
 *   SeasonSearch  = PACK_LIKELIHOOD × Σ p × score / 1    (one query; when a season pack exists it
 *                                                        fills every missing episode)
 *
 * So a season pack of a fully aired season with 10 missing episodes is worth about five single
 * episode searches of the same items, and a batch is never ranked by its best item alone. The
 * breakdown (`BatchScore`) is kept on the queue row and shown in the queue.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { BatchScore, ItemScore } from '$lib/types/search-score';
import type { SearchSettings } from '../settings/settings-service';

export type { BatchScore, ItemScore };

/** Points per signal; see the module docstring. Settings → Search behaviour edits them. */
export type SearchWeights = SearchSettings['weights'];

/** The item's ids for its priority overrides: the SQL of each for the row being scored. */
export interface OverrideIds {
	episodeId?: SQL | null;
	movieId?: SQL | null;
	seriesId?: SQL | null;
}

/**
 * The summed priority overrides of an item (points; the `override` part of the score): its own
 * (episode or movie), its series' (inherited by its episodes) and its connector's
 * (`priority_overrides`); an id is null when the item has none (a movie has no series). A
 * `left join lateral` after the registry row `r` and the item that puts the sum (never null) in
 * `ov.delta`, once per row — a subquery in the select list would run once for the part and again
 * for the total.
 */
function overrideJoin(item: OverrideIds): SQL {
	const own = [
		item.episodeId ? sql`po.episode_id = ${item.episodeId}` : null,
		item.movieId ? sql`po.movie_id = ${item.movieId}` : null,
		item.seriesId ? sql`po.series_id = ${item.seriesId}` : null
	].filter((c): c is SQL => c !== null);
	return sql`left join lateral (
		select coalesce(sum(po.delta), 0)::int as delta from priority_overrides po
		where po.connector_id = r.connector_id
		  and (${sql.join([...own, sql`(po.series_id is null and po.episode_id is null and po.movie_id is null)`], sql` or `)})
	) ov on true`;
}

/** Every item's starting score (points). */
export const BASE_SCORE = 100;
/** Age at which the content-age bonus reaches 0 (days). */
export const CONTENT_AGE_HORIZON_DAYS = 365;
/** Days at which the missing-duration and least-recently-searched parts are full. */
export const SATURATION_DAYS = 30;
/** Factor on an item's chance to be found for each earlier search of ours that found nothing. */
export const AVAILABILITY_DECAY = 0.7;
/** Chance that a season pack exists for a fully aired season (a SeasonSearch's yield). */
export const PACK_LIKELIHOOD = 0.5;

export const SCORE_PARTS = [
	'base',
	'gapOverUpgrade',
	'contentAge',
	'missingDuration',
	'neverSearched',
	'leastRecentlySearched',
	'failurePenalty',
	'override'
] as const satisfies readonly Exclude<keyof ItemScore, 'total'>[];

/** The columns `itemScoreColumns` selects, as the driver returns them. */
export type ItemScoreRow = {
	s_base: number;
	s_gap: number;
	s_age: number;
	s_missing: number;
	s_never: number;
	s_recent: number;
	s_failure: number;
	s_override: number;
	s_total: number;
};

/** The parts of one item's score from its row. */
export function itemScoreOf(row: ItemScoreRow): ItemScore {
	return {
		base: row.s_base,
		gapOverUpgrade: row.s_gap,
		contentAge: row.s_age,
		missingDuration: row.s_missing,
		neverSearched: row.s_never,
		leastRecentlySearched: row.s_recent,
		failurePenalty: row.s_failure,
		override: row.s_override,
		total: row.s_total
	};
}

const days = (from: SQL, at: SQL) => sql`(extract(epoch from (${at} - ${from})) / 86400)`;

/**
 * The score columns (`s_base` … `s_total`, see `ItemScoreRow`) for a query over `search_registry r`
 * joined to the item: `date` is its air / release date, `appLastSearch` the app's
 * `lastSearchTime`, `override` the ids its boosts are found by. `joins` goes in the query's FROM
 * list after the item's tables (the summed boosts, see `overrideJoin`).
 */
export function itemScoreColumns(
	weights: SearchWeights,
	now: Date,
	item: { date: SQL; appLastSearch: SQL; override: OverrideIds }
): { columns: SQL; total: SQL; joins: SQL } {
	const at = sql`${now.toISOString()}::timestamptz`;
	const w = weights;
	const parts = {
		s_base: sql`${BASE_SCORE}`,
		s_gap: sql`(case r.search_type when 'gap' then ${w.gapOverUpgrade} else 0 end)`,
		s_age: sql`round(${w.contentAge} * greatest(0, 1 - coalesce(${days(item.date, at)}, ${CONTENT_AGE_HORIZON_DAYS}) / ${CONTENT_AGE_HORIZON_DAYS}))`,
		s_missing: sql`round(${w.missingDuration} * least(1, greatest(0, ${days(sql`r.created_at`, at)}) / ${SATURATION_DAYS}))`,
		s_never: sql`(case when r.last_searched_at is null and ${item.appLastSearch} is null then ${w.neverSearched} else 0 end)`,
		s_recent: sql`round(${w.leastRecentlySearched} * least(1, greatest(0, coalesce(${days(sql`greatest(r.last_searched_at, ${item.appLastSearch})`, at)}, ${SATURATION_DAYS})) / ${SATURATION_DAYS}))`,
		s_failure: sql`(-r.attempts * ${w.failurePenalty})`,
		s_override: sql`ov.delta`
	};
	const total = sql`greatest(1, ${sql.join(Object.values(parts), sql` + `)})::int`;
	const columns = sql.join(
		[
			...Object.entries(parts).map(
				([name, expr]) => sql`(${expr})::int as ${sql.identifier(name)}`
			),
			sql`${total} as s_total`
		],
		sql`, `
	);
	return { columns, total, joins: overrideJoin(item.override) };
}

/** An item as the batch score needs it. */
export interface ScoredItem {
	score: ItemScore;
	attempts: number;
}

/** The chance a search finds an item after `attempts` searches of ours that found nothing. */
export function availability(attempts: number): number {
	return AVAILABILITY_DECAY ** Math.max(0, attempts);
}

/**
 * Scores one planned command (see the module docstring).
 * @param shape `pack` for a SeasonSearch (one query), `items` for Episode/MoviesSearch (a query each)
 */
export function scoreBatch(
	items: readonly ScoredItem[],
	shape: 'pack' | 'items',
	rule: string
): BatchScore {
	const n = items.length;
	const queries = shape === 'pack' ? 1 : n;
	const yieldFactor = shape === 'pack' ? PACK_LIKELIHOOD : 1;
	let expected = 0;
	let value = 0;
	const sums = Object.fromEntries([...SCORE_PARTS, 'total'].map((k) => [k, 0])) as Record<
		keyof ItemScore,
		number
	>;
	for (const item of items) {
		const p = availability(item.attempts);
		expected += p;
		value += p * item.score.total;
		for (const key of [...SCORE_PARTS, 'total'] as const) sums[key] += item.score[key];
	}
	const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
	const averageItem = Object.fromEntries(
		Object.entries(sums).map(([k, s]) => [k, n === 0 ? 0 : round(s / n, 1)])
	) as BatchScore['averageItem'];
	return {
		perQuery: n === 0 ? 0 : round((yieldFactor * value) / queries),
		queries,
		expectedAcquired: round(yieldFactor * expected),
		items: n,
		rule,
		averageItem
	};
}
