/**
 * Restoring a backup into the running app, as an exclusive job (`db.restore`). Both formats are
 * accepted whatever `BACKUP_FORMAT` says, told apart by their first bytes (backup-format.ts):
 * a pg_dump custom-format archive ("PGDMP") or a built-in backup (builtin-format.ts). Anything
 * else is refused.
 *
 * First the whole file is checked without touching the database, and refused with the reason
 * when it is not one of ours. For a pg_dump archive (this needs pg_restore at least as new as the
 * server):
 * 1. it starts with pg_dump's custom-format signature ("PGDMP");
 * 2. `pg_restore --list` reads its table of contents;
 * 3. it holds Comradarr's tables and drizzle's migrations table;
 * 4. pg_restore can read it to the end (a truncated or damaged file fails here);
 * 5. its migrations are this version's first ones (migration-level.ts: a backup from a newer
 *    Comradarr is refused: its schema is ahead of this code).
 * For a built-in backup, builtin-restore.ts checks the same (every table's checksum instead of
 * pg_restore's reading).
 *
 * Then, with maintenance mode up (no job, scheduled run or request uses the database meanwhile):
 * the live `public` and `drizzle` schemas are parked under other names (restore-recovery.ts),
 * fresh ones are filled from the file in one transaction (pg_restore --single-transaction, or the
 * built-in loader), pending migrations bring an older backup up to date, the presets are seeded,
 * and this instance's job history is carried over; only then are the parked schemas dropped, in
 * the same transaction as that copy. Any failure before that point drops what was restored and
 * puts the parked schemas back: the previous data is never lost or mixed. A crash in between is
 * undone at the next start (before migrations).
 *
 * Restoring replaces the accounts and sessions with those of the backup, so the user is signed out
 * unless the backup holds their session. Stored API keys stay encrypted under the SECRET_KEY of
 * the instance that made the backup: restoring needs the same key.
 */
import { applyMigrations, type Database } from '$lib/server/db';
import { PARKED_DRIZZLE, PARKED_PUBLIC } from '$lib/server/db/restore-recovery';
import { seedDefaults } from '$lib/server/db/seed';
import { invalidateSettingsCache } from '$lib/server/services/settings/settings-service';
import { JobError, type JobContext, type JobOutcome } from '$lib/server/services/jobs';
import type { BackupFormat } from '$lib/types/database';
import { PG_DUMP_MAGIC, fileBackupFormat } from './backup-format';
import { REQUIRED_TABLES, inspectBuiltinBackup, loadBuiltinBackup } from './builtin-restore';
import { checkMigrationLevel } from './migration-level';
import {
	connectionOf,
	findPgTools,
	pgEnv,
	runTool,
	runToolText,
	serverVersion,
	type PgTools
} from './pg-tools';
import { readHead } from './uploads';

export { REQUIRED_TABLES };

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
	const head = new TextDecoder().decode(await readHead(file, PG_DUMP_MAGIC.length));
	if (head !== PG_DUMP_MAGIC) {
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
	const level = checkMigrationLevel(name, migrations, deps.migrationsDir);
	return {
		tables,
		migrations,
		dumpedFrom: toc.dumpedFrom,
		entries: toc.count,
		createsPublicSchema: toc.entries.some((e) => e.type === 'SCHEMA' && e.name === 'public'),
		pendingMigrations: level.pending.length
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
	format: BackupFormat;
	tables: number;
	/** Migrations applied after the restore (the backup was older than this version). */
	migrationsApplied: number;
	/** The server version the backup was made from, when the file says. */
	dumpedFrom: string | null;
}

type RestoreContext = Pick<JobContext, 'progress' | 'holdWrites' | 'log'>;

/**
 * pg_restore for a pg_dump file.
 * @throws JobError saying what to install when none is at least as new as the server.
 */
async function pgRestoreFor(db: Database, name: string): Promise<PgTools> {
	const server = await serverVersion(db);
	const found = findPgTools(server.major);
	if (found.tools) return found.tools;
	throw new JobError(
		`${name} is a pg_dump archive: restoring it needs pg_restore ${server.major} or newer. ${found.problem ?? ''}`.trim()
	);
}

/**
 * Parks the live schemas, lets `fill` create the restored ones, migrates and seeds them, keeps
 * this instance's job history and drops the parked schemas; on any failure puts the parked
 * schemas back. Settings caches are cleared either way.
 */
async function replaceDatabase(deps: {
	db: Database;
	ctx: RestoreContext;
	migrationsDir: string;
	/** Create an empty `public` for `fill` (a pg_dump made with `--schema=public` creates its own). */
	createPublic: boolean;
	fill: () => Promise<void>;
}): Promise<void> {
	const { db, ctx } = deps;
	await ctx.holdWrites(async () => {
		ctx.progress(0.25, 'Setting the current data aside');
		await park(db, deps.createPublic);
		try {
			await deps.fill();
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
	ctx: RestoreContext;
}): Promise<RestoreResult> {
	const { db, ctx, name } = deps;
	ctx.progress(0.01, `Checking ${name}: format`);
	const format = await fileBackupFormat(deps.file);
	if (format === null) {
		throw new JobError(
			`${name} is not a Comradarr backup: it is neither a PostgreSQL custom-format dump (those start with "PGDMP") nor a backup in Comradarr's built-in format.`
		);
	}
	if (format === 'builtin') {
		const inspection = await inspectBuiltinBackup(deps);
		await replaceDatabase({
			db,
			ctx,
			migrationsDir: deps.migrationsDir,
			createPublic: true,
			fill: () =>
				loadBuiltinBackup({ db, file: deps.file, name, inspection, ctx, progress: [0.3, 0.85] })
		});
		return {
			name,
			format,
			tables: inspection.header.tables.length,
			migrationsApplied: inspection.pendingMigrations,
			dumpedFrom: inspection.header.server
		};
	}

	const tools = await pgRestoreFor(db, name);
	const inspection = await inspectDump({ ...deps, tools });
	const env = pgEnv(connectionOf(db));
	let done = 0;
	await replaceDatabase({
		db,
		ctx,
		migrationsDir: deps.migrationsDir,
		createPublic: !inspection.createsPublicSchema,
		fill: async () => {
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
		}
	});
	return {
		name,
		format,
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
					`Restored ${result.name} (${result.format === 'builtin' ? 'built-in format' : 'pg_dump'}, ${result.tables} tables).` +
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
