/**
 * Item actions (issue 9 §10): what a user may do to one series (all its episodes or some), or one
 * movie, from its page or `POST /api/v1/series|movies/{id}/…`:
 *
 * - **search now** (`searchNow`): queues the item's wanted episodes / the movie as `manual`
 *   requests at `MANUAL_SEARCH_PRIORITY`, ahead of every sweep batch, so the dispatcher sends them
 *   on its next pass — still under the connector's throttle profile (rolling window, daily
 *   budget, pauses). Commands are `EpisodeSearch` with explicit ids, at most the profile's
 *   `maxItemsPerCommand` per command, or `MoviesSearch` (Sonarr/Radarr `POST /api/v3/command`).
 *   A sweep keeps `manual` rows and does not queue their items again.
 * - **mark exhausted** (`markExhausted`): registry state `exhausted`, never searched again until
 *   cleared.
 * - **clear search state** (`clearSearchState`): registry rows back to `pending` with 0 attempts,
 *   no failure category and eligible now.
 *
 * "Wanted" means an item with a search registry row (a gap or an upgrade candidate that discovery
 * found). Rows `searching` (a dispatcher claimed their command) are never changed: that command is
 * the *arr app's now. Each action runs in one transaction, serialised with the connector's sweep
 * and dispatcher (item-scope.ts `lockConnectorQueue`). An item taken out of a pending batch
 * deletes that batch; the batch's other items return to `pending` and the next sweep queues them
 * again (item-scope.ts `detachFromPending`).
 */
import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
import {
	requestQueue,
	requestQueueItems,
	type SearchCommandName,
	type SearchType
} from '../../db/schema';
import { DomainError } from '../../errors';
import { planBatches } from '../queue/batcher';
import { profileFor } from '../queue/throttle';
import { PRIORITY_LIMITS } from '../queue/queue-admin';
import { getSettings } from '../settings/settings-service';
import {
	detachFromPending,
	inIds,
	lockConnectorQueue,
	lockRegistryRows,
	resolveTarget,
	scoreRegistryRows,
	type ItemTarget,
	type RegistryRowLock
} from './item-scope';
import { jsonParam } from '../../db/schema/columns';

export type { ItemTarget } from './item-scope';

/**
 * The priority of a "search now" request: the highest a priority may be, so it goes before every
 * sweep batch (their priorities are points per query, about −500 to 1,350); several searches now
 * go out in the order they were asked for (the dispatcher orders by priority, then id).
 */
export const MANUAL_SEARCH_PRIORITY = PRIORITY_LIMITS.max;

// --- errors -------------------------------------------------------------------------------------

/** `items.nothing_wanted` (409): none of the items is a gap or an upgrade candidate. */
export class NothingWantedError extends DomainError {
	constructor(title: string) {
		super(
			'items.nothing_wanted',
			`Nothing of “${title}” is wanted: no monitored episode or movie is missing or below its cutoff (or no sweep has looked since the last sync).`,
			{ status: 409 }
		);
		this.name = 'NothingWantedError';
	}
}

/** `items.already_queued` (409): every wanted item is already being searched or in a search now. */
export class AlreadyQueuedError extends DomainError {
	constructor(title: string) {
		super(
			'items.already_queued',
			`Everything wanted of “${title}” is already queued for a search now or being searched.`,
			{ status: 409 }
		);
		this.name = 'AlreadyQueuedError';
	}
}

/** `items.exhausted` (409): search now on items that are all exhausted. */
export class ItemsExhaustedError extends DomainError {
	constructor(title: string) {
		super(
			'items.exhausted',
			`Every wanted item of “${title}” is exhausted: clear its search state first to search it again.`,
			{ status: 409 }
		);
		this.name = 'ItemsExhaustedError';
	}
}

/** `items.searching` (409): exhaust / clear on items whose command is in flight. */
export class ItemsSearchingError extends DomainError {
	constructor(title: string) {
		super(
			'items.searching',
			`Everything wanted of “${title}” is being searched right now; try again once the search has finished.`,
			{ status: 409 }
		);
		this.name = 'ItemsSearchingError';
	}
}

/** `items.already_exhausted` (409): mark exhausted on items that already are. */
export class AlreadyExhaustedError extends DomainError {
	constructor(title: string) {
		super('items.already_exhausted', `Everything wanted of “${title}” is already exhausted.`, {
			status: 409
		});
		this.name = 'AlreadyExhaustedError';
	}
}

// --- search now ---------------------------------------------------------------------------------

/** One request queued by a search now. */
export interface QueuedSearch {
	id: number;
	command: SearchCommandName;
	searchType: SearchType;
	label: string;
	/** Searches it costs against the daily budget. */
	searchCount: number;
	priority: number;
}

/** What a search now queued, and what it left alone. */
export interface SearchNowResult {
	connectorId: number;
	requests: QueuedSearch[];
	/** Items (registry rows) queued. */
	items: number;
	/** Items left alone: already in a search now or in flight (`busy`), or `exhausted`. */
	skipped: { busy: number; exhausted: number };
	/** Sweep batches the items were taken out of (their other items wait for the next sweep). */
	removedRequests: number;
}

/** Pending requests (with their origin) that hold any of the given registry rows. */
async function pendingHolders(tx: DbOrTx, ids: readonly number[]) {
	if (ids.length === 0) return new Map<number, 'sweep' | 'manual'>();
	const rows = await tx.execute<{ registry_id: number; origin: 'sweep' | 'manual' }>(sql`
		select i.registry_id, q.origin from request_queue_items i
		join request_queue q on q.id = i.request_id
		where q.status = 'pending' and ${inIds(sql`i.registry_id`, ids)}`);
	return new Map(rows.map((r) => [r.registry_id, r.origin]));
}

/**
 * Queues the target's wanted items as `manual` requests, next in line (see the module docstring).
 * Items in a sweep batch are taken out of it and searched now; items already in a search now or
 * in flight, and exhausted ones, are skipped. Eligibility times (cooldowns) are ignored: the user
 * asked for it.
 * @throws SeriesNotFoundError / MovieNotFoundError (404), ForeignEpisodesError (400),
 *   NothingWantedError (409) when no item has a registry row, AlreadyQueuedError (409) when every
 *   wanted item is already in a search now or being searched, ItemsExhaustedError (409) when the
 *   rest are exhausted.
 */
export async function searchNow(
	db: Database,
	input: { target: ItemTarget; now: Date }
): Promise<SearchNowResult> {
	const { now } = input;
	return db.transaction(async (tx) => {
		const resolved = await resolveTarget(tx, input.target);
		const { connector } = resolved;
		await lockConnectorQueue(tx, connector.id);
		const rows = await lockRegistryRows(tx, resolved.registryWhere);
		if (rows.length === 0) throw new NothingWantedError(resolved.title);
		const holders = await pendingHolders(
			tx,
			rows.filter((r) => r.state === 'queued').map((r) => r.id)
		);
		const eligible: RegistryRowLock[] = [];
		let busy = 0;
		let exhausted = 0;
		for (const row of rows) {
			if (row.state === 'exhausted') exhausted++;
			else if (row.state === 'searching') busy++;
			else if (row.state === 'queued' && holders.get(row.id) === 'manual') busy++;
			else eligible.push(row);
		}
		if (eligible.length === 0) {
			throw busy > 0
				? new AlreadyQueuedError(resolved.title)
				: new ItemsExhaustedError(resolved.title);
		}
		const ids = eligible.map((r) => r.id);
		const detached = await detachFromPending(tx, ids, now, ['sweep']);

		const profile = await profileFor(tx, connector);
		const { weights } = (await getSettings(tx)).search;
		const candidates = await scoreRegistryRows(tx, ids, weights, now);
		// No season decisions: a search now names its episodes (EpisodeSearch with explicit ids).
		const { batches } = planBatches(candidates, new Map(), {
			maxItemsPerCommand: profile.maxItemsPerCommand,
			searchBudget: Number.MAX_SAFE_INTEGER
		});
		// planBatches orders by score per query; a search now goes out in season/episode order.
		const ordered = [...batches].sort(
			(a, b) => (a.seasonNumber ?? 0) - (b.seasonNumber ?? 0) || a.label.localeCompare(b.label)
		);
		const inserted = await tx
			.insert(requestQueue)
			.values(
				ordered.map((b) => ({
					connectorId: connector.id,
					command: b.command,
					searchType: b.searchType,
					payload: b.payload,
					searchCount: b.searchCount,
					priority: MANUAL_SEARCH_PRIORITY,
					score: { ...b.score, rule: `search now (${b.score.rule})` },
					label: `${b.label} — search now`,
					seriesId: b.seriesId,
					seasonNumber: b.seasonNumber,
					status: 'pending' as const,
					origin: 'manual' as const,
					scheduledAt: now,
					createdAt: now
				}))
			)
			.returning();
		const links = ordered.flatMap((b, i) => {
			const requestId = inserted[i]?.id;
			return requestId === undefined
				? []
				: b.registryIds.map((registryId) => ({ requestId, registryId }));
		});
		await tx.insert(requestQueueItems).values(links);
		const scores = candidates.map((c) => [c.registryId, c.score.total]);
		await tx.execute(sql`
			update search_registry r set state = 'queued', priority = q.priority,
			       updated_at = ${now.toISOString()}::timestamptz
			from (select (value->>0)::int as id, (value->>1)::int as priority
			      from jsonb_array_elements(${jsonParam(scores)})) q
			where r.id = q.id`);
		return {
			connectorId: connector.id,
			requests: inserted.map((r) => ({
				id: r.id,
				command: r.command,
				searchType: r.searchType,
				label: r.label,
				searchCount: r.searchCount,
				priority: r.priority
			})),
			items: ids.length,
			skipped: { busy, exhausted },
			removedRequests: detached.removedRequests
		};
	});
}

// --- exhaust / clear ----------------------------------------------------------------------------

/** What `markExhausted` or `clearSearchState` changed. */
export interface StateChangeResult {
	connectorId: number;
	/** Registry rows changed. */
	changed: number;
	/** Rows left alone because their command is in flight (`searching`). */
	skippedSearching: number;
	/** Pending batches removed because they held one of the items. */
	removedRequests: number;
	/** Other items of those batches returned to `pending`. */
	released: number;
}

async function changeState(
	db: Database,
	input: { target: ItemTarget; now: Date },
	mode: 'exhaust' | 'clear'
): Promise<StateChangeResult> {
	const { now } = input;
	return db.transaction(async (tx) => {
		const resolved = await resolveTarget(tx, input.target);
		await lockConnectorQueue(tx, resolved.connector.id);
		const rows = await lockRegistryRows(tx, resolved.registryWhere);
		if (rows.length === 0) throw new NothingWantedError(resolved.title);
		const searching = rows.filter((r) => r.state === 'searching').length;
		const targets = rows.filter(
			(r) => r.state !== 'searching' && (mode === 'clear' || r.state !== 'exhausted')
		);
		if (targets.length === 0) {
			throw searching > 0
				? new ItemsSearchingError(resolved.title)
				: new AlreadyExhaustedError(resolved.title);
		}
		const ids = targets.map((r) => r.id);
		const detached = await detachFromPending(tx, ids, now);
		const at = sql`${now.toISOString()}::timestamptz`;
		const changed =
			mode === 'exhaust'
				? await tx.execute(sql`
					update search_registry r set state = 'exhausted', updated_at = ${at}
					where ${inIds(sql`r.id`, ids)} returning r.id`)
				: await tx.execute(sql`
					update search_registry r set state = 'pending', attempts = 0, failure_category = null,
					       next_eligible_at = ${at}, updated_at = ${at}
					where ${inIds(sql`r.id`, ids)} returning r.id`);
		return {
			connectorId: resolved.connector.id,
			changed: changed.length,
			skippedSearching: searching,
			removedRequests: detached.removedRequests,
			released: detached.released
		};
	});
}

/**
 * Marks the target's wanted items `exhausted` (never queued again until their search state is
 * cleared) and takes them out of the pending batches. Items being searched are skipped.
 * @throws 404 / 400 as `searchNow`; NothingWantedError (409); ItemsSearchingError (409) when every
 *   item is in flight; AlreadyExhaustedError (409) when every other one already is exhausted.
 */
export function markExhausted(
	db: Database,
	input: { target: ItemTarget; now: Date }
): Promise<StateChangeResult> {
	return changeState(db, input, 'exhaust');
}

/**
 * Resets the target's wanted items to a fresh start: `pending`, 0 attempts, no failure category,
 * eligible at `now` (the last search time stays: it is history). They leave any pending batch and
 * the next sweep queues them again. Items being searched are skipped.
 * @throws 404 / 400 as `searchNow`; NothingWantedError (409); ItemsSearchingError (409) when every
 *   item is in flight.
 */
export function clearSearchState(
	db: Database,
	input: { target: ItemTarget; now: Date }
): Promise<StateChangeResult> {
	return changeState(db, input, 'clear');
}
