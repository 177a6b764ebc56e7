/**
 * Extra databases on the test server for tests that need a second, fresh one (restore into a new
 * data directory, import into an empty install). Dropped by `dropExtraDatabases()`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL } from 'bun';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';

const created: { name: string; db: Database }[] = [];
const folders: string[] = [];

/**
 * A new database, migrated and seeded like a fresh install (or left empty with `migrate: false`,
 * or migrated with another folder: `migrate: '/path/to/migrations'`, then not seeded: the seed
 * writes the current schema's columns, which an older migration level may not have).
 */
export async function newDatabase(
	label: string,
	migrate: boolean | string = true
): Promise<{ db: Database; url: string; name: string }> {
	const name = `comradarr_${label}_${process.pid}_${created.length}`;
	const admin = new SQL(inject('databaseUrl'), { max: 1 });
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.unsafe(`create database ${name}`);
	await admin.close();
	const url = new URL(inject('databaseUrl'));
	url.pathname = `/${name}`;
	const db = await openDatabase(
		url.toString(),
		migrate
			? { migrationsDir: typeof migrate === 'string' ? migrate : path.resolve('drizzle'), max: 3 }
			: { max: 3 }
	);
	if (migrate === true) await seedDefaults(db);
	created.push({ name, db });
	return { db, url: url.toString(), name };
}

/** Closes and drops every database made by `newDatabase`, and removes `migrationsFolder`s. */
export async function dropExtraDatabases(): Promise<void> {
	const admin = new SQL(inject('databaseUrl'), { max: 1 });
	for (const { name, db } of created.splice(0)) {
		await db.$client.close();
		await admin.unsafe(`drop database if exists ${name} with (force)`);
	}
	await admin.close();
	for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Tables that make up the library, settings and search state: what a restore must reproduce.
 * (`job_runs` is not among them: a restore keeps the target's own job history.)
 */
export const STATE_TABLES = [
	'connectors',
	'sync_state',
	'sync_runs',
	'health_events',
	'series',
	'seasons',
	'episodes',
	'movies',
	'search_registry',
	'request_queue',
	'request_queue_items',
	'search_history',
	'throttle_profiles',
	'app_settings',
	'users',
	'sessions',
	'api_keys',
	'login_attempts'
];

/**
 * Every row of `STATE_TABLES` (ordered by the first two columns), with the driver's values:
 * two databases with equal states give equal results, timestamps to the millisecond and jsonb
 * values included.
 */
export async function databaseState(db: Database): Promise<Record<string, unknown[]>> {
	const out: Record<string, unknown[]> = {};
	for (const table of STATE_TABLES) {
		out[table] = (await db.$client.unsafe(
			`select * from public.${table} order by 1, 2`
		)) as unknown[];
	}
	return out;
}

/**
 * Every sequence of the app's schemas with the value its next call would return (so a restore
 * that resets them wrongly shows).
 */
export async function sequenceState(db: Database): Promise<Record<string, string>> {
	const rows = (await db.$client.unsafe(`
		select n.nspname || '.' || c.relname as name,
			coalesce(pg_sequence_last_value(c.oid), 0)::text as value
		from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where c.relkind = 'S' and n.nspname in ('public', 'drizzle')
			and c.relname <> 'job_runs_id_seq'
		order by 1`)) as { name: string; value: string }[];
	return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

/**
 * A copy of drizzle/ in a temporary folder with only its first `keep` migrations (all by
 * default) and optionally one more, `extra`, after them (for a schema this version does not
 * have). Removed by `dropExtraDatabases()`.
 */
export function migrationsFolder(options: {
	keep?: number;
	extra?: { tag: string; sql: string };
}): {
	dir: string;
	tags: string[];
} {
	const source = path.resolve('drizzle');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-migrations-'));
	folders.push(dir);
	const journal = JSON.parse(readFileSync(path.join(source, 'meta/_journal.json'), 'utf8')) as {
		entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
	};
	const entries = journal.entries.slice(0, options.keep ?? journal.entries.length);
	mkdirSync(path.join(dir, 'meta'));
	for (const entry of entries) {
		copyFileSync(path.join(source, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
	}
	if (options.extra) {
		const last = entries[entries.length - 1]!;
		entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: options.extra.tag });
		writeFileSync(path.join(dir, `${options.extra.tag}.sql`), options.extra.sql);
	}
	writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
	return { dir, tags: entries.map((e) => e.tag) };
}

/**
 * The shape of the app's schemas: every column (type, default, nullability), index and
 * constraint of `public` and `drizzle`. Two databases migrated to the same level give equal
 * results, however they got there.
 */
export async function schemaShape(db: Database): Promise<Record<string, unknown[]>> {
	const columns = await db.$client.unsafe(`
		select table_schema, table_name, column_name, data_type, character_maximum_length,
			datetime_precision, column_default, is_nullable, is_identity, identity_generation
		from information_schema.columns where table_schema in ('public', 'drizzle')
		order by 1, 2, 3`);
	const indexes = await db.$client.unsafe(`
		select schemaname, tablename, indexname, indexdef from pg_indexes
		where schemaname in ('public', 'drizzle') order by 1, 2, 3`);
	const constraints = await db.$client.unsafe(`
		select n.nspname, c.conname, pg_get_constraintdef(c.oid) as def
		from pg_constraint c join pg_namespace n on n.oid = c.connamespace
		where n.nspname in ('public', 'drizzle') order by 1, 2`);
	return {
		columns: [...(columns as unknown[])],
		indexes: [...(indexes as unknown[])],
		constraints: [...(constraints as unknown[])]
	};
}
