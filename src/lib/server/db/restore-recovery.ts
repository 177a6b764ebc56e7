/**
 * The database side of a restore (services/database/restore.ts): the names of the schemas the
 * live data is parked in while a backup is restored, the advisory lock that keeps jobs away, and
 * the recovery from a restore cut short by a crash.
 *
 * A restore renames `public` and `drizzle` to the parked names, lets pg_restore create fresh ones,
 * migrates them, and only then drops the parked schemas (in one transaction). So a parked schema
 * that still exists when a process starts means a restore never finished: the parked data is the
 * last good state and is put back. This runs before migrations (openDatabase), because a missing
 * `public` schema would make them fail.
 */
import type { SQL } from 'bun';

/** Where the live `public` schema waits while a restore runs. */
export const PARKED_PUBLIC = 'comradarr_restore_prev_public';
/** Where drizzle's migrations schema waits while a restore runs. */
export const PARKED_DRIZZLE = 'comradarr_restore_prev_drizzle';

/**
 * Advisory lock (two-key form: namespace, 0) that separates a restore from every other job: jobs
 * hold it shared while they run, a restore holds it exclusively. "MT" in ASCII.
 */
export const MAINTENANCE_LOCK_NS = 0x4d54;

/** A client or a reserved connection: anything that runs tagged-template SQL. */
type Sql = Pick<SQL, 'unsafe'> &
	((strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>);

/** Whether a schema exists. */
async function schemaExists(sql: Sql, name: string): Promise<boolean> {
	const rows = (await sql`select 1 from pg_namespace where nspname = ${name}`) as unknown[];
	return rows.length > 0;
}

/**
 * Puts the parked schemas back when a restore was interrupted (see the module comment). Does
 * nothing when no schema is parked, or when another process holds the maintenance lock (its
 * restore is still running).
 * @returns true when parked data was put back.
 */
export async function recoverInterruptedRestore(sql: Sql): Promise<boolean> {
	if (!(await schemaExists(sql, PARKED_PUBLIC))) return false;
	const [lock] = (await sql`select pg_try_advisory_lock(${MAINTENANCE_LOCK_NS}, 0) as locked`) as {
		locked: boolean;
	}[];
	if (!lock?.locked) return false;
	try {
		// One transaction: either the old data is fully back or nothing changed.
		await sql.unsafe(`
			begin;
			drop schema if exists public cascade;
			drop schema if exists drizzle cascade;
			alter schema ${PARKED_PUBLIC} rename to public;
			do $$ begin
				if exists (select 1 from pg_namespace where nspname = '${PARKED_DRIZZLE}') then
					alter schema ${PARKED_DRIZZLE} rename to drizzle;
				end if;
			end $$;
			commit;`);
		return true;
	} catch (error) {
		await sql.unsafe('rollback').catch(() => undefined);
		throw error;
	} finally {
		await sql`select pg_advisory_unlock(${MAINTENANCE_LOCK_NS}, 0)`;
	}
}
