/**
 * Appending domain events. Callers pass their transaction, so an event exists exactly when the
 * change it reports was committed.
 */
import { and, asc, gt, inArray, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../index';
import { deleteCounted } from './delete-counted';
import { events, type EventRow } from '../schema';
import type { EventType, NewEvent } from '../../../types/events';

/** Rows per INSERT statement (9 parameters per row stay far below PostgreSQL's 65,535). */
const CHUNK = 1000;

/** Appends `list` (in order) inside `tx`; a no-op for an empty list. @returns rows inserted. */
export async function appendEvents(tx: DbOrTx, list: readonly NewEvent[]): Promise<number> {
	for (let i = 0; i < list.length; i += CHUNK) {
		await tx.insert(events).values(
			list.slice(i, i + CHUNK).map((e) => ({
				type: e.type,
				connectorId: e.connectorId,
				subject: e.subject ?? {},
				payload: e.payload ?? {},
				...(e.createdAt ? { createdAt: e.createdAt } : {})
			}))
		);
	}
	return list.length;
}

/**
 * Events in id order after `afterId` (a reader's cursor), optionally of some types only.
 * @param limit 1–1000, default 100
 */
export async function readEvents(
	db: DbOrTx,
	query: { afterId?: number; types?: readonly EventType[]; limit?: number } = {}
): Promise<EventRow[]> {
	const conditions: SQL[] = [];
	if (query.afterId !== undefined) conditions.push(gt(events.id, query.afterId));
	if (query.types && query.types.length > 0) {
		conditions.push(inArray(events.type, [...query.types]));
	}
	return db
		.select()
		.from(events)
		.where(conditions.length > 0 ? and(...conditions) : undefined)
		.orderBy(asc(events.id))
		.limit(Math.min(1000, Math.max(1, Math.trunc(query.limit ?? 100))));
}

/** Deletes events created before `before`. @returns rows deleted. */
export async function pruneEvents(db: DbOrTx, before: Date): Promise<number> {
	return deleteCounted(db, events, lt(events.createdAt, before));
}
