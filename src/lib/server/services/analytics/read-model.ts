/**
 * The analytics read model (`/analytics`, `GET /api/v1/analytics`): the daily roll-ups of a range
 * of local days summed per day, each connector over the range, the most searched items (search
 * history of the range), the hardest to find (search registry: most attempts), and the quality
 * distribution of the mirror's files. Five indexed queries run side by side; no *arr call.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import type {
	AnalyticsConnectorRow,
	AnalyticsDayPoint,
	AnalyticsView,
	HardestRow,
	MostSearchedRow,
	QualityRow
} from '../../../types/analytics';
import {
	DEFAULT_RANGE_DAYS,
	MAX_RANGE_DAYS,
	type AnalyticsQueryInput
} from '../../../schemas/analytics';
import { getSettings } from '../settings/settings-service';
import { addDays, grabbed, localDay } from './rollup';

/** Rows of the most searched and hardest-to-find tables. */
export const TOP_ITEMS = 10;

export interface AnalyticsRange {
	from: string;
	to: string;
	connectorId: number | null;
}

/**
 * The range a query asks for: `to` defaults to today (local), `from` to `DEFAULT_RANGE_DAYS` days
 * ending at `to`; a range longer than `MAX_RANGE_DAYS` keeps its end.
 */
export function resolveRange(query: AnalyticsQueryInput, today: string): AnalyticsRange {
	const to = query.to ?? (query.from && query.from > today ? query.from : today);
	let from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
	if (from > to) from = to;
	const earliest = addDays(to, -(MAX_RANGE_DAYS - 1));
	if (from < earliest) from = earliest;
	return { from, to, connectorId: query.connectorId ?? null };
}

/** 0..1, or null when the denominator is 0. */
function ratio(part: number, whole: number): number | null {
	return whole > 0 ? part / whole : null;
}

/** The series per day of `range` (days without any roll-up are left out). */
export async function dailySeries(db: DbOrTx, range: AnalyticsRange): Promise<AnalyticsDayPoint[]> {
	const rows = await db.execute<{
		day: string;
		gaps_found: number;
		upgrades_found: number;
		searches_sent: number;
		items_searched: number;
		grabs: number;
		searches_finished: number;
		acquisitions: number;
		upgrades: number;
		exhausted: number;
		queue_depth: number;
		gaps_open: number;
		items_total: number;
		items_complete: number;
	}>(sql`
		select day::text as day,
			sum(gaps_found)::int as gaps_found, sum(upgrades_found)::int as upgrades_found,
			sum(searches_sent)::int as searches_sent, sum(items_searched)::int as items_searched,
			sum(grabs)::int as grabs, sum(searches_finished)::int as searches_finished,
			sum(acquisitions)::int as acquisitions, sum(upgrades)::int as upgrades,
			sum(exhausted)::int as exhausted, sum(queue_depth)::int as queue_depth,
			sum(gaps_open)::int as gaps_open, sum(items_total)::bigint::float8 as items_total,
			sum(items_complete)::bigint::float8 as items_complete
		from analytics_daily
		where day between ${range.from}::date and ${range.to}::date
			${range.connectorId === null ? sql`` : sql`and connector_id = ${range.connectorId}`}
		group by day order by day`);
	return [...rows].map((r) => {
		// A day rolled up only after it ended (a backfill) has no level snapshot.
		const snapshot = r.items_total > 0 || r.queue_depth > 0 || r.gaps_open > 0;
		const completion = ratio(r.items_complete, r.items_total);
		return {
			day: r.day,
			gapsFound: r.gaps_found,
			upgradesFound: r.upgrades_found,
			searchesSent: r.searches_sent,
			itemsSearched: r.items_searched,
			grabs: r.grabs,
			searchesFinished: r.searches_finished,
			successRate: ratio(r.grabs, r.searches_finished),
			acquisitions: r.acquisitions,
			upgrades: r.upgrades,
			exhausted: r.exhausted,
			queueDepth: snapshot ? r.queue_depth : null,
			gapsOpen: snapshot ? r.gaps_open : null,
			completion: completion === null ? null : Math.round(completion * 10_000) / 100
		};
	});
}

/** Each connector over `range`: success rate, *arr response time and error rate. */
export async function connectorComparison(
	db: DbOrTx,
	range: AnalyticsRange
): Promise<AnalyticsConnectorRow[]> {
	const rows = await db.execute<{
		id: number;
		name: string;
		type: string;
		searches_sent: number;
		searches_finished: number;
		grabs: number;
		arr_requests: number;
		arr_errors: number;
		response_ms: number | null;
	}>(sql`
		select c.id, c.name, c.type,
			coalesce(sum(a.searches_sent), 0)::int as searches_sent,
			coalesce(sum(a.searches_finished), 0)::int as searches_finished,
			coalesce(sum(a.grabs), 0)::int as grabs,
			coalesce(sum(a.arr_requests), 0)::int as arr_requests,
			coalesce(sum(a.arr_errors), 0)::int as arr_errors,
			sum(a.arr_response_ms_avg * a.arr_requests) / nullif(sum(a.arr_requests) filter
				(where a.arr_response_ms_avg is not null), 0) as response_ms
		from connectors c
		left join analytics_daily a on a.connector_id = c.id
			and a.day between ${range.from}::date and ${range.to}::date
		${range.connectorId === null ? sql`` : sql`where c.id = ${range.connectorId}`}
		group by c.id order by c.name, c.id`);
	return [...rows].map((r) => ({
		connectorId: r.id,
		name: r.name,
		type: r.type,
		searchesSent: r.searches_sent,
		searchesFinished: r.searches_finished,
		grabs: r.grabs,
		successRate: ratio(r.grabs, r.searches_finished),
		arrRequests: r.arr_requests,
		arrErrors: r.arr_errors,
		errorRate: ratio(r.arr_errors, r.arr_requests),
		responseMsAvg: r.response_ms === null ? null : Math.round(Number(r.response_ms) * 10) / 10
	}));
}

/**
 * The items searched most often within `range` (search history, kept 30 days), by command label.
 * @param span the range's first and last instants (local midnight to local midnight)
 */
export async function mostSearched(
	db: DbOrTx,
	range: AnalyticsRange,
	timeZone: string
): Promise<MostSearchedRow[]> {
	const rows = await db.execute<{
		connector_id: number;
		connector_name: string;
		label: string;
		searches: number;
		grabs: number;
		last_at: string;
	}>(sql`
		select h.connector_id, c.name as connector_name, h.label, count(*)::int as searches,
			count(*) filter (where ${grabbed(sql`h.message`)})::int as grabs,
			to_char(max(h.finished_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_at
		from search_history h join connectors c on c.id = h.connector_id
		where h.finished_at >= (${range.from}::date::timestamp at time zone ${timeZone})
			and h.finished_at < ((${range.to}::date + 1)::timestamp at time zone ${timeZone})
			${range.connectorId === null ? sql`` : sql`and h.connector_id = ${range.connectorId}`}
		group by h.connector_id, c.name, h.label
		order by searches desc, max(h.finished_at) desc, h.label
		limit ${TOP_ITEMS}`);
	return [...rows].map((r) => ({
		connectorId: r.connector_id,
		connectorName: r.connector_name,
		label: r.label,
		searches: r.searches,
		grabs: r.grabs,
		lastSearchedAt: r.last_at
	}));
}

/** The wanted items with the most search attempts (exhausted ones first among equals). */
export async function hardestToFind(
	db: DbOrTx,
	range: Pick<AnalyticsRange, 'connectorId'>
): Promise<HardestRow[]> {
	const rows = await db.execute<{
		connector_id: number;
		connector_name: string;
		search_type: 'gap' | 'upgrade';
		attempts: number;
		state: string;
		last_at: string | null;
		series_id: number | null;
		series_title: string | null;
		season_number: number | null;
		episode_number: number | null;
		episode_title: string | null;
		movie_id: number | null;
		movie_title: string | null;
		movie_year: number | null;
	}>(sql`
		select r.connector_id, c.name as connector_name, r.search_type, r.attempts::int as attempts,
			r.state,
			to_char(r.last_searched_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_at,
			s.id as series_id, s.title as series_title, e.season_number, e.episode_number,
			e.title as episode_title, m.id as movie_id, m.title as movie_title, m.year as movie_year
		from (select * from search_registry
			where attempts > 0
				${range.connectorId === null ? sql`` : sql`and connector_id = ${range.connectorId}`}
			order by attempts desc, (state = 'exhausted') desc, last_searched_at desc nulls last, id
			limit ${TOP_ITEMS}) r
		join connectors c on c.id = r.connector_id
		left join episodes e on e.id = r.episode_id
		left join series s on s.id = e.series_id
		left join movies m on m.id = r.movie_id
		order by r.attempts desc, (r.state = 'exhausted') desc, r.last_searched_at desc nulls last, r.id`);
	const pad = (n: number | null) => String(n ?? 0).padStart(2, '0');
	return [...rows].map((r) => ({
		connectorId: r.connector_id,
		connectorName: r.connector_name,
		label:
			r.movie_id !== null
				? `${r.movie_title ?? 'Movie'}${r.movie_year ? ` (${r.movie_year})` : ''}`
				: `${r.series_title ?? 'Series'} — S${pad(r.season_number)}E${pad(r.episode_number)}${r.episode_title ? ` ${r.episode_title}` : ''}`,
		searchType: r.search_type,
		attempts: r.attempts,
		state: r.state,
		lastSearchedAt: r.last_at,
		href: r.movie_id !== null ? `/movies/${r.movie_id}` : `/series/${r.series_id ?? 0}`
	}));
}

/**
 * Episode files and movie files by quality name (most files first), as the roll-up last counted
 * them in the mirror (`analytics_quality`).
 */
export async function qualityDistribution(
	db: DbOrTx,
	range: Pick<AnalyticsRange, 'connectorId'>
): Promise<QualityRow[]> {
	const rows = await db.execute<{
		quality: string;
		episode_files: number;
		movie_files: number;
	}>(sql`
		select quality, sum(episode_files)::int as episode_files, sum(movie_files)::int as movie_files
		from analytics_quality
		${range.connectorId === null ? sql`` : sql`where connector_id = ${range.connectorId}`}
		group by quality
		order by sum(episode_files) + sum(movie_files) desc, quality`);
	return [...rows].map((r) => ({
		quality: r.quality,
		episodeFiles: r.episode_files,
		movieFiles: r.movie_files
	}));
}

/**
 * The General time zone and the range `query` asks for, with "today" taken from `deps.clock` in
 * that zone: the common start of the view and of every CSV export.
 */
export async function resolveAnalyticsQuery(
	deps: { db: DbOrTx; clock: () => Date },
	query: AnalyticsQueryInput
): Promise<{ timeZone: string; range: AnalyticsRange }> {
	const now = deps.clock();
	const { timeZone } = (await getSettings(deps.db, now.getTime())).general;
	return { timeZone, range: resolveRange(query, localDay(now, timeZone)) };
}

/**
 * Everything the analytics view shows for `query` (see `AnalyticsView`).
 * @param deps.clock decides "today" for the default range
 */
export async function getAnalytics(
	deps: { db: DbOrTx; clock: () => Date },
	query: AnalyticsQueryInput
): Promise<AnalyticsView> {
	const { db } = deps;
	const { timeZone, range } = await resolveAnalyticsQuery(deps, query);
	const [series, connectors, searched, hardest, quality, any, options] = await Promise.all([
		dailySeries(db, range),
		connectorComparison(db, range),
		mostSearched(db, range, timeZone),
		hardestToFind(db, range),
		qualityDistribution(db, range),
		db.execute<{ n: number }>(
			sql`select count(*)::int as n from (select 1 from analytics_daily limit 1) x`
		),
		db.execute<{ id: number; name: string }>(sql`select id, name from connectors order by name, id`)
	]);
	return {
		...range,
		timeZone,
		hasRollups: ([...any][0]?.n ?? 0) > 0,
		series,
		connectors,
		mostSearched: searched,
		hardestToFind: hardest,
		quality,
		connectorOptions: [...options].map((o) => ({ id: o.id, name: o.name }))
	};
}
