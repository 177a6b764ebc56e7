/**
 * Maintenance mode: while a restore replaces the database, nothing else may use it.
 *
 * Two layers, because several Comradarr processes may share one database:
 * - in this process, a flag (`maintenanceState()`) that the request handle answers with 503, that
 *   the job runner and the scheduler check before starting anything;
 * - across processes, the advisory lock `MAINTENANCE_LOCK_NS`: every job and scheduled run holds
 *   it shared while it works (`tryEnterShared`), a restore takes it exclusively, so it waits for
 *   running work to finish and new work is refused until it is done.
 *
 * While the flag is up, the caller that started the restore (identified by the SHA-256 of its
 * session token or API key, never the credential itself) may still follow the run.
 */
import type { ReservedSQL } from 'bun';
import { MAINTENANCE_LOCK_NS } from '$lib/server/db/restore-recovery';

export { MAINTENANCE_LOCK_NS };

export interface MaintenanceState {
	/** The restore run holding the database. */
	runId: number;
	since: Date;
	/** SHA-256 hex digests of the credentials (session token, API key) that may follow the run. */
	followers: ReadonlySet<string>;
}

interface Holder {
	current: MaintenanceState | null;
}

// Survives dev/HMR reloads of this module, like the scheduler's state.
const holder: Holder = ((
	globalThis as { __comradarrMaintenance?: Holder }
).__comradarrMaintenance ??= { current: null });

/** The restore in progress in this process, or null. */
export function maintenanceState(): MaintenanceState | null {
	return holder.current;
}

/** True while a restore holds the database in this process. */
export function isMaintenance(): boolean {
	return holder.current !== null;
}

/**
 * Raises the flag for `runId`.
 * @throws Error when another restore already holds it (the runner prevents that).
 */
export function enterMaintenance(runId: number, followers: Iterable<string> = []): void {
	if (holder.current) throw new Error(`maintenance already held by run ${holder.current.runId}`);
	holder.current = { runId, since: new Date(), followers: new Set(followers) };
}

/** Lowers the flag (only for the run that raised it). */
export function leaveMaintenance(runId: number): void {
	if (holder.current?.runId === runId) holder.current = null;
}

/**
 * Takes the maintenance lock shared on `conn` (a job or scheduled run starting).
 * @returns false when a restore holds or waits for it: the work must not start.
 */
export async function tryEnterShared(conn: ReservedSQL): Promise<boolean> {
	if (isMaintenance()) return false;
	const [row] =
		(await conn`select pg_try_advisory_lock_shared(${MAINTENANCE_LOCK_NS}, 0) as locked`) as {
			locked: boolean;
		}[];
	return Boolean(row?.locked);
}

/** Releases the shared lock taken by `tryEnterShared`. */
export async function leaveShared(conn: ReservedSQL): Promise<void> {
	await conn`select pg_advisory_unlock_shared(${MAINTENANCE_LOCK_NS}, 0)`;
}

/**
 * Takes the maintenance lock exclusively on `conn`, waiting for running jobs (here and in other
 * processes) to finish.
 * @param timeoutMs how long to wait (ms) before giving up.
 * @returns false when the wait timed out.
 */
export async function enterExclusive(conn: ReservedSQL, timeoutMs: number): Promise<boolean> {
	await conn.unsafe(`set lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
	try {
		await conn`select pg_advisory_lock(${MAINTENANCE_LOCK_NS}, 0)`;
		return true;
	} catch (error) {
		// SQLSTATE 55P03 lock_not_available: the wait hit lock_timeout.
		if ((error as { errno?: unknown }).errno === '55P03') return false;
		throw error;
	} finally {
		await conn.unsafe('reset lock_timeout');
	}
}

/** Releases the exclusive lock taken by `enterExclusive`. */
export async function leaveExclusive(conn: ReservedSQL): Promise<void> {
	await conn`select pg_advisory_unlock(${MAINTENANCE_LOCK_NS}, 0)`;
}
