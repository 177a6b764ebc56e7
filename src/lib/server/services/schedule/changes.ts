/**
 * Telling every Comradarr process that a schedule changed, so its timers follow without a
 * restart.
 *
 * A write to `sweep_schedules` or `job_schedules` calls `announceScheduleChange(tx, …)` inside its
 * transaction: a PostgreSQL `NOTIFY` on `SCHEDULES_CHANNEL`, delivered to every listening session
 * when (and only when) the transaction commits (PostgreSQL docs, "NOTIFY": "if a NOTIFY is
 * executed inside a transaction, the notify events are not delivered until and unless the
 * transaction is committed"). Each scheduler `LISTEN`s on it (Bun's `SQL.listen`, bun-types
 * sql.d.ts: one dedicated connection, re-subscribed after a drop) and reconciles its timers.
 *
 * In the writing process the service also calls `scheduleChanged()` after the commit, so the
 * change takes effect there at once, without the round trip.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';

/** The LISTEN/NOTIFY channel of schedule changes. */
export const SCHEDULES_CHANNEL = 'comradarr_schedules';

type Listener = (what: string) => void;

const listeners: Set<Listener> = ((
	globalThis as { __comradarrScheduleListeners?: Set<Listener> }
).__comradarrScheduleListeners ??= new Set());

/**
 * Queues a NOTIFY for the other processes; sent when `tx` commits, dropped on rollback.
 * @param what a short payload for the log (`sweep:5`, `job:sync`)
 */
export async function announceScheduleChange(tx: DbOrTx, what: string): Promise<void> {
	await tx.execute(sql`select pg_notify(${SCHEDULES_CHANNEL}, ${what})`);
}

/** Tells this process's schedulers at once (call after the commit). */
export function scheduleChanged(what: string): void {
	for (const listener of [...listeners]) listener(what);
}

/** Subscribes to this process's changes. @returns the unsubscribe function */
export function onScheduleChanged(listener: Listener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}
