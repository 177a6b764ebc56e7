/**
 * The single database client: Drizzle on Bun's native PostgreSQL driver.
 *
 * `openDatabase(url)` creates a client and applies pending migrations under a session-level
 * advisory lock (two processes starting at once must not both migrate). The app opens one client at
 * start-up (runtime.ts) and reaches it through `getDb()`; tests open their own.
 */
import { SQL } from 'bun';
import { drizzle, type BunSQLDatabase } from 'drizzle-orm/bun-sql';
import { migrate } from 'drizzle-orm/bun-sql/migrator';
import * as schema from './schema';
import { recoverInterruptedRestore } from './restore-recovery';

export type Database = BunSQLDatabase<typeof schema> & { $client: SQL };
/** A database or a transaction: what repositories accept. */
export type DbOrTx = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

/** Advisory lock key for migrations ("comradar" in ASCII, fits a bigint). */
const MIGRATION_LOCK = 0x636f6d7261646172n;

export interface OpenDatabaseOptions {
	migrationsDir?: string;
	/** Pool size; 10 by default (spec: 10–25). */
	max?: number;
}

/**
 * Connects to `url` and, when `migrationsDir` is given, applies pending migrations first.
 * @throws when the server is unreachable or a migration fails (nothing is half-applied: each
 *   migration runs in a transaction).
 */
export async function openDatabase(
	url: string,
	options: OpenDatabaseOptions = {}
): Promise<Database> {
	const client = new SQL(url, {
		max: options.max ?? 10,
		idleTimeout: 30,
		maxLifetime: 30 * 60,
		connectionTimeout: 10,
		// PostgreSQL's JIT compiles any statement its planner costs above jit_above_cost: on the
		// content browser's counts over a 500,000-episode mirror that took 14–30 ms to save well under
		// 1 ms of execution (tests/bench/content.ts). Our statements are short; JIT never pays.
		connection: { jit: 'off' }
	});
	if (options.migrationsDir) await applyMigrations(client, options.migrationsDir);
	return drizzle({ client, schema }) as Database;
}

/**
 * Applies pending migrations under the migration advisory lock, after putting back the data of a
 * restore that a crash cut short (restore-recovery.ts). Used at start-up and, with
 * `recoverRestore: false`, by a restore for the schema it has just restored.
 * @throws when a migration fails (each migration runs in its own transaction).
 */
export async function applyMigrations(
	client: SQL,
	migrationsDir: string,
	options: { recoverRestore?: boolean } = {}
): Promise<void> {
	const reserved = await client.reserve();
	try {
		await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
		try {
			// A restore in progress migrates its own fresh schema and must not be "recovered".
			if (options.recoverRestore !== false) await recoverInterruptedRestore(reserved);
			await migrate(drizzle({ client: reserved as unknown as SQL }), {
				migrationsFolder: migrationsDir
			});
		} finally {
			await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`;
		}
	} finally {
		await reserved.release();
	}
}

let current: Database | undefined;

/** Sets the process-wide client (runtime start-up). */
export function setDb(db: Database | undefined): void {
	current = db;
}

/**
 * The process-wide client.
 * @throws before the runtime has opened the database.
 */
export function getDb(): Database {
	if (!current) throw new Error('database not initialised: runtime.start() has not run');
	return current;
}

export { schema };
