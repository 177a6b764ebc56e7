/**
 * Restoring a backup into the running app, as an exclusive job (`db.restore`).
 *
 * First the file is checked without touching the database, and refused with the reason when it
 * is not one of ours:
 * 1. it starts with pg_dump's custom-format signature ("PGDMP");
 * 2. `pg_restore --list` reads its table of contents;
 * 3. it holds Comradarr's tables and drizzle's migrations table;
 * 4. pg_restore can read it to the end (a truncated or damaged file fails here);
 * 5. every migration it records is one this version knows (a backup from a newer Comradarr is
 *    refused: its schema is ahead of this code).
 *
 * Then, with maintenance mode up (no job, scheduled run or request uses the database meanwhile):
 * the live `public` and `drizzle` schemas are parked under other names (restore-recovery.ts),
 * pg_restore recreates them from the file in one transaction, pending migrations bring an older
 * backup up to date, the presets are seeded, and this instance's job history is carried over;
 * only then are the parked schemas dropped, in the same transaction as that copy. Any failure
 * before that point drops what was restored and puts the parked schemas back: the previous data
 * is never lost or mixed. A crash in between is undone at the next start (before migrations).
 *
 * Restoring replaces the accounts and sessions with those of the backup, so the user is signed out
 * unless the backup holds their session. Stored API keys stay encrypted under the SECRET_KEY of
 * the instance that made the backup: restoring needs the same key.
 */
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { applyMigrations, type Database } from '$lib/server/db';
import { PARKED_DRIZZLE, PARKED_PUBLIC } from '$lib/server/db/restore-recovery';
import { seedDefaults } from '$lib/server/db/seed';
import { invalidateSettingsCache } from '$lib/server/services/settings/settings-service';
import { JobError, type JobContext, type JobOutcome } from '$lib/server/services/jobs';
import { connectionOf, pgEnv, runTool, runToolText, type PgTools } from './pg-tools';
import { requirePgTools } from './backup';
import { DUMP_MAGIC, readHead } from './uploads';

/**
 * Tables every Comradarr database has had since the first migration: a dump without them is not
 * ours.
 */
export const REQUIRED_TABLES = [
	'users',
	'sessions',
	'connectors',
	'series',
	'seasons',
	'episodes',
	'movies',
	'search_registry',
	'throttle_profiles',
	'app_settings'
] as const;

export interface DumpMigration {
	hash: string;
	/** drizzle's `created_at`: the migration's `when` from the journal (ms since epoch). */
	createdAt: number;
}

export interface DumpInspection {
	/** Tables of the `public` schema in the dump. */
	tables: string[];
	migrations: DumpMigration[];
	/** "15.20 (Debian …)" from the archive header. */
	dumpedFrom: string | null;
	/** Entries pg_restore will process (for progress). */
	entries: number;
	/** Whether the dump creates the `public` schema itself (made with `--schema=public`). */
	createsPublicSchema: boolean;
	/** Migrations of this version newer than the dump's (applied after the restore). */
	pendingMigrations: number;
}

interface TocEntry {
	type: string;
	schema: string;
	name: string;
}

// "216; 1259 44030 TABLE drizzle __drizzle_migrations root" (owner may be missing).
const TOC_LINE = /^\d+;\s+\d+\s+\d+\s+(TABLE DATA|TABLE|SCHEMA)\s+(\S+)\s+(\S+)/;

function parseToc(text: string): { entries: TocEntry[]; count: number; dumpedFrom: string | null } {
	const entries: TocEntry[] = [];
	let count = 0;
	let dumpedFrom: string | null = null;
	for (const line of text.split('\n')) {
		if (line.startsWith(';')) {
			const from = /Dumped from database version:\s*(.+)$/.exec(line);
			if (from?.[1]) dumpedFrom = from[1].trim();
			continue;
		}
		if (!/^\d+;/.test(line)) continue;
		count++;
		const match = TOC_LINE.exec(line);
		if (match?.[1] && match[2] && match[3]) {
			entries.push({ type: match[1], schema: match[2], name: match[3] });
		}
	}
	return { entries, count, dumpedFrom };
}

/** The rows of drizzle's migrations table from pg_restore's SQL output (`COPY … FROM stdin;`). */
function parseMigrationRows(sql: string): DumpMigration[] {
	const rows: DumpMigration[] = [];
	let inCopy = false;
	for (const line of sql.split('\n')) {
		if (!inCopy) {
			inCopy = /^COPY drizzle\.__drizzle_migrations \(id, hash, created_at\) FROM stdin;/.test(
				line
			);
			continue;
		}
		if (line === '\\.') break;
		const [, hash, createdAt] = line.split('\t');
		if (hash && createdAt && /^\d+$/.test(createdAt)) {
			rows.push({ hash, createdAt: Number(createdAt) });
		}
	}
	return rows;
}

function day(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Checks a backup file without touching the database (steps 1–5 of the module comment).
 * @param name the name shown in messages (never the server path)
 * @throws JobError saying exactly what is wrong
 */
export async function inspectDump(deps: {
	file: string;
	name: string;
	tools: PgTools;
	migrationsDir: string;
	ctx?: Pick<JobContext, 'progress'> | undefined;
}): Promise<DumpInspection> {
	const { file, name, tools, ctx } = deps;
	const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' };
	const hidePath = (text: string) =>
		text.replaceAll(file, name).replace(/^pg_restore:\s*(error:\s*)?/, '');

	ctx?.progress(0.02, `Checking ${name}: format`);
	const head = new TextDecoder().decode(await readHead(file, DUMP_MAGIC.length));
	if (head !== DUMP_MAGIC) {
		throw new JobError(
			`${name} is not a PostgreSQL custom-format dump (Comradarr backups are made with pg_dump --format=custom and start with "PGDMP").`
		);
	}

	ctx?.progress(0.05, `Checking ${name}: contents`);
	const list = await runToolText([tools.pgRestore, '--list', file], { env });
	if (list.exitCode !== 0) {
		const reason = hidePath(list.stderrTail.at(-1) ?? 'unknown error');
		throw new JobError(
			/end of file|unexpected end/i.test(reason)
				? `${name} is damaged or incomplete (was it truncated?): ${reason}.`
				: `pg_restore ${tools.version} cannot read ${name}: ${reason}.`
		);
	}
	const toc = parseToc(list.stdout);
	const tables = toc.entries
		.filter((e) => e.type === 'TABLE' && e.schema === 'public')
		.map((e) => e.name);
	const missing = REQUIRED_TABLES.filter((t) => !tables.includes(t));
	const hasJournal = toc.entries.some(
		(e) => e.type === 'TABLE DATA' && e.schema === 'drizzle' && e.name === '__drizzle_migrations'
	);
	if (missing.length > 0 || !hasJournal) {
		const lacks = [
			...(missing.length > 0 ? [`the tables ${missing.join(', ')}`] : []),
			...(hasJournal ? [] : ["drizzle's migrations table (drizzle.__drizzle_migrations)"])
		].join(' and ');
		throw new JobError(`${name} is not a Comradarr backup: it lacks ${lacks}.`);
	}

	ctx?.progress(0.1, `Checking ${name}: reading it to the end`);
	const full = await runTool([tools.pgRestore, '--file=/dev/null', file], { env });
	if (full.exitCode !== 0) {
		const reason = hidePath(full.stderrTail.at(-1) ?? 'unknown error');
		throw new JobError(`${name} is damaged or incomplete (was it truncated?): ${reason}.`);
	}

	ctx?.progress(0.2, `Checking ${name}: migration level`);
	const journal = await runToolText(
		[
			tools.pgRestore,
			'--data-only',
			'--schema=drizzle',
			'--table=__drizzle_migrations',
			'--file=-',
			file
		],
		{ env }
	);
	if (journal.exitCode !== 0) {
		throw new JobError(`${name}: its migrations table cannot be read.`);
	}
	const migrations = parseMigrationRows(journal.stdout);
	if (migrations.length === 0) {
		throw new JobError(
			`${name} records no migrations; it is not a backup of a working Comradarr database.`
		);
	}
	const known = readMigrationFiles({ migrationsFolder: deps.migrationsDir });
	const knownByTime = new Map(known.map((m) => [m.folderMillis, m.hash]));
	const latestKnown = Math.max(...known.map((m) => m.folderMillis));
	for (const migration of migrations) {
		const hash = knownByTime.get(migration.createdAt);
		if (hash === undefined) {
			throw new JobError(
				migration.createdAt > latestKnown
					? `${name} was made by a newer Comradarr (its database has a migration of ${day(migration.createdAt)}; this version knows migrations up to ${day(latestKnown)}). Update Comradarr, then restore.`
					: `${name} records a migration of ${day(migration.createdAt)} that this version does not know; it was not made by a released Comradarr.`
			);
		}
		if (hash !== migration.hash) {
			throw new JobError(
				`${name} records the migration of ${day(migration.createdAt)} with different contents than this version; it was not made by a released Comradarr.`
			);
		}
	}
	const applied = new Set(migrations.map((m) => m.createdAt));
	return {
		tables,
		migrations,
		dumpedFrom: toc.dumpedFrom,
		entries: toc.count,
		createsPublicSchema: toc.entries.some((e) => e.type === 'SCHEMA' && e.name === 'public'),
		pendingMigrations: known.filter((m) => !applied.has(m.folderMillis)).length
	};
}

async function schemaExists(db: Database, name: string): Promise<boolean> {
	const rows = (await db.$client`select 1 from pg_namespace where nspname = ${name}`) as unknown[];
	return rows.length > 0;
}

/** Moves the live schemas aside. @throws JobError when a parked schema is already there. */
async function park(db: Database, createPublic: boolean): Promise<void> {
	if (await schemaExists(db, PARKED_PUBLIC)) {
		throw new JobError(
			'An earlier restore did not finish cleaning up; restart Comradarr (it puts the previous data back) and try again.'
		);
	}
	await db.$client.begin((tx) =>
		tx.unsafe(`
		alter schema public rename to ${PARKED_PUBLIC};
		do $$ begin
			if exists (select 1 from pg_namespace where nspname = 'drizzle') then
				alter schema drizzle rename to ${PARKED_DRIZZLE};
			end if;
		end $$;
		${createPublic ? 'create schema public;' : ''}`)
	);
}

/** Drops whatever was restored and puts the parked schemas back. */
async function unpark(db: Database): Promise<void> {
	await db.$client.begin((tx) =>
		tx.unsafe(`
		drop schema if exists public cascade;
		drop schema if exists drizzle cascade;
		alter schema ${PARKED_PUBLIC} rename to public;
		do $$ begin
			if exists (select 1 from pg_namespace where nspname = '${PARKED_DRIZZLE}') then
				alter schema ${PARKED_DRIZZLE} rename to drizzle;
			end if;
		end $$;`)
	);
}

/**
 * Keeps this instance's job history (the restore's own run included, so the UI can follow it by
 * id) instead of the backup's, then drops the parked schemas: one transaction, the commit point
 * of the restore.
 */
async function finish(db: Database): Promise<void> {
	const columns = (await db.$client`
		select column_name from information_schema.columns
		where table_name = 'job_runs' and table_schema = 'public'
		and column_name in (select column_name from information_schema.columns
			where table_name = 'job_runs' and table_schema = ${PARKED_PUBLIC})
		order by ordinal_position`) as { column_name: string }[];
	const names = columns.map((c) => `"${c.column_name}"`);
	const select = columns.map((c) =>
		c.column_name === 'user_id'
			? `case when p.user_id in (select id from public.users) then p.user_id end`
			: `p."${c.column_name}"`
	);
	const copy =
		names.length > 0
			? `insert into public.job_runs (${names.join(', ')}) overriding system value
				select ${select.join(', ')} from ${PARKED_PUBLIC}.job_runs p;
			select setval(pg_get_serial_sequence('public.job_runs', 'id'),
				greatest(coalesce((select max(id) from public.job_runs), 0), 1));`
			: '';
	await db.$client.begin((tx) =>
		tx.unsafe(`
		delete from public.job_runs;
		${copy}
		drop schema ${PARKED_PUBLIC} cascade;
		drop schema if exists ${PARKED_DRIZZLE} cascade;`)
	);
}

export interface RestoreResult {
	name: string;
	tables: number;
	/** Migrations applied after the restore (the backup was older than this version). */
	migrationsApplied: number;
	dumpedFrom: string | null;
}

/**
 * Checks `file` and restores it into the database (see the module comment). Run it only inside
 * an exclusive job (`restoreJob`): it relies on maintenance mode.
 * @throws JobError with the reason; the database is then as it was before.
 */
export async function restoreDump(deps: {
	db: Database;
	file: string;
	name: string;
	migrationsDir: string;
	ctx: Pick<JobContext, 'progress' | 'holdWrites' | 'log'>;
}): Promise<RestoreResult> {
	const { db, ctx, name } = deps;
	const tools = await requirePgTools(db);
	const inspection = await inspectDump({ ...deps, tools });
	const env = pgEnv(connectionOf(db));
	let done = 0;

	await ctx.holdWrites(async () => {
		ctx.progress(0.25, 'Setting the current data aside');
		await park(db, !inspection.createsPublicSchema);
		try {
			ctx.progress(0.3, `Restoring ${name}`);
			const run = await runTool(
				[
					tools.pgRestore,
					'--single-transaction',
					'--exit-on-error',
					'--no-owner',
					'--no-acl',
					'--no-password',
					'--verbose',
					`--dbname=${connectionOf(db).database}`,
					deps.file
				],
				{
					env,
					onLine: (line) => {
						const match =
							/^pg_restore: (?:creating \S+(?: \S+)? "?([^"]+)"?|processing data for table "?([^"]+)"?)/.exec(
								line
							);
						if (!match) return;
						done++;
						const what = (match[1] ?? match[2] ?? '').split('.').pop();
						ctx.progress(
							0.3 + (0.55 * Math.min(done, inspection.entries)) / Math.max(1, inspection.entries),
							`Restoring ${what} (${Math.min(done, inspection.entries)} of ${inspection.entries} items)`
						);
					}
				}
			);
			if (run.exitCode !== 0) {
				ctx.log.warn({ stderr: run.stderrTail.slice(-5) }, 'pg_restore failed');
				throw new JobError(
					`pg_restore could not restore ${name} (exit code ${run.exitCode}); nothing was changed. The server log has its output.`
				);
			}
			ctx.progress(0.88, 'Bringing the restored database up to date');
			try {
				await applyMigrations(db.$client, deps.migrationsDir, { recoverRestore: false });
				await seedDefaults(db);
			} catch (error) {
				throw new JobError(
					`The restored database could not be migrated to this version; nothing was changed.`,
					{ cause: error }
				);
			}
			ctx.progress(0.95, 'Finishing');
			await finish(db);
		} catch (error) {
			ctx.log.warn({ err: String(error) }, 'restore failed; putting the previous data back');
			await unpark(db);
			throw error;
		} finally {
			invalidateSettingsCache();
		}
	});
	return {
		name,
		tables: inspection.tables.length,
		migrationsApplied: inspection.pendingMigrations,
		dumpedFrom: inspection.dumpedFrom
	};
}

/** A restore as a job body (`db.restore`, started with `exclusive: true`). */
export function restoreJob(deps: {
	db: Database;
	file: string;
	name: string;
	migrationsDir: string;
	/** Called afterwards whatever happened (e.g. deleting an upload). */
	cleanup?: () => Promise<void>;
}) {
	return async (ctx: JobContext): Promise<JobOutcome> => {
		try {
			const result = await restoreDump({ ...deps, ctx });
			return {
				message:
					`Restored ${result.name} (${result.tables} tables).` +
					(result.migrationsApplied > 0
						? ` ${result.migrationsApplied} newer migrations were applied.`
						: ''),
				result: { ...result }
			};
		} finally {
			await deps
				.cleanup?.()
				.catch((error: unknown) => ctx.log.warn({ err: String(error) }, 'cleanup failed'));
		}
	};
}
