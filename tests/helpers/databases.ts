/**
 * Extra databases on the test server for tests that need a second, fresh one (restore into a new
 * data directory, import into an empty install). Dropped by `dropExtraDatabases()`.
 */
import path from 'node:path';
import { SQL } from 'bun';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';

const created: { name: string; db: Database }[] = [];

/** A new database, migrated and seeded like a fresh install (or left empty with `migrate: false`). */
export async function newDatabase(
	label: string,
	migrate = true
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
		migrate ? { migrationsDir: path.resolve('drizzle'), max: 3 } : { max: 3 }
	);
	if (migrate) await seedDefaults(db);
	created.push({ name, db });
	return { db, url: url.toString(), name };
}

/** Closes and drops every database made by `newDatabase`. */
export async function dropExtraDatabases(): Promise<void> {
	const admin = new SQL(inject('databaseUrl'), { max: 1 });
	for (const { name, db } of created.splice(0)) {
		await db.$client.close();
		await admin.unsafe(`drop database if exists ${name} with (force)`);
	}
	await admin.close();
}
