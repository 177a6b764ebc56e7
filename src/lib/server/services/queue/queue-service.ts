/**
 * Queue building: from the eligible search registry rows of one connector to prioritised commands
 * in `request_queue`, set-based.
 *
 * Each build first returns the connector's unsent (`pending`) requests of the swept types to the
 * registry and rebuilds them, so the queue always reflects the latest mirror and priorities; a row
 * a dispatcher has claimed (`sending`) is locked and left alone.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	requestQueue,
	requestQueueItems,
	type Connector,
	type SearchType,
	type ThrottleProfile
} from '../../db/schema';
import { episodeGapCondition } from '../../db/queries/wanted-conditions';
import { libraryKind } from '../../connectors';
import {
	decideSeasonPacks,
	planBatches,
	type Candidate,
	type PlannedBatch,
	type SeasonStats
} from './batcher';
import { episodePriority, moviePriority } from './prioritizer';

/** At most this many candidates are considered per build (memory stays flat on huge backlogs). */
const CANDIDATE_LIMIT = 20_000;

export interface QueueBuildResult {
	batches: number;
	searches: number;
}

function jsonParam(value: unknown) {
	return sql`${JSON.stringify(value)}::text::jsonb`;
}

/** Eligible candidates of one connector, highest priority first. */
async function loadCandidates(
	db: DbOrTx,
	connector: Connector,
	searchTypes: readonly SearchType[],
	now: Date
): Promise<Candidate[]> {
	const at = sql`${now.toISOString()}::timestamptz`;
	const types = jsonParam(searchTypes);
	if (libraryKind(connector) === 'movies') {
		const rows = await db.execute<{
			registry_id: number;
			search_type: SearchType;
			priority: number;
			arr_id: number;
			title: string;
			year: number | null;
		}>(sql`
			select r.id as registry_id, r.search_type, ${moviePriority(now)} as priority,
			       m.arr_id, m.title, m.year
			from search_registry r join movies m on m.id = r.movie_id
			where r.connector_id = ${connector.id}
			  and r.search_type in (select jsonb_array_elements_text(${types}))
			  and r.state in ('pending', 'cooldown') and r.next_eligible_at <= ${at}
			order by priority desc, r.id
			limit ${CANDIDATE_LIMIT}`);
		return rows.map((r) => ({
			kind: 'movie',
			registryId: r.registry_id,
			searchType: r.search_type,
			priority: r.priority,
			arrMovieId: r.arr_id,
			title: r.title,
			year: r.year
		}));
	}
	const rows = await db.execute<{
		registry_id: number;
		search_type: SearchType;
		priority: number;
		series_id: number;
		arr_series_id: number;
		series_title: string;
		season_number: number;
		episode_number: number | null;
		arr_id: number;
	}>(sql`
		select r.id as registry_id, r.search_type, ${episodePriority(now)} as priority,
		       s.id as series_id, s.arr_id as arr_series_id, s.title as series_title,
		       e.season_number, e.episode_number, e.arr_id
		from search_registry r
		join episodes e on e.id = r.episode_id
		join series s on s.id = e.series_id
		where r.connector_id = ${connector.id}
		  and r.search_type in (select jsonb_array_elements_text(${types}))
		  and r.state in ('pending', 'cooldown') and r.next_eligible_at <= ${at}
		order by priority desc, r.id
		limit ${CANDIDATE_LIMIT}`);
	return rows.map((r) => ({
		kind: 'episode',
		registryId: r.registry_id,
		searchType: r.search_type,
		priority: r.priority,
		seriesId: r.series_id,
		arrSeriesId: r.arr_series_id,
		seriesTitle: r.series_title,
		seasonNumber: r.season_number,
		episodeNumber: r.episode_number,
		arrEpisodeId: r.arr_id
	}));
}

/** Season statistics for the seasons that have eligible gap candidates. */
export async function loadSeasonStats(
	db: DbOrTx,
	connectorId: number,
	seriesIds: readonly number[],
	now: Date,
	packCooldownHours: number
): Promise<SeasonStats[]> {
	if (seriesIds.length === 0) return [];
	const at = sql`${now.toISOString()}::timestamptz`;
	const rows = await db.execute<{
		series_id: number;
		season_number: number;
		episode_count: number;
		gap_count: number;
		fully_aired: boolean;
		recently_packed: boolean;
	}>(sql`
		select e.series_id, e.season_number,
		       count(*)::int as episode_count,
		       count(*) filter (where ${episodeGapCondition(now)})::int as gap_count,
		       bool_and(e.air_date_utc is not null and e.air_date_utc + make_interval(mins => e.runtime) <= ${at})
		         and bool_and(sn.next_airing is null or sn.next_airing <= ${at}) as fully_aired,
		       exists (
		         select 1 from request_queue q
		         where q.connector_id = ${connectorId} and q.command = 'SeasonSearch'
		           and q.series_id = e.series_id and q.season_number = e.season_number
		           and q.claimed_at > ${at} - make_interval(hours => ${packCooldownHours})
		       ) as recently_packed
		from episodes e
		join series s on s.id = e.series_id
		left join seasons sn on sn.series_id = e.series_id and sn.season_number = e.season_number
		where e.connector_id = ${connectorId}
		  and e.series_id in (select value::int from jsonb_array_elements_text(${jsonParam(seriesIds)}))
		group by e.series_id, e.season_number`);
	return rows.map((r) => ({
		seriesId: r.series_id,
		seasonNumber: r.season_number,
		episodeCount: r.episode_count,
		gapCount: r.gap_count,
		fullyAired: r.fully_aired,
		recentlyPacked: r.recently_packed
	}));
}

/** Writes planned batches, their item links and the registry state `queued`, three statements. */
async function insertBatches(
	db: DbOrTx,
	connectorId: number,
	batches: readonly PlannedBatch[],
	now: Date
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
				label: b.label,
				seriesId: b.seriesId,
				seasonNumber: b.seasonNumber,
				status: 'pending' as const,
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
	await db.execute(sql`
		update search_registry set state = 'queued', updated_at = ${now.toISOString()}::timestamptz
		where id in (select value::int from jsonb_array_elements_text(${jsonParam(links.map((l) => l.registryId))}))`);
}

/**
 * Rebuilds the connector's pending requests for the given search types.
 * Run inside the sweep's transaction (after `refreshRegistry`).
 */
export async function buildQueue(
	db: DbOrTx,
	connector: Connector,
	profile: ThrottleProfile,
	searchTypes: readonly SearchType[],
	now: Date
): Promise<QueueBuildResult> {
	const types = jsonParam(searchTypes);
	await db.execute(sql`
		update search_registry r set state = 'pending'
		from request_queue_items i join request_queue q on q.id = i.request_id
		where i.registry_id = r.id and q.connector_id = ${connector.id} and q.status = 'pending'
		  and q.search_type in (select jsonb_array_elements_text(${types}))`);
	await db.execute(sql`
		delete from request_queue q
		where q.connector_id = ${connector.id} and q.status = 'pending'
		  and q.search_type in (select jsonb_array_elements_text(${types}))`);

	const candidates = await loadCandidates(db, connector, searchTypes, now);
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
			: await loadSeasonStats(db, connector.id, gapSeries, now, connector.seasonPackCooldownHours);
	const packs = decideSeasonPacks(stats, {
		enabled: connector.seasonPackEnabled,
		thresholdPct: connector.seasonPackThresholdPct,
		maxEpisodesBeforePack: connector.maxEpisodesBeforePack
	});
	const batches = planBatches(candidates, packs, {
		maxItemsPerCommand: profile.maxItemsPerCommand,
		searchBudget: profile.dailySearchBudget
	});
	await insertBatches(db, connector.id, batches, now);
	return { batches: batches.length, searches: batches.reduce((n, b) => n + b.searchCount, 0) };
}
