/**
 * Test database helpers: a migrated client on the run's database and a full reset between tests.
 */
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/lib/server/db';

let shared: Promise<Database> | undefined;

/** The migrated test database (one client per test file). */
export function testDb(): Promise<Database> {
	shared ??= openDatabase(inject('databaseUrl'), {
		migrationsDir: path.resolve('drizzle'),
		max: 5
	});
	return shared;
}

/** Empties every table (keeps the migrations journal) and restores the seeded throttle presets. */
export async function resetDb(db: Database): Promise<void> {
	const rows: { tablename: string }[] = await db.$client`
		select tablename from pg_tables where schemaname = 'public'`;
	const tables = rows.map((r) => `"public"."${r.tablename}"`).join(', ');
	if (tables) await db.execute(sql.raw(`truncate ${tables} restart identity cascade`));
	const { seedDefaults } = await import('../../src/lib/server/db/seed');
	await seedDefaults(db);
	// app_settings was emptied: a cached copy of the settings would outlive it.
	const { invalidateSettingsCache } =
		await import('../../src/lib/server/services/settings/settings-service');
	invalidateSettingsCache();
}

/**
 * Whether the content browser's title search is usable in `db`: the accent-folding wrapper
 * answers and both trigram indexes exist with their operator class (both live outside the
 * `public` schema a restore replaces; see the content_search migration).
 */
export async function titleSearchReady(db: Database): Promise<boolean> {
	const [folded] = (await db.$client`select comradarr_unaccent(lower('Amélie Ærø')) as v`) as {
		v: string;
	}[];
	const indexes = (await db.$client`
		select indexname from pg_indexes
		where schemaname = 'public' and indexdef like '%gin_trgm_ops%'
		order by indexname`) as { indexname: string }[];
	return (
		folded?.v === 'amelie aero' &&
		indexes.map((i) => i.indexname).join(',') === 'movies_title_trgm_idx,series_title_trgm_idx'
	);
}
