/**
 * Queue building: from the eligible search registry rows of one connector to prioritised commands
 * in `request_queue`, set-based.
 *
 * Each build first returns the connector's unsent (`pending`) sweep-built requests of the swept
 * types to the registry and rebuilds them, so the queue always reflects the latest mirror and
 * priorities; a row a dispatcher has claimed (`sending`) is locked and left alone, and so is a
 * `manual` row (a user's search now or priority), whose items are not queued a second time.
 *
 * Candidates are eligible registry rows (`pending`/`cooldown`, `next_eligible_at` passed) minus:
 * - items released less than Settings → Search behaviour `gracePeriodHours` ago (episode
 *   `airDateUtc`, movie release date as mirrored: Radarr `releaseDate`, else digital, physical,
 *   in-cinemas; an unknown date is not held);
 * - series/movies without one of the connector's `include_tag_ids` (when any are set) or with one
 *   of its `exclude_tag_ids` (*arr TagResource ids, matched against `tags`);
 * - items of a pending or in-flight `manual` request.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	requestQueue,
	requestQueueItems,
	type Connector,
	type SearchType,
	type ThrottleProfile
} from '../../db/schema';
import { jsonParam } from '../../db/schema/columns';
import { episodeGapCondition } from '../../db/queries/wanted-conditions';
import { libraryKind } from '../../connectors';
import {
	decideSeasons,
	planBatches,
	type Candidate,
	type PlannedBatch,
	type SeasonStats
} from './batcher';
import {
	itemScoreColumns,
	itemScoreOf,
	type ItemScoreRow,
	type SearchWeights
} from './prioritizer';
import { getSettings } from '../settings/settings-service';

/** At most this many candidates are considered per build (memory stays flat on huge backlogs). */
const CANDIDATE_LIMIT = 20_000;

export interface QueueBuildResult {
	batches: number;
	searches: number;
	/** Gap episodes held back while their season's pack is in cooldown. */
	held: number;
}

/** True for items the connector's tag filters let through; `tags` is the series'/movie's column. */
function tagFilter(connector: Connector, tags: SQL): SQL {
	const include = connector.includeTagIds;
	const exclude = connector.excludeTagIds;
	const has = (ids: readonly number[]) =>
		sql`exists (select 1 from jsonb_array_elements(${jsonParam(ids)}) t where ${tags} @> jsonb_build_array(t))`;
	return sql`(${include.length === 0 ? sql`true` : has(include)})
		and not (${exclude.length === 0 ? sql`false` : has(exclude)})`;
}

/** True for items released at least `graceHours` before `now` (or of unknown release). */
function graceFilter(date: SQL, now: Date, graceHours: number): SQL {
	if (graceHours <= 0) return sql`true`;
	const cutoff = new Date(now.getTime() - graceHours * 3_600_000);
	return sql`(${date} is null or ${date} <= ${cutoff.toISOString()}::timestamptz)`;
}

/** False for registry rows `r` linked to a manual request that is pending or in flight. */
const notInManualRequest = sql`not exists (
	select 1 from request_queue_items mi join request_queue mq on mq.id = mi.request_id
	where mi.registry_id = r.id and mq.origin = 'manual'
	  and mq.status in ('pending', 'sending', 'sent'))`;

/** Why an upgrade candidate is one: the CF-score rule names its figures; null = cutoff unmet. */
type UpgradeRow = {
	search_type: SearchType;
	cutoff_unmet: boolean;
	cf_score: number | null;
	cf_cutoff: number | null;
};

function upgradeReasonOf(row: UpgradeRow): string | undefined {
	if (row.search_type !== 'upgrade' || row.cutoff_unmet) return undefined;
	if (row.cf_score === null || row.cf_cutoff === null) return undefined;
	return `custom format score ${row.cf_score} < cutoff ${row.cf_cutoff}`;
}

/** Eligible candidates of one connector with their scores, highest score first. */
async function loadCandidates(
	db: DbOrTx,
	connector: Connector,
	searchTypes: readonly SearchType[],
	weights: SearchWeights,
	graceHours: number,
	now: Date
): Promise<Candidate[]> {
	const at = sql`${now.toISOString()}::timestamptz`;
	// A parameter list, not `in (select jsonb_array_elements_text(…))`: the planner re-ran that set
	// function for each of 70,000 rows (a semi join; 250 ms of a 500,000-episode sweep).
	const typeList = sql.join(
		searchTypes.map((t) => sql`${t}`),
		sql`, `
	);
	if (libraryKind(connector) === 'movies') {
		const score = itemScoreColumns(weights, now, {
			date: sql`coalesce(m.release_date, m.added)`,
			appLastSearch: sql`m.last_search_time`,
			override: { movieId: sql`m.id` }
		});
		const rows = await db.execute<
			ItemScoreRow & {
				registry_id: number;
				search_type: SearchType;
				attempts: number;
				arr_id: number;
				title: string;
				year: number | null;
				cutoff_unmet: boolean;
				cf_score: number | null;
				cf_cutoff: number | null;
			}
		>(sql`
			select r.id as registry_id, r.search_type, r.attempts, ${score.columns},
			       m.arr_id, m.title, m.year, m.quality_cutoff_not_met as cutoff_unmet,
			       m.custom_format_score as cf_score, qp.cutoff_format_score as cf_cutoff
			from search_registry r join movies m on m.id = r.movie_id
			left join quality_profiles qp
			  on qp.connector_id = m.connector_id and qp.arr_id = m.quality_profile_id
			${score.joins}
			where r.connector_id = ${connector.id}
			  and r.search_type in (${typeList})
			  and r.state in ('pending', 'cooldown') and r.next_eligible_at <= ${at}
			  and ${graceFilter(sql`m.release_date`, now, graceHours)}
			  and ${tagFilter(connector, sql`m.tags`)}
			  and ${notInManualRequest}
			order by s_total desc, r.id
			limit ${CANDIDATE_LIMIT}`);
		return rows.map((r) => ({
			kind: 'movie',
			registryId: r.registry_id,
			searchType: r.search_type,
			score: itemScoreOf(r as ItemScoreRow),
			attempts: r.attempts,
			arrMovieId: r.arr_id,
			title: r.title,
			year: r.year,
			upgradeReason: upgradeReasonOf(r as UpgradeRow)
		}));
	}
	const score = itemScoreColumns(weights, now, {
		date: sql`e.air_date_utc`,
		appLastSearch: sql`e.last_search_time`,
		override: { episodeId: sql`e.id`, seriesId: sql`e.series_id` }
	});
	const rows = await db.execute<
		ItemScoreRow & {
			registry_id: number;
			search_type: SearchType;
			attempts: number;
			series_id: number;
			arr_series_id: number;
			series_title: string;
			season_number: number;
			episode_number: number | null;
			arr_id: number;
			cutoff_unmet: boolean;
			cf_score: number | null;
			cf_cutoff: number | null;
		}
	>(sql`
		select r.id as registry_id, r.search_type, r.attempts, ${score.columns},
		       s.id as series_id, s.arr_id as arr_series_id, s.title as series_title,
		       e.season_number, e.episode_number, e.arr_id, e.quality_cutoff_not_met as cutoff_unmet,
		       e.custom_format_score as cf_score, qp.cutoff_format_score as cf_cutoff
		from search_registry r
		join episodes e on e.id = r.episode_id
		join series s on s.id = e.series_id
		left join quality_profiles qp
		  on qp.connector_id = s.connector_id and qp.arr_id = s.quality_profile_id
		${score.joins}
		where r.connector_id = ${connector.id}
		  and r.search_type in (${typeList})
		  and r.state in ('pending', 'cooldown') and r.next_eligible_at <= ${at}
		  and ${graceFilter(sql`e.air_date_utc`, now, graceHours)}
		  and ${tagFilter(connector, sql`s.tags`)}
		  and ${notInManualRequest}
		order by s_total desc, r.id
		limit ${CANDIDATE_LIMIT}`);
	return rows.map((r) => ({
		kind: 'episode',
		registryId: r.registry_id,
		searchType: r.search_type,
		score: itemScoreOf(r as ItemScoreRow),
		attempts: r.attempts,
		seriesId: r.series_id,
		arrSeriesId: r.arr_series_id,
		seriesTitle: r.series_title,
		seasonNumber: r.season_number,
		episodeNumber: r.episode_number,
		arrEpisodeId: r.arr_id,
		upgradeReason: upgradeReasonOf(r as UpgradeRow)
	}));
}

/**
 * Season statistics for the seasons that have eligible gap candidates. A season counts as fully
 * aired only once its last episode is past the grace period too (`graceHours`, 0 = off): a season
 * pack searched right after the finale would grab the same fakes an early episode search does.
 */
export async function loadSeasonStats(
	db: DbOrTx,
	connectorId: number,
	seriesIds: readonly number[],
	now: Date,
	graceHours = 0
): Promise<SeasonStats[]> {
	if (seriesIds.length === 0) return [];
	const at = sql`${now.toISOString()}::timestamptz`;
	const graceCutoff = sql`${new Date(now.getTime() - Math.max(0, graceHours) * 3_600_000).toISOString()}::timestamptz`;
	const rows = await db.execute<{
		series_id: number;
		season_number: number;
		episode_count: number;
		gap_count: number;
		fully_aired: boolean;
		hours_since_pack: number | null;
	}>(sql`
		with per_season as (
			select e.series_id, e.season_number,
			       count(*)::int as episode_count,
			       count(*) filter (where ${episodeGapCondition(now)})::int as gap_count,
			       bool_and(e.air_date_utc is not null and e.air_date_utc + make_interval(mins => e.runtime) <= ${at}
			                and e.air_date_utc <= ${graceCutoff}) as episodes_aired
			from episodes e
			join series s on s.id = e.series_id
			where e.connector_id = ${connectorId}
			  and e.series_id in (select value::int from jsonb_array_elements_text(${jsonParam(seriesIds)}))
			group by e.series_id, e.season_number
		), last_pack as (
			select q.series_id, q.season_number, max(q.claimed_at) as claimed_at
			from request_queue q
			where q.connector_id = ${connectorId} and q.command = 'SeasonSearch' and q.claimed_at <= ${at}
			group by q.series_id, q.season_number
		)
		-- Seasons and earlier packs are joined once per season, after the episodes are counted.
		select p.series_id, p.season_number, p.episode_count, p.gap_count,
		       p.episodes_aired and (sn.next_airing is null or sn.next_airing <= ${at}) as fully_aired,
		       (extract(epoch from (${at} - lp.claimed_at)) / 3600)::float8 as hours_since_pack
		from per_season p
		left join seasons sn on sn.series_id = p.series_id and sn.season_number = p.season_number
		left join last_pack lp on lp.series_id = p.series_id and lp.season_number = p.season_number`);
	return rows.map((r) => ({
		seriesId: r.series_id,
		seasonNumber: r.season_number,
		episodeCount: r.episode_count,
		gapCount: r.gap_count,
		fullyAired: r.fully_aired,
		hoursSincePack: r.hours_since_pack
	}));
}

/** Writes planned batches, their item links and the registry state `queued`, three statements. */
async function insertBatches(
	db: DbOrTx,
	connectorId: number,
	batches: readonly (PlannedBatch & { itemScores: readonly number[] })[],
	now: Date,
	sweepScheduleId: number | null
): Promise<void> {
	if (batches.length === 0) return;
	const inserted = await db
		.insert(requestQueue)
		.values(
			batches.map((b) => ({
				connectorId,
				command: b.command,
				searchType: b.searchType,
				payload: b.payload,
				searchCount: b.searchCount,
				priority: b.priority,
				score: b.score,
				label: b.label,
				seriesId: b.seriesId,
				seasonNumber: b.seasonNumber,
				status: 'pending' as const,
				sweepScheduleId,
				scheduledAt: now,
				createdAt: now
			}))
		)
		.returning({ id: requestQueue.id });
	// INSERT … VALUES … RETURNING yields rows in VALUES order.
	const links = batches.flatMap((b, i) => {
		const requestId = inserted[i]?.id;
		return requestId === undefined
			? []
			: b.registryIds.map((registryId) => ({ requestId, registryId }));
	});
	for (let i = 0; i < links.length; i += 5000) {
		await db.insert(requestQueueItems).values(links.slice(i, i + 5000));
	}
	// Each registry row records the item score it was queued with.
	const queued = batches.flatMap((b) => b.registryIds.map((id, i) => [id, b.itemScores[i] ?? 0]));
	await db.execute(sql`
		update search_registry r set state = 'queued', priority = q.priority,
		       updated_at = ${now.toISOString()}::timestamptz
		from (select (value->>0)::int as id, (value->>1)::int as priority
		      from jsonb_array_elements(${jsonParam(queued)})) q
		where r.id = q.id`);
}

/** Which sweep builds a queue, and how many commands it may queue. */
export interface QueueBuildOptions {
	/** The sweep schedule running this build (stamped on its rows); null = an unscheduled sweep. */
	sweepScheduleId?: number | null;
	/** At most this many commands queued (the highest-priority ones); null = no limit. */
	batchLimit?: number | null;
}

/** True for request rows `q` a build by `sweepScheduleId` owns: its own and unscheduled ones. */
function ownedBy(sweepScheduleId: number | null): SQL {
	return sweepScheduleId === null
		? sql`q.sweep_schedule_id is null`
		: sql`(q.sweep_schedule_id is null or q.sweep_schedule_id = ${sweepScheduleId})`;
}

/**
 * Rebuilds the connector's pending sweep-built requests for the given search types. Run inside
 * the sweep's transaction (after `refreshRegistry`).
 *
 * What a build replaces: only `pending` rows of origin `sweep`, of the types it sweeps (a gaps
 * sweep never touches queued upgrade rows, nor an upgrades sweep gap rows), that it owns — rows
 * queued by the same schedule, or by no schedule (a manual sweep, rows from before schedules).
 * Rows another schedule queued stay with that schedule (its throttle profile, its limit) until
 * it runs again; their items are `queued` in the registry, so they are not queued twice. Manual
 * rows (and the state of their items) are never touched.
 */
export async function buildQueue(
	db: DbOrTx,
	connector: Connector,
	profile: ThrottleProfile,
	searchTypes: readonly SearchType[],
	now: Date,
	options: QueueBuildOptions = {}
): Promise<QueueBuildResult> {
	const types = jsonParam(searchTypes);
	const scheduleId = options.sweepScheduleId ?? null;
	await db.execute(sql`
		update search_registry r set state = 'pending'
		from request_queue_items i join request_queue q on q.id = i.request_id
		where i.registry_id = r.id and q.connector_id = ${connector.id} and q.status = 'pending'
		  and q.origin = 'sweep' and ${ownedBy(scheduleId)}
		  and q.search_type in (select jsonb_array_elements_text(${types}))
		  and ${notInManualRequest}`);
	await db.execute(sql`
		delete from request_queue q
		where q.connector_id = ${connector.id} and q.status = 'pending' and q.origin = 'sweep'
		  and ${ownedBy(scheduleId)}
		  and q.search_type in (select jsonb_array_elements_text(${types}))`);

	const { weights, gracePeriodHours } = (await getSettings(db)).search;
	const candidates = await loadCandidates(
		db,
		connector,
		searchTypes,
		weights,
		gracePeriodHours,
		now
	);
	const gapSeries = [
		...new Set(
			candidates.flatMap((c) =>
				c.kind === 'episode' && c.searchType === 'gap' ? [c.seriesId] : []
			)
		)
	];
	const stats =
		libraryKind(connector) === 'movies'
			? []
			: await loadSeasonStats(db, connector.id, gapSeries, now, gracePeriodHours);
	const seasons = decideSeasons(stats, {
		enabled: connector.seasonPackEnabled,
		thresholdPct: connector.seasonPackThresholdPct,
		maxEpisodesBeforePack: connector.maxEpisodesBeforePack,
		minEpisodes: connector.seasonPackMinEpisodes,
		cooldownHours: connector.seasonPackCooldownHours
	});
	const planned = planBatches(candidates, seasons, {
		maxItemsPerCommand: profile.maxItemsPerCommand,
		searchBudget: profile.dailySearchBudget
	});
	const { held } = planned;
	// planBatches returns the batches best first: a limit keeps the most valuable ones, and the
	// items of the others stay `pending` for the next sweep.
	const limit = options.batchLimit ?? null;
	const batches = limit === null ? planned.batches : planned.batches.slice(0, Math.max(0, limit));
	const scoreOf = new Map(candidates.map((c) => [c.registryId, c.score.total]));
	await insertBatches(
		db,
		connector.id,
		batches.map((b) => ({ ...b, itemScores: b.registryIds.map((id) => scoreOf.get(id) ?? 0) })),
		now,
		scheduleId
	);
	return {
		batches: batches.length,
		searches: batches.reduce((n, b) => n + b.searchCount, 0),
		held
	};
}
