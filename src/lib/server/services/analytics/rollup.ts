/**
 * The `analytics.rollup` job: (re)computes `analytics_daily`, one row per connector and local
 * calendar day (the time zone of Settings → General), in one set-based statement.
 *
 * - Flow columns come from their sources and are recomputed on every run, so re-running a day
 *   gives the same row: `sweep.completed` (gaps / upgrades found), `search.sent` (searches and
 *   the items they searched), `search.completed` (finished, and grabs: "N reports downloaded"
 *   with N > 0), `item.acquired` / `item.upgraded` (items, an episode event counts its episodes),
 *   `search.exhausted` (items given up on) and `arr_request_stats` (requests, errors, response
 *   time; an hour belongs to the local day its start falls in).
 * - Level columns (queue depth, gaps open, upgrade candidates, completion) are read from the
 *   request queue, the search registry and the mirror only for the current local day; a re-run
 *   of a past day keeps the levels it had (a past level cannot be re-read). The same run replaces
 *   `analytics_quality`, the mirror's files by quality, so no page load scans the episodes.
 *
 * Events are pruned after 90 days and search history after 30; the roll-ups outlive both and are
 * themselves pruned after `ANALYTICS_RETENTION_DAYS` (Prune, maintenance-jobs.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
import { deleteCounted } from '../../db/queries/delete-counted';
import { analyticsDaily } from '../../db/schema';
import { getSettings } from '../settings/settings-service';
import { addDays, localDay } from '../../time/calendar-day';
import type { JobOutcome } from '../jobs';

/** How long daily roll-ups are kept (days): 2 years. */
export const ANALYTICS_RETENTION_DAYS = 730;

/** How far back a first run reconstructs days from the events (their retention, days). */
export const BACKFILL_DAYS = 90;

export { addDays, localDay };

export interface RollupResult {
	/** First and last local day rolled up (inclusive). */
	from: string;
	to: string;
	/** The current local day (the only one whose levels were snapshotted). */
	today: string;
	timeZone: string;
	/** Rows inserted or updated. */
	rows: number;
}

/**
 * Rolls up the local days `from`..`to` (inclusive, `YYYY-MM-DD`) for every connector. Days after
 * today are not written. Idempotent: flows are recomputed, levels kept for past days.
 * @param deps.clock the current time (decides "today" and the levels' snapshot)
 * @param deps.timeZone IANA zone; defaults to Settings → General
 */
export async function rollupDays(
	deps: { db: DbOrTx; clock: () => Date; timeZone?: string },
	from: string,
	to: string
): Promise<RollupResult> {
	const now = deps.clock();
	const timeZone = deps.timeZone ?? (await getSettings(deps.db, now.getTime())).general.timeZone;
	const today = localDay(now, timeZone);
	const last = to > today ? today : to;
	if (from > last) return { from, to: last, today, timeZone, rows: 0 };
	const withLevels = from <= today && today <= last;
	const rows = await deps.db.transaction(async (tx) => {
		const written = await tx.execute(rollupStatement(from, last, today, timeZone, now, withLevels));
		if (withLevels) await snapshotQuality(tx, now);
		return written;
	});
	return { from, to: last, today, timeZone, rows: rowCount(rows) };
}

/**
 * Replaces `analytics_quality` with the mirror's files per connector and quality name (a level,
 * taken with the current day's other levels).
 */
async function snapshotQuality(db: DbOrTx, now: Date): Promise<void> {
	await db.execute(sql`delete from analytics_quality`);
	await db.execute(sql`
		insert into analytics_quality (connector_id, quality, episode_files, movie_files, computed_at)
		select connector_id, quality, sum(episode_files)::int, sum(movie_files)::int,
			${now.toISOString()}::timestamptz
		from (
			select connector_id, coalesce(quality, 'Unknown') as quality, count(*) as episode_files,
				0 as movie_files
			from episodes where has_file group by 1, 2
			union all
			select connector_id, coalesce(quality, 'Unknown'), 0, count(*)
			from movies where has_file group by 1, 2) q
		group by connector_id, quality`);
}

function rowCount(result: unknown): number {
	const count = (result as { count?: unknown }).count;
	return typeof count === 'number' ? count : Array.isArray(result) ? result.length : 0;
}

/** An episode event's episode count, else 1 (a movie event is one movie). */
const itemCount = sql`case when jsonb_typeof(e.subject -> 'episodeIds') = 'array'
	then jsonb_array_length(e.subject -> 'episodeIds') else 1 end`;

/**
 * Whether a command message names at least one grab ("N reports downloaded" with N > 0, as
 * services/queue/outcome.ts `grabCount` reads it). LIKE patterns rather than a regex: a regex per
 * row made the most-searched table cost 140 ms over a month of history.
 */
export function grabbed(message: SQL): SQL {
	return sql`(${message} ilike '% report% downloaded%' and ${message} not ilike '% 0 reports downloaded%'
		and ${message} not ilike '0 reports downloaded%')`;
}

/**
 * The items a `search.sent` command searched: the ids it names, else (a season pack) the registry
 * rows the event recorded (`itemCount`), else — events from before it was recorded — the rows
 * still linked to the command, else its budget cost.
 */
const searchedOf = sql`case
	when jsonb_typeof(e.subject -> 'arrEpisodeIds') = 'array' then jsonb_array_length(e.subject -> 'arrEpisodeIds')
	when jsonb_typeof(e.subject -> 'arrMovieIds') = 'array' then jsonb_array_length(e.subject -> 'arrMovieIds')
	when (e.payload ->> 'itemCount')::int > 0 then (e.payload ->> 'itemCount')::int
	else coalesce(nullif((select count(*)::int from request_queue_items i
		where i.request_id = (e.subject ->> 'commandId')::int), 0), (e.payload ->> 'searchCount')::int, 1)
	end`;

/** Gaps a sweep found: its per-type count, else (older events) all it added unless it swept upgrades. */
const gapsOf = sql`coalesce((e.payload ->> 'gapsAdded')::int,
	case when e.payload ->> 'kind' = 'upgrades' then 0 else (e.payload ->> 'registryAdded')::int end, 0)`;
const upgradesOf = sql`coalesce((e.payload ->> 'upgradesAdded')::int,
	case when e.payload ->> 'kind' = 'upgrades' then (e.payload ->> 'registryAdded')::int else 0 end, 0)`;

/** The level columns of `analytics_daily`: snapshots taken only while their day is current. */
type LevelColumn =
	'queue_depth' | 'gaps_open' | 'upgrade_candidates' | 'items_total' | 'items_complete';

function rollupStatement(
	from: string,
	to: string,
	today: string,
	tz: string,
	now: Date,
	withLevels: boolean
): SQL {
	const nowIso = now.toISOString();
	// Levels of today only; the CTE is left out entirely otherwise (no mirror scan for past days).
	const levels = withLevels
		? sql`, levels as (
			select c.id as connector_id,
				coalesce((select count(*)::int from request_queue q
					where q.connector_id = c.id and q.status in ('pending', 'sending', 'sent')), 0) as queue_depth,
				coalesce(r.gaps, 0) as gaps_open, coalesce(r.upgrades, 0) as upgrade_candidates,
				coalesce(ep.total, 0) + coalesce(mv.total, 0) as items_total,
				coalesce(ep.complete, 0) + coalesce(mv.complete, 0) as items_complete
			from connectors c
			left join (select connector_id,
					count(*) filter (where search_type = 'gap')::int as gaps,
					count(*) filter (where search_type = 'upgrade')::int as upgrades
				from search_registry group by connector_id) r on r.connector_id = c.id
			left join (select e.connector_id, count(*)::int as total,
					count(*) filter (where e.has_file)::int as complete
				from episodes e join series s on s.id = e.series_id
				where s.monitored and e.monitored and (e.has_file or (e.air_date_utc is not null
					and e.air_date_utc + make_interval(mins => e.runtime) <= ${nowIso}::timestamptz))
				group by e.connector_id) ep on ep.connector_id = c.id
			left join (select m.connector_id, count(*)::int as total,
					count(*) filter (where m.has_file)::int as complete
				from movies m where m.monitored and (m.has_file or m.is_available)
				group by m.connector_id) mv on mv.connector_id = c.id)`
		: sql``;
	// Column names are the constants of LevelColumn, quoted as identifiers; `today` is bound.
	const level = (column: LevelColumn) =>
		withLevels
			? sql`case when d.day = ${today}::date then coalesce(l.${sql.identifier(column)}, 0) else 0 end`
			: sql`0`;
	const keepLevel = (column: LevelColumn) => {
		const name = sql.identifier(column);
		return sql`${name} = case when excluded.day = ${today}::date then excluded.${name} else analytics_daily.${name} end`;
	};
	return sql`
		with days as (
			select g::date as day,
				(g::date::timestamp at time zone ${tz}) as lo,
				((g::date + 1)::timestamp at time zone ${tz}) as hi
			from generate_series(${from}::date, ${to}::date, interval '1 day') g),
		span as (select min(lo) as lo, max(hi) as hi from days),
		ev as (
			select e.connector_id, (e.created_at at time zone ${tz})::date as day,
				sum(${gapsOf}) filter (where e.type = 'sweep.completed')::int as gaps_found,
				sum(${upgradesOf}) filter (where e.type = 'sweep.completed')::int as upgrades_found,
				count(*) filter (where e.type = 'search.sent')::int as searches_sent,
				sum(${searchedOf}) filter (where e.type = 'search.sent')::int as items_searched,
				count(*) filter (where e.type = 'search.completed'
					and e.payload ->> 'outcome' in ('completed', 'failed'))::int as searches_finished,
				count(*) filter (where e.type = 'search.completed'
					and ${grabbed(sql`e.payload ->> 'message'`)})::int as grabs,
				sum(${itemCount}) filter (where e.type = 'item.acquired')::int as acquisitions,
				sum(${itemCount}) filter (where e.type = 'item.upgraded')::int as upgrades,
				sum(coalesce((e.payload ->> 'items')::int, 0))
					filter (where e.type = 'search.exhausted')::int as exhausted
			from events e, span
			where e.created_at >= span.lo and e.created_at < span.hi and e.connector_id is not null
				and e.type in ('sweep.completed', 'search.sent', 'search.completed', 'item.acquired',
					'item.upgraded', 'search.exhausted')
			group by 1, 2),
		arr as (
			select a.connector_id, (a.hour at time zone ${tz})::date as day,
				sum(a.requests)::int as requests, sum(a.errors)::int as errors,
				sum(a.total_ms)::float8 as total_ms, max(a.max_ms)::int as max_ms
			from arr_request_stats a, span
			where a.hour >= span.lo and a.hour < span.hi
			group by 1, 2)
		${levels}
		insert into analytics_daily (connector_id, day, gaps_found, upgrades_found, searches_sent,
			items_searched, grabs, searches_finished, acquisitions, upgrades, exhausted, queue_depth,
			gaps_open, upgrade_candidates, items_total, items_complete, arr_requests, arr_errors,
			arr_response_ms_avg, arr_response_ms_max, computed_at)
		select c.id, d.day,
			coalesce(ev.gaps_found, 0), coalesce(ev.upgrades_found, 0), coalesce(ev.searches_sent, 0),
			coalesce(ev.items_searched, 0), coalesce(ev.grabs, 0), coalesce(ev.searches_finished, 0),
			coalesce(ev.acquisitions, 0), coalesce(ev.upgrades, 0), coalesce(ev.exhausted, 0),
			${level('queue_depth')}, ${level('gaps_open')}, ${level('upgrade_candidates')},
			${level('items_total')}, ${level('items_complete')},
			coalesce(arr.requests, 0), coalesce(arr.errors, 0),
			case when arr.requests > 0 then arr.total_ms / arr.requests end, arr.max_ms,
			${nowIso}::timestamptz
		from connectors c
		cross join days d
		left join ev on ev.connector_id = c.id and ev.day = d.day
		left join arr on arr.connector_id = c.id and arr.day = d.day
		${withLevels ? sql`left join levels l on l.connector_id = c.id` : sql``}
		-- No rows for days before the connector existed (a first run backfills up to 90 days).
		where d.hi > c.created_at
		on conflict (connector_id, day) do update set
			gaps_found = excluded.gaps_found, upgrades_found = excluded.upgrades_found,
			searches_sent = excluded.searches_sent, items_searched = excluded.items_searched,
			grabs = excluded.grabs, searches_finished = excluded.searches_finished,
			acquisitions = excluded.acquisitions, upgrades = excluded.upgrades,
			exhausted = excluded.exhausted,
			${keepLevel('queue_depth')}, ${keepLevel('gaps_open')}, ${keepLevel('upgrade_candidates')},
			${keepLevel('items_total')}, ${keepLevel('items_complete')},
			arr_requests = excluded.arr_requests, arr_errors = excluded.arr_errors,
			arr_response_ms_avg = excluded.arr_response_ms_avg,
			arr_response_ms_max = excluded.arr_response_ms_max,
			computed_at = excluded.computed_at`;
}

/**
 * The days the scheduled roll-up covers: from the last rolled-up day (at least yesterday, so
 * events recorded late for the day before still count; on a first run, the day of the oldest
 * event within `BACKFILL_DAYS`) through today.
 */
export async function daysToRollUp(
	db: DbOrTx,
	today: string,
	timeZone: string
): Promise<{ from: string; to: string }> {
	const floor = addDays(today, -BACKFILL_DAYS);
	const [row] = await db.execute<{ last: string | null; first: string | null }>(sql`
		select (select max(day)::text from analytics_daily) as last,
			(select (min(created_at) at time zone ${timeZone})::date::text from events
				where connector_id is not null) as first`);
	const yesterday = addDays(today, -1);
	let from = row?.last ?? row?.first ?? yesterday;
	if (from > yesterday) from = yesterday;
	if (from < floor) from = floor;
	return { from, to: today };
}

/** The `analytics.rollup` job: rolls up the days `daysToRollUp` names for every connector. */
export async function rollupJob(deps: { db: Database; clock: () => Date }): Promise<JobOutcome> {
	const now = deps.clock();
	const { timeZone } = (await getSettings(deps.db, now.getTime())).general;
	const today = localDay(now, timeZone);
	const { from, to } = await daysToRollUp(deps.db, today, timeZone);
	const result = await rollupDays({ ...deps, timeZone }, from, to);
	return {
		message:
			result.rows === 0
				? 'No connectors to roll up.'
				: `Rolled up ${from === to ? from : `${from} to ${to}`} (${result.rows} rows, ${timeZone}).`,
		result: { ...result }
	};
}

/**
 * Deletes roll-ups of days older than `ANALYTICS_RETENTION_DAYS` before `now`'s UTC day.
 * @returns rows deleted
 */
export async function pruneAnalytics(db: DbOrTx, now: Date): Promise<number> {
	const cutoff = addDays(now.toISOString().slice(0, 10), -ANALYTICS_RETENTION_DAYS);
	return deleteCounted(db, analyticsDaily, sql`${analyticsDaily.day} < ${cutoff}::date`);
}
