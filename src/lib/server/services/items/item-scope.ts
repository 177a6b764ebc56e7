/**
 * What an item action applies to, resolved against our mirror: a series (all its episodes, or the
 * `episodeIds` given), or a movie; and the search registry rows of those items, scored the way the
 * queue build scores them (services/queue/prioritizer.ts `itemScoreColumns`, with every priority
 * override that applies). Shared by item-actions.ts and priority-overrides.ts.
 *
 * Ids are ours (`series.id`, `episodes.id`, `movies.id`), never the *arr app's.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, type Connector, type RegistryState, type SearchType } from '../../db/schema';
import { jsonParam } from '../../db/schema/columns';
import { DomainError } from '../../errors';
import type { Candidate } from '../queue/batcher';
import { SWEEP_LOCK_NS } from '../queue/sweep';
import { DISPATCH_LOCK_NS } from '../queue/dispatcher';
import {
	itemScoreColumns,
	itemScoreOf,
	type ItemScore,
	type ItemScoreRow,
	type SearchWeights
} from '../queue/prioritizer';

/** A series (optionally some of its episodes) or a movie. */
export type ItemTarget =
	| { kind: 'series'; seriesId: number; episodeIds?: readonly number[] | undefined }
	| { kind: 'movie'; movieId: number };

/** `series.not_found` (404). */
export class SeriesNotFoundError extends DomainError {
	constructor(id: number | string) {
		super('series.not_found', `There is no series ${id}.`, { status: 404 });
		this.name = 'SeriesNotFoundError';
	}
}

/** `movies.not_found` (404). */
export class MovieNotFoundError extends DomainError {
	constructor(id: number | string) {
		super('movies.not_found', `There is no movie ${id}.`, { status: 404 });
		this.name = 'MovieNotFoundError';
	}
}

/** `validation.failed` (400) on `episodeIds`: ids that are not episodes of the series. */
export class ForeignEpisodesError extends DomainError {
	constructor(seriesId: number, ids: readonly number[]) {
		const list = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
		const message = `Episode${ids.length === 1 ? '' : 's'} ${list} ${ids.length === 1 ? 'is' : 'are'} not part of series ${seriesId}.`;
		super('validation.failed', message, { status: 400, fields: { episodeIds: message } });
		this.name = 'ForeignEpisodesError';
	}
}

/** `col in (ids…)` for a list of integer ids, one parameter whatever its length. */
export function inIds(column: SQL, ids: readonly number[]): SQL {
	return sql`${column} in (select value::int from jsonb_array_elements_text(${jsonParam(ids)}))`;
}

/** The target resolved: its connector, a display name, and the SQL selecting its registry rows. */
export interface ResolvedTarget {
	connector: Connector;
	/** e.g. `Breaking Bad` or `Heat (1995)`. */
	title: string;
	/** Condition on `search_registry r` selecting the rows of the target's items. */
	registryWhere: SQL;
}

/**
 * Resolves a target to its connector and registry condition.
 * @throws SeriesNotFoundError / MovieNotFoundError (404); ForeignEpisodesError (400) when an
 *   `episodeIds` entry is not an episode of the series.
 */
export async function resolveTarget(db: DbOrTx, target: ItemTarget): Promise<ResolvedTarget> {
	if (target.kind === 'movie') {
		const [row] = await db.execute<{ connector_id: number; title: string; year: number | null }>(
			sql`select connector_id, title, year from movies where id = ${target.movieId}`
		);
		if (!row) throw new MovieNotFoundError(target.movieId);
		return {
			connector: await connectorById(db, row.connector_id),
			title: row.year ? `${row.title} (${row.year})` : row.title,
			registryWhere: sql`r.movie_id = ${target.movieId}`
		};
	}
	const [row] = await db.execute<{ connector_id: number; title: string }>(sql`
		select connector_id, title from series where id = ${target.seriesId}`);
	if (!row) throw new SeriesNotFoundError(target.seriesId);
	let registryWhere = sql`r.episode_id in (select id from episodes where series_id = ${target.seriesId})`;
	if (target.episodeIds !== undefined) {
		const ids = [...new Set(target.episodeIds)];
		const found = await db.execute<{ id: number }>(sql`
			select id from episodes where series_id = ${target.seriesId} and ${inIds(sql`id`, ids)}`);
		const known = new Set(found.map((f) => f.id));
		const foreign = ids.filter((id) => !known.has(id));
		if (foreign.length > 0) throw new ForeignEpisodesError(target.seriesId, foreign);
		registryWhere = inIds(sql`r.episode_id`, ids);
	}
	return {
		connector: await connectorById(db, row.connector_id),
		title: row.title,
		registryWhere
	};
}

async function connectorById(db: DbOrTx, id: number): Promise<Connector> {
	const [connector] = await db.select().from(connectors).where(eq(connectors.id, id));
	// The foreign key guarantees it; a miss means the row vanished under us (a concurrent delete).
	if (!connector) {
		throw new DomainError('connectors.not_found', `Connector ${id} does not exist`, {
			status: 404
		});
	}
	return connector;
}

/** One registry row of the target, as the actions need it. */
export interface RegistryRowLock {
	id: number;
	state: RegistryState;
	searchType: SearchType;
}

/**
 * Locks (`FOR UPDATE`) and returns the registry rows matching `where` (over `search_registry r`).
 * Call inside a transaction.
 */
export async function lockRegistryRows(db: DbOrTx, where: SQL): Promise<RegistryRowLock[]> {
	const rows = await db.execute<{ id: number; state: RegistryState; search_type: SearchType }>(sql`
		select r.id, r.state, r.search_type from search_registry r where ${where}
		order by r.id for update`);
	return rows.map((r) => ({ id: r.id, state: r.state, searchType: r.search_type }));
}

/** A registry row scored as a queue build would score it, as a batcher `Candidate`. */
export type ScoredCandidate = Candidate & { score: ItemScore };

/**
 * Scores the registry rows with the given ids (any state) at `now` and returns them as batcher
 * candidates, highest score first.
 */
export async function scoreRegistryRows(
	db: DbOrTx,
	registryIds: readonly number[],
	weights: SearchWeights,
	now: Date
): Promise<ScoredCandidate[]> {
	if (registryIds.length === 0) return [];
	const score = itemScoreColumns(weights, now, {
		date: sql`coalesce(e.air_date_utc, m.release_date, m.added)`,
		appLastSearch: sql`coalesce(e.last_search_time, m.last_search_time)`,
		override: { episodeId: sql`r.episode_id`, movieId: sql`r.movie_id`, seriesId: sql`e.series_id` }
	});
	const rows = await db.execute<
		ItemScoreRow & {
			registry_id: number;
			search_type: SearchType;
			attempts: number;
			series_id: number | null;
			arr_series_id: number | null;
			series_title: string | null;
			season_number: number | null;
			episode_number: number | null;
			arr_episode_id: number | null;
			arr_movie_id: number | null;
			movie_title: string | null;
			movie_year: number | null;
		}
	>(sql`
		select r.id as registry_id, r.search_type, r.attempts, ${score.columns},
		       s.id as series_id, s.arr_id as arr_series_id, s.title as series_title,
		       e.season_number, e.episode_number, e.arr_id as arr_episode_id,
		       m.arr_id as arr_movie_id, m.title as movie_title, m.year as movie_year
		from search_registry r
		left join episodes e on e.id = r.episode_id
		left join series s on s.id = e.series_id
		left join movies m on m.id = r.movie_id
		${score.joins}
		where ${inIds(sql`r.id`, registryIds)}
		order by s_total desc, r.id`);
	return rows.map((r): ScoredCandidate => {
		const base = {
			registryId: r.registry_id,
			searchType: r.search_type,
			score: itemScoreOf(r as ItemScoreRow),
			attempts: r.attempts
		};
		if (r.arr_movie_id !== null) {
			return {
				...base,
				kind: 'movie',
				arrMovieId: r.arr_movie_id,
				title: r.movie_title ?? '',
				year: r.movie_year
			};
		}
		return {
			...base,
			kind: 'episode',
			seriesId: r.series_id ?? 0,
			arrSeriesId: r.arr_series_id ?? 0,
			seriesTitle: r.series_title ?? '',
			seasonNumber: r.season_number ?? 0,
			episodeNumber: r.episode_number,
			arrEpisodeId: r.arr_episode_id ?? 0
		};
	});
}

/** What taking items out of the pending batches did. */
export interface DetachResult {
	/** Pending batches deleted because they contained one of the items. */
	removedRequests: number;
	/** Other items of those batches returned to `pending` (the next sweep queues them again). */
	released: number;
}

/**
 * Takes the given registry rows out of every pending batch: each pending request that contains
 * one of them is deleted (a command's payload, label and score describe all of its items, so it
 * is not rewritten), and its other `queued` items go back to `pending` for the next sweep. The
 * given rows themselves are left in whatever state they are in: the caller sets it. Requests
 * claimed by a dispatcher (`sending`, `sent`) are never touched. Call inside a transaction.
 * @param origins only requests of these origins (default both)
 */
export async function detachFromPending(
	db: DbOrTx,
	registryIds: readonly number[],
	now: Date,
	origins: readonly ('sweep' | 'manual')[] = ['sweep', 'manual']
): Promise<DetachResult> {
	if (registryIds.length === 0) return { removedRequests: 0, released: 0 };
	const [row] = await db.execute<{ removed: number; released: number }>(sql`
		with doomed as (
			select q.id from request_queue q
			where q.status = 'pending'
			  and q.origin in (select jsonb_array_elements_text(${jsonParam(origins)}))
			  and exists (select 1 from request_queue_items i
			              where i.request_id = q.id and ${inIds(sql`i.registry_id`, registryIds)})
			for update
		), released as (
			update search_registry r set state = 'pending', updated_at = ${now.toISOString()}::timestamptz
			from request_queue_items i
			where i.registry_id = r.id and i.request_id in (select id from doomed) and r.state = 'queued'
			  and not ${inIds(sql`r.id`, registryIds)}
			returning r.id
		), deleted as (
			delete from request_queue q using doomed d where q.id = d.id returning q.id
		)
		select (select count(*) from deleted)::int as removed,
		       (select count(*) from released)::int as released`);
	return { removedRequests: row?.removed ?? 0, released: row?.released ?? 0 };
}

/**
 * Serialises an item action with the connector's sweep and dispatcher (their advisory locks, taken
 * in this order: sweep.ts `SWEEP_LOCK_NS`, then dispatcher.ts `DISPATCH_LOCK_NS`), so a sweep rebuilding the queue or a claim in progress never interleaves with it.
 * Call first inside the transaction.
 */
export async function lockConnectorQueue(db: DbOrTx, connectorId: number): Promise<void> {
	await db.execute(sql`select pg_advisory_xact_lock(${SWEEP_LOCK_NS}, ${connectorId})`);
	await db.execute(sql`select pg_advisory_xact_lock(${DISPATCH_LOCK_NS}, ${connectorId})`);
}
