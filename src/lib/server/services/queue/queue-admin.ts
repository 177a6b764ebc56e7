/**
 * Queue control: what a user may do to the request queue — pause and resume dispatch (for every
 * connector or one), remove one pending batch, clear the pending batches, change a batch's
 * priority — and the read model of the Queue page (pending batches in dispatch order with an
 * estimated dispatch time, commands in flight).
 *
 * Only `pending` rows are touched. A row a dispatcher has claimed (`sending`, `sent`) belongs to
 * the *arr app now and is refused with 409 `queue.not_pending`. Every write takes the request
 * rows' locks first (`FOR UPDATE`, waiting for a claim in progress) and re-checks `status`, so a
 * removal and a concurrent claim never both win.
 *
 * Removing one batch puts its search registry rows into `cooldown` until the connector's search
 * cooldown has passed (`cooldownHours`: the connector's own, else its throttle profile's), so the
 * next sweep does not queue them straight back. Clearing the queue returns the rows to `pending`:
 * nothing is lost, and the next sweep rebuilds the queue from them. A priority set here marks the
 * batch `origin = 'manual'`: the next sweep keeps it (and does not queue its items again).
 */
import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	connectors,
	queuePauses,
	requestQueue,
	type Connector,
	type RequestStatus,
	type SearchCommandBody,
	type SearchCommandName,
	type SearchType,
	type ThrottleProfile
} from '../../db/schema';
import { DomainError } from '../../errors';
import { zonedDayStart } from '../../time/day-start';
import { activeWindowState } from '../../time/active-windows';
import { PAUSED_STATES } from '../health/health-state';
import { getSettings } from '../settings/settings-service';
import { cooldownHours, loadUsage, profileFor, type ThrottleUsage } from './throttle';

/** Bounds of a priority set by hand (the computed ones run from about −500 to 1,350). */
export const PRIORITY_LIMITS = { min: -1_000_000, max: 1_000_000 } as const;

/** Request statuses a dispatcher has claimed: no longer ours to change. */
const CLAIMED: readonly RequestStatus[] = ['sending', 'sent'];

// --- errors -------------------------------------------------------------------------------------

/** `queue.not_found` (404): no request with that id. */
export class QueueRequestNotFoundError extends DomainError {
	constructor(id: number | string) {
		super('queue.not_found', `There is no request ${id} in the queue.`, { status: 404 });
		this.name = 'QueueRequestNotFoundError';
	}
}

/**
 * `queue.not_pending` (409): the request was claimed by a dispatcher (or has finished) and can no
 * longer be removed or reprioritised.
 */
export class QueueRequestNotPendingError extends DomainError {
	constructor(id: number, status: RequestStatus) {
		const why = CLAIMED.includes(status)
			? `it has already been claimed for sending (status “${status}”)`
			: `it has already finished (status “${status}”)`;
		super(
			'queue.not_pending',
			`Request ${id} cannot be changed: ${why}. Only pending requests can be removed or reprioritised.`,
			{ status: 409 }
		);
		this.name = 'QueueRequestNotPendingError';
	}
}

/** `connectors.not_found` (404), for a pause or clear scoped to a connector that does not exist. */
export class QueueConnectorNotFoundError extends DomainError {
	constructor(id: number) {
		super('connectors.not_found', `Connector ${id} does not exist`, { status: 404 });
		this.name = 'QueueConnectorNotFoundError';
	}
}

async function assertConnector(db: DbOrTx, connectorId: number): Promise<void> {
	const [row] = await db
		.select({ id: connectors.id })
		.from(connectors)
		.where(eq(connectors.id, connectorId));
	if (!row) throw new QueueConnectorNotFoundError(connectorId);
}

// --- pause / resume -----------------------------------------------------------------------------

/** Which pauses are set: the whole queue, and connector by connector. */
export interface PauseState {
	/** Set when dispatch is paused for every connector. */
	all: { pausedAt: Date } | null;
	/**
	 * Connectors paused one by one, by connector id. `until`/`reason` are set for a pause Comradarr
	 * set itself (a 429 / rate limit); a user's pause has both null and lasts until resumed.
	 */
	connectors: { connectorId: number; pausedAt: Date; until: Date | null; reason: string | null }[];
}

/** Why `isDispatchPaused` holds a connector back. */
export type DispatchPause =
	| { paused: false }
	| {
			paused: true;
			/** `all`: the whole queue is paused; `connector`: this connector is. */
			scope: 'all' | 'connector';
			since: Date;
			/** When the pause ends by itself (a rate-limit pause); null = until a user resumes. */
			until: Date | null;
			/**
			 * A sentence for logs and the UI, e.g. "Queue paused for every connector" or "Rate limited
			 * by Sonarr (HTTP 429); dispatch resumes at 14:05".
			 */
			reason: string;
	  };

/** A pause row in force at `now`: a user's (no `until`) or one whose `until` lies ahead. */
export function inForce(now: Date): SQL {
	return sql`(${queuePauses.until} is null or ${queuePauses.until} > ${now.toISOString()}::timestamptz)`;
}

/**
 * The pauses in force at `now` (default: the current time). A rate-limit pause whose `until` has
 * passed is over and not listed (its row stays until the next pause or resume replaces it).
 */
export async function getPauseState(db: DbOrTx, now: Date = new Date()): Promise<PauseState> {
	const rows = await db
		.select()
		.from(queuePauses)
		.where(inForce(now))
		.orderBy(sql`${queuePauses.connectorId} nulls first`);
	const state: PauseState = { all: null, connectors: [] };
	for (const row of rows) {
		if (row.connectorId === null) state.all = { pausedAt: row.pausedAt };
		else {
			state.connectors.push({
				connectorId: row.connectorId,
				pausedAt: row.pausedAt,
				until: row.until,
				reason: row.reason
			});
		}
	}
	return state;
}

/**
 * Whether the dispatcher must send nothing for `connectorId` at `now`: the whole queue is paused,
 * or this connector is (by a user, or by a rate limit whose `until` has not passed). One indexed
 * read; the dispatcher calls it at the start of each pass.
 */
export async function isDispatchPaused(
	db: DbOrTx,
	connectorId: number,
	now: Date = new Date()
): Promise<DispatchPause> {
	const [row] = await db
		.select()
		.from(queuePauses)
		.where(
			and(
				or(isNull(queuePauses.connectorId), eq(queuePauses.connectorId, connectorId)),
				inForce(now)
			)
		)
		.orderBy(sql`${queuePauses.connectorId} nulls first`)
		.limit(1);
	if (!row) return { paused: false };
	return row.connectorId === null
		? {
				paused: true,
				scope: 'all',
				since: row.pausedAt,
				until: row.until,
				reason: row.reason ?? 'Queue paused for every connector'
			}
		: {
				paused: true,
				scope: 'connector',
				since: row.pausedAt,
				until: row.until,
				reason: row.reason ?? 'Queue paused for this connector'
			};
}

/**
 * Pauses dispatch for every connector (`connectorId` absent) or one. Idempotent: pausing a paused
 * scope keeps its original `pausedAt`. A rate-limit pause of the connector (one with `until`)
 * becomes the user's pause: it no longer ends by itself. Commands already sent go on; nothing new
 * is claimed.
 * @throws QueueConnectorNotFoundError (404) for an unknown connector.
 */
export async function pauseDispatch(
	db: DbOrTx,
	input: { connectorId?: number | undefined; now: Date }
): Promise<PauseState> {
	if (input.connectorId !== undefined) await assertConnector(db, input.connectorId);
	await db
		.insert(queuePauses)
		.values({ connectorId: input.connectorId ?? null, pausedAt: input.now })
		.onConflictDoUpdate({
			target: queuePauses.connectorId,
			set: {
				pausedAt: sql`case when ${queuePauses.until} is null then ${queuePauses.pausedAt} else excluded.paused_at end`,
				until: null,
				reason: null
			}
		});
	return getPauseState(db, input.now);
}

/**
 * Pauses one connector's dispatch until `until` because the app or an indexer rate limited us (a
 * POST answered 429, or a command failed for a rate limit): inserts the connector's `queue_pauses`
 * row or, when one is there, moves its `until` and `reason` on. A user's own pause (no `until`)
 * is left as it is: it already holds the connector, and must not start ending by itself. The
 * dispatcher ignores the row once `until` has passed; a user's resume deletes it at once.
 * @param reason e.g. "Rate limited by Sonarr (HTTP 429); dispatch resumes at 14:05"
 */
export async function pauseForRateLimit(
	db: DbOrTx,
	input: { connectorId: number; now: Date; until: Date; reason: string }
): Promise<void> {
	await db
		.insert(queuePauses)
		.values({
			connectorId: input.connectorId,
			pausedAt: input.now,
			until: input.until,
			reason: input.reason
		})
		.onConflictDoUpdate({
			target: queuePauses.connectorId,
			set: {
				pausedAt: sql`case when ${queuePauses.until} > excluded.paused_at then ${queuePauses.pausedAt} else excluded.paused_at end`,
				until: sql`excluded.until`,
				reason: sql`excluded.reason`
			},
			setWhere: sql`${queuePauses.until} is not null`
		});
}

/**
 * Lifts the pause of every connector (`connectorId` absent: the global pause only; connector
 * pauses stay) or of one connector, a rate-limit pause included. Idempotent.
 * @throws QueueConnectorNotFoundError (404) for an unknown connector.
 */
export async function resumeDispatch(
	db: DbOrTx,
	input: { connectorId?: number | undefined }
): Promise<PauseState> {
	if (input.connectorId !== undefined) {
		await assertConnector(db, input.connectorId);
		await db.delete(queuePauses).where(eq(queuePauses.connectorId, input.connectorId));
	} else {
		await db.delete(queuePauses).where(isNull(queuePauses.connectorId));
	}
	return getPauseState(db);
}

// --- remove / clear / reprioritise ---------------------------------------------------------------

/** What a removal took out of the queue. */
export interface RemovalResult {
	/** Batches (request rows) deleted. */
	removed: number;
	/** Searches those batches would have cost. */
	searches: number;
	/**
	 * Search registry rows released: back to `pending` (clear) or into `cooldown` until the
	 * connector's search cooldown has passed (remove).
	 */
	released: number;
}

/** Where a removal puts the removed batches' registry rows. */
type Release =
	/** Back to `pending`: the next sweep may queue them again. */
	| { state: 'pending' }
	/** Into `cooldown` until `until` (next_eligible_at): the next sweep passes them over. */
	| { state: 'cooldown'; until: Date };

/**
 * Locks the given pending requests, releases their registry rows (per `release`) and deletes
 * them, in one statement (the CTEs share one snapshot; `FOR UPDATE` waits for a claim in progress
 * and re-checks `status`, so a row claimed meanwhile is left alone).
 */
async function removeLocked(db: DbOrTx, where: SQL, now: Date, release: Release) {
	const setState =
		release.state === 'cooldown'
			? sql`state = 'cooldown', next_eligible_at = ${release.until.toISOString()}::timestamptz,`
			: sql`state = 'pending',`;
	const [row] = await db.execute<{ removed: number; searches: number; released: number }>(sql`
		with doomed as (
			select id, search_count from request_queue
			where status = 'pending' and ${where}
			for update
		), released as (
			update search_registry r set ${setState} updated_at = ${now.toISOString()}::timestamptz
			from request_queue_items i
			where i.registry_id = r.id and i.request_id in (select id from doomed) and r.state = 'queued'
			returning r.id
		), deleted as (
			delete from request_queue q using doomed d where q.id = d.id returning q.search_count
		)
		select (select count(*) from deleted)::int as removed,
		       (select coalesce(sum(search_count), 0) from deleted)::int as searches,
		       (select count(*) from released)::int as released`);
	return { removed: row?.removed ?? 0, searches: row?.searches ?? 0, released: row?.released ?? 0 };
}

async function refuseUnlessPending(db: DbOrTx, id: number): Promise<never> {
	const [row] = await db
		.select({ status: requestQueue.status })
		.from(requestQueue)
		.where(eq(requestQueue.id, id));
	if (!row) throw new QueueRequestNotFoundError(id);
	throw new QueueRequestNotPendingError(id, row.status);
}

/**
 * Removes one pending batch. Its registry rows go into `cooldown` until `now` + the connector's
 * search cooldown (`cooldownHours`: the connector's `searchCooldownHours`, else its throttle
 * profile's), so the next sweep does not queue them straight back; attempts and last-searched
 * stay as they were (nothing was searched).
 * @throws QueueRequestNotFoundError (404); QueueRequestNotPendingError (409) when it is claimed
 *   (`sending`/`sent`) or finished.
 */
export async function removeRequest(
	db: DbOrTx,
	input: { id: number; now: Date }
): Promise<RemovalResult> {
	const [owner] = await db
		.select({ connector: connectors })
		.from(requestQueue)
		.innerJoin(connectors, eq(connectors.id, requestQueue.connectorId))
		.where(eq(requestQueue.id, input.id));
	if (!owner) throw new QueueRequestNotFoundError(input.id);
	const hours = cooldownHours(owner.connector, await profileFor(db, owner.connector));
	const until = new Date(input.now.getTime() + hours * 3_600_000);
	const result = await removeLocked(db, sql`id = ${input.id}`, input.now, {
		state: 'cooldown',
		until
	});
	if (result.removed === 0) return refuseUnlessPending(db, input.id);
	return result;
}

/**
 * Removes every pending batch (of one connector when `connectorId` is given); their registry rows
 * go back to `pending`, so the next sweep rebuilds the queue from them. Claimed rows stay.
 * Clearing an empty queue removes nothing (not an error).
 * @throws QueueConnectorNotFoundError (404) for an unknown connector.
 */
export async function clearPending(
	db: DbOrTx,
	input: { connectorId?: number | undefined; now: Date }
): Promise<RemovalResult> {
	if (input.connectorId !== undefined) await assertConnector(db, input.connectorId);
	const where =
		input.connectorId === undefined ? sql`true` : sql`connector_id = ${input.connectorId}`;
	return removeLocked(db, where, input.now, { state: 'pending' });
}

/**
 * Sets a pending batch's priority (dispatch order is priority desc, then id) and marks it
 * `origin = 'manual'`: the user chose this order, so the next sweep keeps the batch as it is
 * instead of rebuilding it (its items stay `queued` and are not queued a second time).
 * @param priority an integer within PRIORITY_LIMITS (the route validates it).
 * @throws QueueRequestNotFoundError (404); QueueRequestNotPendingError (409).
 */
export async function setRequestPriority(
	db: DbOrTx,
	input: { id: number; priority: number }
): Promise<{ id: number; priority: number }> {
	// One conditional UPDATE: it waits for a claim holding the row lock, then re-checks status.
	const [row] = await db
		.update(requestQueue)
		.set({ priority: input.priority, origin: 'manual' })
		.where(and(eq(requestQueue.id, input.id), eq(requestQueue.status, 'pending')))
		.returning({ id: requestQueue.id, priority: requestQueue.priority });
	if (!row) return refuseUnlessPending(db, input.id);
	return row;
}

// --- read model: pending in dispatch order, with estimates --------------------------------------

/** Why a pending batch goes when it does (see `estimateDispatch`). */
export type EstimateReason = 'ready' | 'window' | 'budget' | 'paused' | 'outside_window';

/** When a pending batch is expected to be claimed. */
export interface DispatchEstimate {
	/** Earliest expected claim; null while its connector is paused or its budget can never fit it. */
	at: Date | null;
	/**
	 * `ready`: the throttle allows it now (sent at the next dispatcher pass); `window`: it waits for
	 * the rolling window to free slots; `budget`: for the daily budget to reset; `paused`: dispatch
	 * is paused (queue, connector, disabled or unhealthy connector); `outside_window`: for the
	 * throttle profile's next active window to open.
	 */
	reason: EstimateReason;
}

/** The throttle facts an estimate needs. */
export type EstimateProfile = Pick<
	ThrottleProfile,
	'maxCommandsPerWindow' | 'windowSeconds' | 'dailySearchBudget' | 'activeWindows'
>;

const DAY_MS = 86_400_000;

/**
 * An estimate, not a promise: when the batch at `position` (0-based, in its connector's dispatch
 * order) would be claimed if nothing changed — no new batches, no reprioritising, a dispatcher
 * pass as soon as the throttle allows.
 *
 * - Rolling window: `allowance.commands` slots are free now; after them, each further
 *   `maxCommandsPerWindow` commands wait one more full `windowSeconds` (slots really free as old
 *   claims age out, so this errs late by up to one window).
 * - Daily budget: the batch fits today when the searches of every batch up to and including it
 *   (`searchesThrough`) fit what is left of today's budget; otherwise it waits for the local
 *   midnight (Settings → General time zone) of the first day with room, each later day adding a
 *   full `dailySearchBudget`. Within such a day the window delay is not modelled ("not before").
 * Mirrors the dispatcher's `allowance` (throttle.ts) on the fields an estimate needs.
 * - Active windows (the profile's `activeWindows`, local time): outside them nothing goes before
 *   the next one opens; the window arithmetic starts there (a window that closes again before
 *   the batch's turn is not modelled).
 * - Not modelled: the in-flight limit (it depends on how long the app takes per command) and the
 *   download-queue backpressure (the app's queue is not read for an estimate).
 * - The dispatcher's own schedule (its job interval) adds up to one interval to every estimate.
 * Pure.
 */
export function estimateDispatch(input: {
	position: number;
	searchesThrough: number;
	profile: EstimateProfile;
	usage: ThrottleUsage;
	now: Date;
	timeZone: string;
	paused: boolean;
}): DispatchEstimate {
	const { position, searchesThrough, profile, usage, now, timeZone } = input;
	if (input.paused) return { at: null, reason: 'paused' };
	const active = activeWindowState(profile.activeWindows, now, timeZone);
	const start = active.inside ? now : active.opensAt;
	const left = {
		commands: Math.max(0, profile.maxCommandsPerWindow - usage.commandsInWindow),
		searches: Math.max(0, profile.dailySearchBudget - usage.searchesToday)
	};
	const perWindow = Math.max(1, profile.maxCommandsPerWindow);
	const windows =
		position < left.commands ? 0 : Math.ceil((position - left.commands + 1) / perWindow);
	const windowAt = new Date(start.getTime() + windows * profile.windowSeconds * 1000);
	if (searchesThrough <= left.searches) {
		const reason = windows > 0 ? 'window' : active.inside ? 'ready' : 'outside_window';
		return { at: windowAt, reason };
	}
	if (profile.dailySearchBudget <= 0) return { at: null, reason: 'budget' };
	const days = Math.ceil((searchesThrough - left.searches) / profile.dailySearchBudget);
	// A point safely inside local day `days` (± a DST hour), then back to that day's start.
	const today = zonedDayStart(now, timeZone).getTime();
	const dayStart = zonedDayStart(new Date(today + days * DAY_MS + 3 * 3_600_000), timeZone);
	return {
		at: dayStart.getTime() > windowAt.getTime() ? dayStart : windowAt,
		reason: 'budget'
	};
}

/** One pending batch as the Queue page and `GET /api/v1/queue` show it. */
export interface PendingBatchView {
	id: number;
	connectorId: number;
	connectorName: string;
	command: SearchCommandName;
	searchType: SearchType;
	/** e.g. `Show — S02 (season pack)`. */
	label: string;
	priority: number;
	/** Searches it costs against the daily budget. */
	searchCount: number;
	/** The exact body it will POST to `/api/v3/command`. */
	payload: SearchCommandBody;
	createdAt: Date;
	/** 0-based place in its connector's dispatch order. */
	position: number;
	estimate: DispatchEstimate;
}

/** A page of a listing: `items`, its number (1-based), its size and the total number of rows. */
export interface Page<T> {
	items: T[];
	page: number;
	pageSize: number;
	total: number;
}

/** What the throttle of each connector looks like now, for the estimates. */
interface ConnectorThrottle {
	profile: EstimateProfile;
	usage: ThrottleUsage;
	paused: boolean;
}

async function throttleOf(
	db: DbOrTx,
	connector: Connector,
	pauses: PauseState,
	now: Date,
	timeZone: string
): Promise<ConnectorThrottle> {
	const profile = await profileFor(db, connector);
	const usage = await loadUsage(db, connector.id, profile, now, timeZone);
	const paused =
		pauses.all !== null ||
		pauses.connectors.some((p) => p.connectorId === connector.id) ||
		!connector.enabled ||
		PAUSED_STATES.has(connector.health);
	return { profile, usage, paused };
}

/**
 * Pending batches in dispatch order (priority desc, then id), one page, each with its place in
 * its connector's order and an estimated dispatch time (`estimateDispatch`).
 * @param page 1-based; a page past the end is empty (with the true `total`).
 * @param pageSize rows per page (the route bounds it to 1..500).
 */
export async function listPending(
	db: DbOrTx,
	input: { page: number; pageSize: number; connectorId?: number | undefined; now: Date }
): Promise<Page<PendingBatchView>> {
	const { page, pageSize, now } = input;
	const connectorOrder = sql`partition by ${requestQueue.connectorId} order by ${requestQueue.priority} desc, ${requestQueue.id}`;
	const rows = await db
		.select({
			id: requestQueue.id,
			connectorId: requestQueue.connectorId,
			connectorName: connectors.name,
			command: requestQueue.command,
			searchType: requestQueue.searchType,
			label: requestQueue.label,
			priority: requestQueue.priority,
			searchCount: requestQueue.searchCount,
			payload: requestQueue.payload,
			createdAt: requestQueue.createdAt,
			position: sql<number>`(row_number() over (${connectorOrder}) - 1)::int`,
			searchesThrough: sql<number>`(sum(${requestQueue.searchCount}) over (${connectorOrder}))::int`,
			total: sql<number>`(count(*) over ())::int`
		})
		.from(requestQueue)
		.innerJoin(connectors, eq(connectors.id, requestQueue.connectorId))
		.where(
			and(
				eq(requestQueue.status, 'pending'),
				input.connectorId === undefined
					? undefined
					: eq(requestQueue.connectorId, input.connectorId)
			)
		)
		.orderBy(desc(requestQueue.priority), asc(requestQueue.id))
		.limit(pageSize)
		.offset((page - 1) * pageSize);

	let total = rows[0]?.total;
	if (total === undefined) {
		// Past the last page (or empty): the window count saw no rows; count them.
		const [count] = await db
			.select({ n: sql<number>`count(*)::int` })
			.from(requestQueue)
			.where(
				and(
					eq(requestQueue.status, 'pending'),
					input.connectorId === undefined
						? undefined
						: eq(requestQueue.connectorId, input.connectorId)
				)
			);
		total = count?.n ?? 0;
	}

	const ids = [...new Set(rows.map((r) => r.connectorId))];
	const throttles = new Map<number, ConnectorThrottle>();
	if (ids.length > 0) {
		const [pauses, settings, owners] = await Promise.all([
			getPauseState(db),
			getSettings(db),
			db.select().from(connectors).where(inArray(connectors.id, ids))
		]);
		for (const connector of owners) {
			throttles.set(
				connector.id,
				await throttleOf(db, connector, pauses, now, settings.general.timeZone)
			);
		}
		const timeZone = settings.general.timeZone;
		return {
			page,
			pageSize,
			total,
			items: rows.map((row) => {
				const throttle = throttles.get(row.connectorId);
				return {
					id: row.id,
					connectorId: row.connectorId,
					connectorName: row.connectorName,
					command: row.command,
					searchType: row.searchType,
					label: row.label,
					priority: row.priority,
					searchCount: row.searchCount,
					payload: row.payload,
					createdAt: row.createdAt,
					position: row.position,
					estimate: throttle
						? estimateDispatch({
								position: row.position,
								searchesThrough: row.searchesThrough,
								profile: throttle.profile,
								usage: throttle.usage,
								now,
								timeZone,
								paused: throttle.paused
							})
						: { at: null, reason: 'paused' }
				};
			})
		};
	}
	return { page, pageSize, total, items: [] };
}

/** A command a dispatcher has claimed, with the *arr app's status once it is known. */
export interface InFlightView {
	id: number;
	connectorId: number;
	connectorName: string;
	command: SearchCommandName;
	searchType: SearchType;
	label: string;
	searchCount: number;
	/** `sending`: recorded, POST not confirmed yet; `sent`: the app has it. */
	status: RequestStatus;
	arrCommandId: number | null;
	/** Sonarr's CommandStatus as last polled (queued|started|…), null before the first poll. */
	commandStatus: string | null;
	claimedAt: Date | null;
	sentAt: Date | null;
}

/** Commands in flight (`sending`, `sent`), oldest claim first. At most `limit` (default 100). */
export async function listInFlight(db: DbOrTx, limit = 100): Promise<InFlightView[]> {
	return db
		.select({
			id: requestQueue.id,
			connectorId: requestQueue.connectorId,
			connectorName: connectors.name,
			command: requestQueue.command,
			searchType: requestQueue.searchType,
			label: requestQueue.label,
			searchCount: requestQueue.searchCount,
			status: requestQueue.status,
			arrCommandId: requestQueue.arrCommandId,
			commandStatus: requestQueue.commandStatus,
			claimedAt: requestQueue.claimedAt,
			sentAt: requestQueue.sentAt
		})
		.from(requestQueue)
		.innerJoin(connectors, eq(connectors.id, requestQueue.connectorId))
		.where(inArray(requestQueue.status, [...CLAIMED]))
		.orderBy(asc(requestQueue.claimedAt), asc(requestQueue.id))
		.limit(limit);
}
