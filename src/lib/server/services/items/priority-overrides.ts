/**
 * Priority overrides (issue 9 §3): a user's boost (or demotion) in points added to item scores
 * (`priority_overrides`, summed per item by the prioritizer: the item's own, its series', its
 * connector's). Set, clear and list them.
 *
 * A change applies **at once** to the pending sweep batches that hold an affected item: each is
 * re-scored with services/queue/prioritizer.ts `scoreBatch` from its items' current scores, and
 * its `priority` / `score` rewritten, in the same transaction. `manual` rows (a search now, or a
 * priority the user set in the queue) keep their priority. The next sweep re-plans everything
 * with the override in the item scores anyway.
 */
import { and, count, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
import {
	connectors,
	episodes,
	MAX_PRIORITY_OVERRIDE,
	movies,
	priorityOverrides,
	series
} from '../../db/schema';
import type { BatchScore } from '$lib/types/search-score';
import { DomainError } from '../../errors';
import { scoreBatch } from '../queue/prioritizer';
import { getSettings } from '../settings/settings-service';
import {
	MovieNotFoundError,
	SeriesNotFoundError,
	lockConnectorQueue,
	scoreRegistryRows,
	type ScoredCandidate
} from './item-scope';
import { jsonParam } from '../../db/schema/columns';

export { MAX_PRIORITY_OVERRIDE };

import type { OverrideTarget } from '$lib/schemas/items';

export { OVERRIDE_TARGETS, type OverrideTarget } from '$lib/schemas/items';

/** `episodes.not_found` (404). */
export class EpisodeNotFoundError extends DomainError {
	constructor(id: number) {
		super('episodes.not_found', `There is no episode ${id}.`, { status: 404 });
		this.name = 'EpisodeNotFoundError';
	}
}

/** `connectors.not_found` (404). */
export class OverrideConnectorNotFoundError extends DomainError {
	constructor(id: number) {
		super('connectors.not_found', `Connector ${id} does not exist`, { status: 404 });
		this.name = 'OverrideConnectorNotFoundError';
	}
}

/** `priority_overrides.not_found` (404): clearing an override that is not set. */
export class OverrideNotFoundError extends DomainError {
	constructor(target: OverrideTarget, id: number) {
		super('priority_overrides.not_found', `There is no priority override for ${target} ${id}.`, {
			status: 404
		});
		this.name = 'OverrideNotFoundError';
	}
}

/** One override as the API shows it. */
export interface OverrideView {
	target: OverrideTarget;
	/** Our id of the target (connector, series, episode or movie). */
	id: number;
	connectorId: number;
	connectorName: string;
	/** e.g. `Breaking Bad`, `Breaking Bad — S01E02`, `Heat (1995)`, or the connector's name. */
	label: string;
	delta: number;
	updatedAt: Date;
}

/** What a set or clear did. */
export interface OverrideChange {
	target: OverrideTarget;
	id: number;
	connectorId: number;
	/** The delta now in force (0 once cleared). */
	delta: number;
	/** Pending sweep batches re-scored at once. */
	rescored: number;
}

/** The target's connector and its `priority_overrides` row condition. */
async function resolveOverrideTarget(
	db: DbOrTx,
	target: OverrideTarget,
	id: number
): Promise<{ connectorId: number; where: SQL; itemWhere: SQL }> {
	const po = priorityOverrides;
	switch (target) {
		case 'connector': {
			const [row] = await db
				.select({ id: connectors.id })
				.from(connectors)
				.where(eq(connectors.id, id));
			if (!row) throw new OverrideConnectorNotFoundError(id);
			return {
				connectorId: id,
				where: and(
					eq(po.connectorId, id),
					isNull(po.seriesId),
					isNull(po.episodeId),
					isNull(po.movieId)
				) as SQL,
				itemWhere: sql`r.connector_id = ${id}`
			};
		}
		case 'series': {
			const [row] = await db
				.select({ connectorId: series.connectorId })
				.from(series)
				.where(eq(series.id, id));
			if (!row) throw new SeriesNotFoundError(id);
			return {
				connectorId: row.connectorId,
				where: eq(po.seriesId, id),
				itemWhere: sql`r.episode_id in (select id from episodes where series_id = ${id})`
			};
		}
		case 'episode': {
			const [row] = await db
				.select({ connectorId: episodes.connectorId })
				.from(episodes)
				.where(eq(episodes.id, id));
			if (!row) throw new EpisodeNotFoundError(id);
			return {
				connectorId: row.connectorId,
				where: eq(po.episodeId, id),
				itemWhere: sql`r.episode_id = ${id}`
			};
		}
		case 'movie': {
			const [row] = await db
				.select({ connectorId: movies.connectorId })
				.from(movies)
				.where(eq(movies.id, id));
			if (!row) throw new MovieNotFoundError(id);
			return {
				connectorId: row.connectorId,
				where: eq(po.movieId, id),
				itemWhere: sql`r.movie_id = ${id}`
			};
		}
	}
}

/**
 * Re-scores the connector's pending sweep batches that hold an item matching `itemWhere` (over
 * `search_registry r`), at `now`. @returns how many batches were rewritten.
 */
async function rescorePending(
	db: DbOrTx,
	connectorId: number,
	itemWhere: SQL,
	now: Date
): Promise<number> {
	const links = await db.execute<{
		request_id: number;
		registry_id: number;
		command: string;
		score: BatchScore | null;
	}>(sql`
		select i.request_id, i.registry_id, q.command, q.score
		from request_queue q join request_queue_items i on i.request_id = q.id
		where q.connector_id = ${connectorId} and q.status = 'pending' and q.origin = 'sweep'
		  and q.id in (select i2.request_id from request_queue_items i2
		               join search_registry r on r.id = i2.registry_id where ${itemWhere})`);
	if (links.length === 0) return 0;
	const { weights } = (await getSettings(db)).search;
	const scored = await scoreRegistryRows(
		db,
		[...new Set(links.map((l) => l.registry_id))],
		weights,
		now
	);
	const byRegistry = new Map(scored.map((c) => [c.registryId, c]));
	const requests = new Map<number, { command: string; rule: string; items: ScoredCandidate[] }>();
	for (const link of links) {
		const request = requests.get(link.request_id) ?? {
			command: String(link.command),
			rule: (link.score as BatchScore | null)?.rule ?? 'rescored',
			items: [] as ScoredCandidate[]
		};
		const item = byRegistry.get(link.registry_id);
		if (item) request.items.push(item);
		requests.set(link.request_id, request);
	}
	const updates = [...requests].map(([id, r]) => {
		const score = scoreBatch(r.items, r.command === 'SeasonSearch' ? 'pack' : 'items', r.rule);
		return { id, priority: Math.round(score.perQuery), score };
	});
	await db.execute(sql`
		update request_queue q set priority = u.priority, score = u.score
		from (select (value->>'id')::int as id, (value->>'priority')::int as priority,
		             value->'score' as score
		      from jsonb_array_elements(${jsonParam(updates)})) u
		where q.id = u.id and q.status = 'pending'`);
	return updates.length;
}

/**
 * Sets the override of a target to `delta` points (replacing any earlier one) and re-scores the
 * pending sweep batches it affects.
 * @param delta a non-zero integer, |delta| ≤ MAX_PRIORITY_OVERRIDE (the route validates it)
 * @throws OverrideConnectorNotFoundError / SeriesNotFoundError / EpisodeNotFoundError /
 *   MovieNotFoundError (404).
 */
export async function setPriorityOverride(
	db: Database,
	input: { target: OverrideTarget; id: number; delta: number; now: Date }
): Promise<OverrideChange> {
	const { target, id, delta, now } = input;
	return db.transaction(async (tx) => {
		const resolved = await resolveOverrideTarget(tx, target, id);
		await lockConnectorQueue(tx, resolved.connectorId);
		const updated = await tx
			.update(priorityOverrides)
			.set({ delta, updatedAt: now })
			.where(resolved.where)
			.returning({ id: priorityOverrides.id });
		if (updated.length === 0) {
			await tx.insert(priorityOverrides).values({
				connectorId: resolved.connectorId,
				seriesId: target === 'series' ? id : null,
				episodeId: target === 'episode' ? id : null,
				movieId: target === 'movie' ? id : null,
				delta,
				createdAt: now,
				updatedAt: now
			});
		}
		const rescored = await rescorePending(tx, resolved.connectorId, resolved.itemWhere, now);
		return { target, id, connectorId: resolved.connectorId, delta, rescored };
	});
}

/**
 * Clears the override of a target and re-scores the pending sweep batches it affected.
 * @throws the 404s of `setPriorityOverride`; OverrideNotFoundError (404) when none is set.
 */
export async function clearPriorityOverride(
	db: Database,
	input: { target: OverrideTarget; id: number; now: Date }
): Promise<OverrideChange> {
	const { target, id, now } = input;
	return db.transaction(async (tx) => {
		const resolved = await resolveOverrideTarget(tx, target, id);
		await lockConnectorQueue(tx, resolved.connectorId);
		const deleted = await tx
			.delete(priorityOverrides)
			.where(resolved.where)
			.returning({ id: priorityOverrides.id });
		if (deleted.length === 0) throw new OverrideNotFoundError(target, id);
		const rescored = await rescorePending(tx, resolved.connectorId, resolved.itemWhere, now);
		return { target, id, connectorId: resolved.connectorId, delta: 0, rescored };
	});
}

/** The delta set on exactly this target, or 0 (inherited ones are not included). */
export async function overrideOf(db: DbOrTx, target: OverrideTarget, id: number): Promise<number> {
	const where =
		target === 'connector'
			? sql`connector_id = ${id} and series_id is null and episode_id is null and movie_id is null`
			: target === 'series'
				? sql`series_id = ${id}`
				: target === 'episode'
					? sql`episode_id = ${id}`
					: sql`movie_id = ${id}`;
	const [row] = await db.execute<{ delta: number }>(
		sql`select delta from priority_overrides where ${where}`
	);
	return row?.delta ?? 0;
}

/**
 * Overrides, one page, connector by connector (connector-wide first), then by label.
 * @param page 1-based; pageSize rows per page (the route bounds it to 1..500)
 */
export async function listPriorityOverrides(
	db: DbOrTx,
	input: { page: number; pageSize: number; connectorId?: number | undefined }
): Promise<{ items: OverrideView[]; page: number; pageSize: number; total: number }> {
	const { page, pageSize } = input;
	const scope =
		input.connectorId === undefined ? sql`true` : sql`po.connector_id = ${input.connectorId}`;
	const rows = await db.execute<{
		connector_id: number;
		connector_name: string;
		series_id: number | null;
		episode_id: number | null;
		movie_id: number | null;
		label: string;
		delta: number;
		updated_at: string | Date;
	}>(sql`
		select po.connector_id, c.name as connector_name, po.series_id, po.episode_id, po.movie_id,
		       coalesce(
		         s.title,
		         es.title || ' — S' || lpad(e.season_number::text, 2, '0') || 'E' || lpad(coalesce(e.episode_number, 0)::text, 2, '0'),
		         m.title || coalesce(' (' || m.year || ')', ''),
		         c.name) as label,
		       po.delta, po.updated_at
		from priority_overrides po
		join connectors c on c.id = po.connector_id
		left join series s on s.id = po.series_id
		left join episodes e on e.id = po.episode_id
		left join series es on es.id = e.series_id
		left join movies m on m.id = po.movie_id
		where ${scope}
		order by c.name, po.connector_id,
		         (po.series_id is null and po.episode_id is null and po.movie_id is null) desc,
		         label, po.id
		limit ${pageSize} offset ${(page - 1) * pageSize}`);
	const [total] = await db
		.select({ n: count() })
		.from(priorityOverrides)
		.where(
			input.connectorId === undefined
				? undefined
				: eq(priorityOverrides.connectorId, input.connectorId)
		);
	return {
		page,
		pageSize,
		total: total?.n ?? 0,
		items: rows.map((r) => ({
			target:
				r.series_id !== null
					? 'series'
					: r.episode_id !== null
						? 'episode'
						: r.movie_id !== null
							? 'movie'
							: 'connector',
			id: r.series_id ?? r.episode_id ?? r.movie_id ?? r.connector_id,
			connectorId: r.connector_id,
			connectorName: r.connector_name,
			label: r.label,
			delta: r.delta,
			updatedAt: new Date(r.updated_at)
		}))
	};
}
