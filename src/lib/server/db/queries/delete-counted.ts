/** Deleting many rows without fetching them. */
import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../index';

/**
 * Deletes the rows of `table` matching `where` and counts them in the database: a year of
 * history is millions of rows, never returned to the app.
 * @returns rows deleted
 */
export async function deleteCounted(db: DbOrTx, table: PgTable, where: SQL): Promise<number> {
	const [row] = await db.execute<{ n: number }>(
		sql`with gone as (delete from ${table} where ${where} returning 1) select count(*)::int as n from gone`
	);
	return row?.n ?? 0;
}
