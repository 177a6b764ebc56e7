/**
 * The notification router: follows the domain events (`events`, in id order) with the cursor
 * `event_cursors.reader = 'notifications'` and turns them into outbox rows, one transaction per
 * pass: lock the cursor, read up to `ROUTE_BATCH_SIZE` events, write or extend outbox rows for
 * every enabled channel that wants each event, append error-threshold alerts, move the cursor.
 * A crash anywhere leaves cursor and outbox as they were: nothing is lost or routed twice.
 *
 * Which channels want an event: the channel is enabled; its `events` list has the type or `*`;
 * the event's severity (severity.ts) is at least `minSeverity`; `connectorIds` is empty or has
 * the event's connector (events without a connector always match).
 *
 * Where it goes, in this order:
 * 1. **Quiet hours** (quiet-hours.ts) at routing time: into the channel's one open `digest` row,
 *    due when they end — except errors while `errorsPassThrough` is not false, which go on to 2.
 * 2. **Batching** (`batchWindowSeconds > 0`): into the channel's open row of the same event type
 *    (pending, never attempted, `notBefore` still in the future, or made in this pass); else a
 *    new row due `batchWindowSeconds` after the event.
 * 3. `batchWindowSeconds = 0`: a row of its own, due at once.
 * The master toggle (Settings → Notifications `enabled = false`) moves the cursor and writes
 * nothing: events of that time are never sent later.
 *
 * Events committed out of id order: an event id is taken when its transaction inserts it but
 * becomes visible only at its commit, so a later id can be visible before an earlier one. The
 * router never steps over a missing id while the transaction that may hold it can still commit:
 * at the first sighting of a gap it notes `pg_snapshot_xmax` (every transaction that could have
 * taken the id has an xid below it) and waits; once `pg_snapshot_xmin` has passed that value
 * (all of them ended) the id was rolled back and is skipped. PostgreSQL: "System Information
 * Functions" (pg_current_snapshot, pg_snapshot_xmin/xmax), PostgreSQL 13+.
 *
 * The first pass of a fresh install or an upgrade creates the cursor at the newest event, so
 * the history before notifications existed is not replayed (app start-up does it early, see
 * index.ts `recordAppStarted`).
 */
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '$lib/server/db';
import { appendEvents } from '$lib/server/db/queries/events';
import {
	eventCursors,
	events,
	notificationChannels,
	notificationOutbox,
	type EventRow,
	type NotificationChannelRow
} from '$lib/server/db/schema';
import { getSettings } from '$lib/server/services/settings/settings-service';
import type { EventType, NewEvent } from '$lib/types/events';
import type { Severity } from '$lib/types/notifications';
import { passesQuietHours, quietState } from './quiet-hours';
import { atLeast, maxSeverity, severityOf } from './severity';

/** The reader name of the router's cursor in `event_cursors`. */
export const ROUTER_READER = 'notifications';
/** Events read per pass (one transaction). */
export const ROUTE_BATCH_SIZE = 500;

/**
 * "N failures of one kind within a window": when the `count`-th failure of `kind` of one
 * connector within `windowMinutes` is routed, one `errors.threshold_exceeded` event is appended,
 * and not again for that kind and connector until `windowMinutes` after it.
 * - `sync.failed`: a `sync.failed` event;
 * - `search.failed`: a `search.completed` event whose `payload.outcome` is `failed`.
 */
export const ERROR_THRESHOLDS = [
	{ kind: 'sync.failed', count: 5, windowMinutes: 60 },
	{ kind: 'search.failed', count: 5, windowMinutes: 60 }
] as const;
export type ErrorThresholdKind = (typeof ERROR_THRESHOLDS)[number]['kind'];

/** What one pass did. */
export interface RouteResult {
	/** Events read (and passed by the cursor). */
	read: number;
	/** (event, channel) pairs written to the outbox. */
	routed: number;
	/** Outbox rows created. */
	created: number;
	/** Existing open rows that took events. */
	extended: number;
	/** `errors.threshold_exceeded` events appended. */
	alerts: number;
	/** The cursor after the pass. */
	cursor: number;
	/** The master toggle was off: the cursor moved, nothing was written. */
	disabled: boolean;
	/** The pass stopped before an event id a running transaction may still commit. */
	waitingForGap: boolean;
}

export interface RouterDeps {
	db: Database;
	clock: () => Date;
}

/** Gaps seen by this process: first missing id → the xmax of the snapshot that saw it. */
const gapWatch = new Map<number, bigint>();

/**
 * Makes sure the router's cursor exists, starting at the newest event (no replay of history).
 * @returns the cursor's last event id
 */
export async function ensureCursor(db: DbOrTx): Promise<number> {
	await db.execute(sql`
		insert into ${eventCursors} (reader, last_event_id)
		values (${ROUTER_READER}, coalesce((select max(id) from ${events}), 0))
		on conflict (reader) do nothing`);
	const [row] = await db
		.select({ last: eventCursors.lastEventId })
		.from(eventCursors)
		.where(eq(eventCursors.reader, ROUTER_READER));
	return row?.last ?? 0;
}

/** An outbox row being built or extended in this pass. */
interface Draft {
	id: number | null;
	channelId: number;
	eventType: string;
	severity: Severity;
	connectorId: number | null;
	eventIds: number[];
	notBefore: Date;
	changed: boolean;
}

/**
 * One routing pass (see the module comment). Safe to run from several processes (the cursor row
 * is locked), though the scheduler's job lock already keeps it to one.
 * @throws on database failure (the pass is rolled back whole)
 */
export async function routeEvents(deps: RouterDeps): Promise<RouteResult> {
	const now = deps.clock();
	return deps.db.transaction(async (tx) => {
		const snapshots = await tx.execute<{ xmin: string; xmax: string }>(sql`
			select pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
				pg_snapshot_xmax(pg_current_snapshot())::text as xmax`);
		const snapshot = snapshots[0] as { xmin: string; xmax: string };
		await ensureCursor(tx);
		const [cursorRow] = await tx
			.select({ last: eventCursors.lastEventId })
			.from(eventCursors)
			.where(eq(eventCursors.reader, ROUTER_READER))
			.for('update');
		const cursor = cursorRow?.last ?? 0;
		const result: RouteResult = {
			read: 0,
			routed: 0,
			created: 0,
			extended: 0,
			alerts: 0,
			cursor,
			disabled: false,
			waitingForGap: false
		};
		const batch = await tx
			.select()
			.from(events)
			.where(gt(events.id, cursor))
			.orderBy(asc(events.id))
			.limit(ROUTE_BATCH_SIZE);
		const list = contiguous(batch, cursor, snapshot);
		result.waitingForGap = list.length < batch.length;
		if (list.length === 0) return result;
		const last = list[list.length - 1]!.id;

		const settings = await getSettings(tx, now.getTime());
		if (!settings.notifications.enabled) {
			await moveCursor(tx, last, now);
			return { ...result, read: list.length, cursor: last, disabled: true };
		}

		result.alerts = await checkThresholds(tx, list);

		const channels = await tx
			.select()
			.from(notificationChannels)
			.where(eq(notificationChannels.enabled, true))
			.orderBy(asc(notificationChannels.id));
		if (channels.length > 0) {
			const drafts = await openRows(
				tx,
				channels.map((c) => c.id),
				now
			);
			for (const event of list) {
				const severity = severityOf(event);
				for (const channel of channels) {
					if (!wants(channel, event, severity)) continue;
					route(drafts, channel, event, severity, now, settings.general.timeZone);
					result.routed++;
				}
			}
			for (const draft of drafts.values()) {
				if (!draft.changed) continue;
				if (draft.id === null) result.created++;
				else result.extended++;
				await saveDraft(tx, draft);
			}
		}
		await moveCursor(tx, last, now);
		return { ...result, read: list.length, cursor: last };
	});
}

/**
 * The leading run of `batch` without a gap that a running transaction may still fill: ids
 * follow the cursor one by one; a missing id is stepped over only once every transaction that
 * was running when this process first saw it has ended.
 */
function contiguous(
	batch: readonly EventRow[],
	cursor: number,
	snapshot: { xmin: string; xmax: string }
): EventRow[] {
	const out: EventRow[] = [];
	let expected = cursor + 1;
	for (const event of batch) {
		if (event.id !== expected) {
			const seen = gapWatch.get(expected);
			if (seen === undefined) {
				gapWatch.set(expected, BigInt(snapshot.xmax));
				break;
			}
			if (BigInt(snapshot.xmin) < seen) break;
			gapWatch.delete(expected);
		}
		out.push(event);
		expected = event.id + 1;
	}
	// Forget gaps the cursor has passed (keeps the map small).
	for (const id of gapWatch.keys()) if (id < expected) gapWatch.delete(id);
	return out;
}

async function moveCursor(tx: DbOrTx, last: number, now: Date): Promise<void> {
	await tx
		.update(eventCursors)
		.set({ lastEventId: last, updatedAt: now })
		.where(eq(eventCursors.reader, ROUTER_READER));
}

/** Whether `channel` wants `event` (type, severity, connector). */
export function wants(
	channel: Pick<NotificationChannelRow, 'events' | 'minSeverity' | 'connectorIds'>,
	event: Pick<EventRow, 'type' | 'connectorId'>,
	severity: Severity
): boolean {
	if (!channel.events.includes('*') && !channel.events.includes(event.type)) return false;
	if (!atLeast(severity, channel.minSeverity)) return false;
	if (event.connectorId === null || channel.connectorIds.length === 0) return true;
	return channel.connectorIds.includes(event.connectorId);
}

/** Key of an open row: channel and event type (`digest` for quiet hours). */
function keyOf(channelId: number, eventType: string): string {
	return `${channelId}|${eventType}`;
}

/**
 * The channels' open rows (pending, never attempted, not yet rendered, due in the future),
 * locked so a delivery pass cannot claim one while events are added. One per key: the latest.
 */
async function openRows(tx: DbOrTx, channelIds: number[], now: Date): Promise<Map<string, Draft>> {
	const rows = await tx
		.select()
		.from(notificationOutbox)
		.where(
			and(
				inArray(notificationOutbox.channelId, channelIds),
				eq(notificationOutbox.status, 'pending'),
				eq(notificationOutbox.attempts, 0),
				isNull(notificationOutbox.message),
				gt(notificationOutbox.notBefore, now)
			)
		)
		.orderBy(asc(notificationOutbox.id))
		.for('update');
	const drafts = new Map<string, Draft>();
	for (const r of rows) {
		drafts.set(keyOf(r.channelId, r.eventType), {
			id: r.id,
			channelId: r.channelId,
			eventType: r.eventType,
			severity: r.severity,
			connectorId: r.connectorId,
			eventIds: [...r.eventIds],
			notBefore: r.notBefore,
			changed: false
		});
	}
	return drafts;
}

/** Puts `event` into the right draft of `channel` (the module comment's rules 1–3). */
function route(
	drafts: Map<string, Draft>,
	channel: NotificationChannelRow,
	event: EventRow,
	severity: Severity,
	now: Date,
	appZone: string
): void {
	const quiet = channel.quietHours ? quietState(channel.quietHours, now, appZone) : null;
	if (quiet?.quiet && !passesQuietHours(channel.quietHours!, severity)) {
		add(drafts, keyOf(channel.id, 'digest'), channel.id, 'digest', event, severity, quiet.endsAt);
		return;
	}
	if (channel.batchWindowSeconds > 0) {
		const due = new Date(event.createdAt.getTime() + channel.batchWindowSeconds * 1000);
		add(drafts, keyOf(channel.id, event.type), channel.id, event.type, event, severity, due);
		return;
	}
	// A row of its own: a key no other event shares.
	add(drafts, `${channel.id}|#${event.id}`, channel.id, event.type, event, severity, now);
}

function add(
	drafts: Map<string, Draft>,
	key: string,
	channelId: number,
	eventType: string,
	event: EventRow,
	severity: Severity,
	notBefore: Date
): void {
	const open = drafts.get(key);
	if (open) {
		if (!open.eventIds.includes(event.id)) open.eventIds.push(event.id);
		open.severity = maxSeverity(open.severity, severity);
		if (open.connectorId !== event.connectorId) open.connectorId = null;
		open.changed = true;
		return;
	}
	drafts.set(key, {
		id: null,
		channelId,
		eventType,
		severity,
		connectorId: event.connectorId,
		eventIds: [event.id],
		notBefore,
		changed: true
	});
}

async function saveDraft(tx: DbOrTx, draft: Draft): Promise<void> {
	if (draft.id === null) {
		await tx.insert(notificationOutbox).values({
			channelId: draft.channelId,
			eventType: draft.eventType,
			severity: draft.severity,
			connectorId: draft.connectorId,
			eventIds: draft.eventIds,
			notBefore: draft.notBefore
		});
		return;
	}
	await tx
		.update(notificationOutbox)
		.set({ eventIds: draft.eventIds, severity: draft.severity, connectorId: draft.connectorId })
		.where(eq(notificationOutbox.id, draft.id));
}

/** The threshold kind an event counts towards, or null. */
function failureKind(event: Pick<EventRow, 'type' | 'payload'>): ErrorThresholdKind | null {
	if (event.type === 'sync.failed') return 'sync.failed';
	if (event.type === 'search.completed' && event.payload.outcome === 'failed') {
		return 'search.failed';
	}
	return null;
}

/** SQL condition of the events counted for `kind`. */
function failureCondition(kind: ErrorThresholdKind) {
	return kind === 'sync.failed'
		? sql`${events.type} = 'sync.failed'`
		: sql`${events.type} = 'search.completed' and ${events.payload} ->> 'outcome' = 'failed'`;
}

/**
 * Appends one `errors.threshold_exceeded` event for each failure in `list` that reaches its
 * threshold (ERROR_THRESHOLDS) with no alert of that kind and connector within the window.
 * Payload: `{kind, count, threshold, windowMinutes, lastError}`; `createdAt` the failure's.
 * @returns alerts appended
 */
async function checkThresholds(tx: DbOrTx, list: readonly EventRow[]): Promise<number> {
	let alerts = 0;
	for (const event of list) {
		const kind = failureKind(event);
		if (kind === null) continue;
		const rule = ERROR_THRESHOLDS.find((t) => t.kind === kind)!;
		const from = new Date(event.createdAt.getTime() - rule.windowMinutes * 60_000);
		const connector =
			event.connectorId === null
				? sql`${events.connectorId} is null`
				: sql`${events.connectorId} = ${event.connectorId}`;
		const counts = await tx.execute<{ failures: number; alerted: number }>(sql`
				select
					(select count(*)::int from ${events}
						where ${failureCondition(kind)} and ${connector}
							and ${events.createdAt} > ${from.toISOString()}::timestamptz
							and ${events.createdAt} <= ${event.createdAt.toISOString()}::timestamptz
							and ${events.id} <= ${event.id}) as failures,
					(select count(*)::int from ${events}
						where ${events.type} = 'errors.threshold_exceeded' and ${connector}
							and ${events.payload} ->> 'kind' = ${kind}
							and ${events.createdAt} > ${from.toISOString()}::timestamptz) as alerted`);
		const counted = counts[0] as { failures: number; alerted: number } | undefined;
		if (!counted || counted.failures < rule.count || counted.alerted > 0) continue;
		const alert: NewEvent = {
			type: 'errors.threshold_exceeded' satisfies EventType,
			connectorId: event.connectorId,
			payload: {
				kind,
				count: counted.failures,
				threshold: rule.count,
				windowMinutes: rule.windowMinutes,
				lastError: lastErrorOf(event)
			},
			createdAt: event.createdAt
		};
		await appendEvents(tx, [alert]);
		alerts++;
	}
	return alerts;
}

function lastErrorOf(event: Pick<EventRow, 'payload'>): string | null {
	const p = event.payload;
	for (const key of ['error', 'message', 'failure']) {
		if (typeof p[key] === 'string' && p[key] !== '') return p[key];
	}
	return null;
}
