/**
 * Read model of the Queue page: what `listPending` gives (dispatch order, estimates) plus what a
 * person needs to judge a batch — its score breakdown, whether a person set it (`origin`), the
 * series or movies it searches (our mirror ids, for links to `/series/{id}` and `/movies/{id}`) —
 * and the pauses with their `until` / `reason` when Comradarr set them itself.
 *
 * Reads only: no row is changed here. Writes live in queue-admin.ts.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	connectors,
	movies,
	queuePauses,
	requestQueue,
	requestQueueItems,
	searchRegistry,
	series,
	type ConnectorType,
	type HealthState,
	type RequestOrigin
} from '../../db/schema';
import type { BatchScore } from '$lib/types/search-score';
import { inForce, listPending, type Page, type PendingBatchView } from './queue-admin';

/** A title a batch searches, with our mirror id (link target). */
export type SearchTarget =
	| { kind: 'series'; id: number; title: string; seasonNumber: number | null }
	| { kind: 'movie'; id: number; title: string; year: number | null };

/** One pending batch as the Queue page shows it. */
export interface QueueBatchView extends Omit<PendingBatchView, 'payload'> {
	/** How `priority` was reached; null on rows queued before scores were stored. */
	score: BatchScore | null;
	/** `manual`: a person set its priority (or searched it now); sweeps keep it. */
	origin: RequestOrigin;
	/** Items (episodes or movies) in the command. */
	itemCount: number;
	/** The series (episode and season searches) or movies (movie searches) it searches. */
	targets: SearchTarget[];
}

/** Most movies listed as links for one MoviesSearch; the rest are counted. */
export const MAX_TARGETS = 10;

/**
 * One page of pending batches in dispatch order (see `listPending`), each with its score, origin,
 * item count and link targets. Three extra indexed reads for the page's ids.
 */
export async function listQueuePage(
	db: DbOrTx,
	input: { page: number; pageSize: number; connectorId?: number | undefined; now: Date }
): Promise<Page<QueueBatchView>> {
	const listing = await listPending(db, input);
	const ids = listing.items.map((i) => i.id);
	if (ids.length === 0) return { ...listing, items: [] };

	const [extras, counts, movieRows] = await Promise.all([
		db
			.select({
				id: requestQueue.id,
				score: requestQueue.score,
				origin: requestQueue.origin,
				seriesId: requestQueue.seriesId,
				seasonNumber: requestQueue.seasonNumber,
				seriesTitle: series.title
			})
			.from(requestQueue)
			.leftJoin(series, eq(series.id, requestQueue.seriesId))
			.where(inArray(requestQueue.id, ids)),
		db
			.select({
				requestId: requestQueueItems.requestId,
				n: sql<number>`count(*)::int`
			})
			.from(requestQueueItems)
			.where(inArray(requestQueueItems.requestId, ids))
			.groupBy(requestQueueItems.requestId),
		db
			.select({
				requestId: requestQueueItems.requestId,
				id: movies.id,
				title: movies.title,
				year: movies.year
			})
			.from(requestQueueItems)
			.innerJoin(searchRegistry, eq(searchRegistry.id, requestQueueItems.registryId))
			.innerJoin(movies, eq(movies.id, searchRegistry.movieId))
			.where(inArray(requestQueueItems.requestId, ids))
			.orderBy(asc(movies.sortTitle), asc(movies.id))
	]);

	const extraOf = new Map(extras.map((e) => [e.id, e]));
	const countOf = new Map(counts.map((c) => [c.requestId, c.n]));
	const moviesOf = new Map<number, SearchTarget[]>();
	for (const m of movieRows) {
		const list = moviesOf.get(m.requestId) ?? [];
		if (list.length < MAX_TARGETS) {
			list.push({ kind: 'movie', id: m.id, title: m.title, year: m.year });
		}
		moviesOf.set(m.requestId, list);
	}

	return {
		...listing,
		items: listing.items.map(({ payload, ...item }) => {
			const extra = extraOf.get(item.id);
			const targets: SearchTarget[] =
				extra && extra.seriesId !== null && extra.seriesTitle !== null
					? [
							{
								kind: 'series',
								id: extra.seriesId,
								title: extra.seriesTitle,
								seasonNumber: extra.seasonNumber
							}
						]
					: (moviesOf.get(item.id) ?? []);
			return {
				...item,
				score: extra?.score ?? null,
				origin: extra?.origin ?? 'sweep',
				itemCount: countOf.get(item.id) ?? itemsInPayload(payload),
				targets
			};
		})
	};
}

/** Items a command body names (a SeasonSearch names none: the whole season). */
function itemsInPayload(payload: PendingBatchView['payload']): number {
	if (payload.name === 'EpisodeSearch') return payload.episodeIds.length;
	if (payload.name === 'MoviesSearch') return payload.movieIds.length;
	return 0;
}

/**
 * The priority that puts a batch first in the dispatch order ("move to top"): one above the
 * highest pending priority (of one connector when given), or `fallback` when nothing is pending.
 */
export async function topPriority(
	db: DbOrTx,
	input: { connectorId?: number | undefined; fallback: number }
): Promise<number> {
	const [row] = await db
		.select({ max: sql<number | null>`max(${requestQueue.priority})::int` })
		.from(requestQueue)
		.where(
			input.connectorId === undefined
				? eq(requestQueue.status, 'pending')
				: sql`${requestQueue.status} = 'pending' and ${requestQueue.connectorId} = ${input.connectorId}`
		);
	return row === undefined || row.max === null ? input.fallback : row.max + 1;
}

/** A pause as the Queue page shows it. */
export interface PauseView {
	/** null: the whole queue (every connector). */
	connectorId: number | null;
	connectorName: string | null;
	pausedAt: Date;
	/** A pause Comradarr set itself ends here; null = until someone resumes. */
	until: Date | null;
	/** Why Comradarr paused (e.g. "rate limited by the app (HTTP 429)"); null = a person paused. */
	reason: string | null;
}

/**
 * Every pause in force at `now`, the whole queue first, then by connector name. A pause Comradarr
 * set with an `until` that has passed no longer holds dispatch back and is left out.
 */
export async function listPauses(db: DbOrTx, now: Date): Promise<PauseView[]> {
	const rows = await db
		.select({
			connectorId: queuePauses.connectorId,
			connectorName: connectors.name,
			pausedAt: queuePauses.pausedAt,
			until: queuePauses.until,
			reason: queuePauses.reason
		})
		.from(queuePauses)
		.leftJoin(connectors, eq(connectors.id, queuePauses.connectorId))
		.where(inForce(now))
		.orderBy(sql`${queuePauses.connectorId} nulls first`, asc(connectors.name));
	return rows.map((r) => ({
		connectorId: r.connectorId,
		connectorName: r.connectorName ?? null,
		pausedAt: r.pausedAt,
		until: r.until ?? null,
		reason: r.reason ?? null
	}));
}

/** A connector as the queue and history filters list it. */
export interface ConnectorOption {
	id: number;
	name: string;
	type: ConnectorType;
	enabled: boolean;
	health: HealthState;
}

/** Every connector, by name: the options of the connector filter and the per-connector actions. */
export async function listConnectorOptions(db: DbOrTx): Promise<ConnectorOption[]> {
	return db
		.select({
			id: connectors.id,
			name: connectors.name,
			type: connectors.type,
			enabled: connectors.enabled,
			health: connectors.health
		})
		.from(connectors)
		.orderBy(asc(connectors.name), asc(connectors.id));
}
