/**
 * A backup's migration level against this version's migrations (drizzle/): which of ours it
 * has, and whether it can be restored at all.
 *
 * drizzle's migrator (drizzle-orm 0.45, `PgDialect.migrate`) records each applied migration in
 * `drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`
 * with `hash` = SHA-256 hex of the migration's SQL file and `created_at` = the journal entry's
 * `when` (ms), and applies a migration when its `when` is newer than the newest recorded one. So a
 * backup is restorable when its records are exactly this version's first N migrations, hash for
 * hash: then it can be brought up to date with the remaining ones.
 */
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { JobError } from '$lib/server/services/jobs';

/** One migration as drizzle reads it from the migrations folder. */
export type KnownMigration = ReturnType<typeof readMigrationFiles>[number];

export interface RecordedMigration {
	hash: string;
	/** `created_at`: the migration's `when` from the journal (ms since epoch). */
	createdAt: number;
}

export interface MigrationLevel {
	/** This version's migrations that the backup has, in order (its schema is built from these). */
	applied: KnownMigration[];
	/** This version's migrations newer than the backup (applied after the restore). */
	pending: KnownMigration[];
}

function day(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Checks the migrations a backup records.
 * @param name the backup's name for messages
 * @throws JobError when it records none, a migration newer than this version's ("Update
 *   Comradarr"), one this version does not know, one with other contents, or skips one.
 */
export function checkMigrationLevel(
	name: string,
	recorded: RecordedMigration[],
	migrationsDir: string
): MigrationLevel {
	if (recorded.length === 0) {
		throw new JobError(
			`${name} records no migrations; it is not a backup of a working Comradarr database.`
		);
	}
	const known = readMigrationFiles({ migrationsFolder: migrationsDir });
	const byTime = new Map(known.map((m) => [m.folderMillis, m]));
	const latestKnown = Math.max(...known.map((m) => m.folderMillis));
	const sorted = [...recorded].sort((a, b) => a.createdAt - b.createdAt);
	for (const migration of sorted) {
		const mine = byTime.get(migration.createdAt);
		if (!mine) {
			throw new JobError(
				migration.createdAt > latestKnown
					? `${name} was made by a newer Comradarr (its database has a migration of ${day(migration.createdAt)}; this version knows migrations up to ${day(latestKnown)}). Update Comradarr, then restore.`
					: `${name} records a migration of ${day(migration.createdAt)} that this version does not know; it was not made by a released Comradarr.`
			);
		}
		if (mine.hash !== migration.hash) {
			throw new JobError(
				`${name} records the migration of ${day(migration.createdAt)} with different contents than this version; it was not made by a released Comradarr.`
			);
		}
	}
	const applied = known.slice(0, sorted.length);
	const gap = applied.find((m, i) => m.folderMillis !== sorted[i]?.createdAt);
	if (gap || new Set(sorted.map((m) => m.createdAt)).size !== sorted.length) {
		throw new JobError(
			`${name} skips the migration of ${day(gap?.folderMillis ?? sorted[0]!.createdAt)} or records one twice; it was not made by a released Comradarr.`
		);
	}
	return { applied, pending: known.slice(sorted.length) };
}
