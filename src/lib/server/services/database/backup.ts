/**
 * Backups of the app's schemas (`public` and drizzle's `drizzle`) in `$DATA_DIR/backups/`, made
 * as a job (`db.backup`), listed, downloaded, deleted, and made on a schedule with retention
 * (Settings → Database, the `backup` settings section).
 *
 * Two formats (backup-format.ts): a `pg_dump --format=custom` archive when a pg_dump at least as
 * new as the server is found (and `BACKUP_FORMAT` is not `builtin`), else Comradarr's built-in
 * format (builtin-format.ts), which needs no external program. Both use the same names and rules.
 *
 * A backup is written to a hidden `.partial` file and renamed when it is complete and reads back
 * (pg_restore --list, or a full check of the built-in file's checksums), so a listed file is
 * always complete. Names are `comradarr-<UTC yyyymmdd-hhmmss>-<manual|scheduled>.dump` in both
 * formats; only `scheduled` ones are removed by retention. Any other `*.dump` a user copies into
 * the folder is listed (kind `other`) and can be restored, downloaded or deleted, never pruned.
 *
 * Files are mode 0600 in a 0700 folder: a backup holds password hashes and the encrypted *arr API
 * keys (which need the same SECRET_KEY to be of use).
 */
import { Cron } from 'croner';
import { and, desc, eq } from 'drizzle-orm';
import { lstat, mkdir, readdir, rename, rm, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '$lib/server/db';
import { jobRuns } from '$lib/server/db/schema';
import { getSettings } from '$lib/server/services/settings/settings-service';
import {
	JobConflictError,
	JobError,
	MaintenanceError,
	ShuttingDownError,
	startJob,
	type JobContext,
	type JobOutcome
} from '$lib/server/services/jobs';
import { readConfig } from '$lib/server/config';
import type { BackupFile, BackupFormat, BackupKind } from '$lib/types/database';
import { chooseBackupFormat, fileBackupFormat } from './backup-format';
import { writeBuiltinBackup } from './builtin-export';
import { readBuiltinBackup } from './builtin-format';
import { connectionOf, pgEnv, runTool, runToolText, type PgTools } from './pg-tools';
import { DomainError } from '../../errors';

/** `$DATA_DIR/backups`. */
export function backupsDir(dataDir: string): string {
	return path.join(dataDir, 'backups');
}

/**
 * A name the API accepts: letters, digits, `.`, `_`, `-`, not starting with a dot, ending in
 * `.dump`. No separator can appear, so a name never leaves the folder.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.dump$/;
const OURS = /^comradarr-\d{8}-\d{6}(?:-\d+)?-(manual|scheduled)\.dump$/;

export function isBackupName(name: string): boolean {
	return SAFE_NAME.test(name);
}

export function backupKind(name: string): BackupKind {
	const match = OURS.exec(name);
	return (match?.[1] as BackupKind | undefined) ?? 'other';
}

/** A missing or unacceptable backup name (→ 404). */
export class BackupNotFoundError extends DomainError {
	constructor(name: string) {
		super(
			'backups.not_found',
			isBackupName(name) ? `There is no backup named ${name}.` : 'There is no such backup.',
			{ status: 404 }
		);
		this.name = 'BackupNotFoundError';
	}
}

function stamp(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return (
		`${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
		`${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
	);
}

/**
 * The absolute path of backup `name` in `dir`: a regular file (not a link) directly inside it.
 * @throws BackupNotFoundError for a bad name, a missing file or anything but a regular file.
 */
export async function resolveBackup(dir: string, name: string): Promise<string> {
	if (!isBackupName(name)) throw new BackupNotFoundError(name);
	const file = path.join(dir, name);
	if (path.dirname(file) !== path.resolve(dir)) throw new BackupNotFoundError(name);
	const info = await lstat(file).catch(() => null);
	if (!info?.isFile()) throw new BackupNotFoundError(name);
	return file;
}

/** The backups in `dir`, newest first (an absent folder is an empty list). */
export async function listBackups(dir: string): Promise<BackupFile[]> {
	let entries: string[];
	try {
		entries = await readdir(dir);
	} catch {
		return [];
	}
	const list: BackupFile[] = [];
	for (const name of entries) {
		if (!isBackupName(name)) continue;
		const info = await lstat(path.join(dir, name)).catch(() => null);
		if (!info?.isFile()) continue;
		list.push({
			name,
			kind: backupKind(name),
			sizeBytes: info.size,
			format: await fileBackupFormat(path.join(dir, name)).catch(() => null),
			createdAt: info.mtime.toISOString()
		});
	}
	return list.sort(
		(a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name)
	);
}

/** Deletes one backup. @throws BackupNotFoundError */
export async function deleteBackup(dir: string, name: string): Promise<void> {
	await rm(await resolveBackup(dir, name));
}

/**
 * Keeps the newest `keep` scheduled backups and deletes the older ones; manual and other files
 * are never touched.
 * @returns the names deleted.
 */
export async function applyRetention(dir: string, keep: number): Promise<string[]> {
	const scheduled = (await listBackups(dir))
		.filter((b) => b.kind === 'scheduled')
		// The name carries the UTC time it was made: a copy or touch does not reorder them.
		.sort((a, b) => b.name.localeCompare(a.name));
	const doomed = scheduled.slice(Math.max(0, keep)).map((b) => b.name);
	for (const name of doomed) await rm(path.join(dir, name), { force: true });
	return doomed;
}

async function uniqueName(dir: string, kind: 'manual' | 'scheduled', now: Date): Promise<string> {
	for (let n = 1; ; n++) {
		const name = `comradarr-${stamp(now)}${n > 1 ? `-${n}` : ''}-${kind}.dump`;
		const taken = await lstat(path.join(dir, name)).then(
			() => true,
			() => false
		);
		if (!taken) return name;
	}
}

export interface BackupResult {
	name: string;
	format: BackupFormat;
	sizeBytes: number;
	tables: number;
}

interface BackupDeps {
	db: Database;
	dir: string;
	kind: 'manual' | 'scheduled';
	clock: () => Date;
	/** Where `BACKUP_FORMAT`, `PG_BIN_DIR` and `PATH` are read; `process.env` by default. */
	env?: NodeJS.ProcessEnv;
	/** drizzle's folder (migration tags in a built-in backup's header); `MIGRATIONS_DIR` by default. */
	migrationsDir?: string;
}

/**
 * Backs up the app's schemas into a new file in `dir`, in the format `BACKUP_FORMAT` and the
 * tools found decide (backup-format.ts).
 * @throws JobError when no format is possible (pg_dump forced but missing), when pg_dump fails
 *   (its output goes to the log) or when the new file does not read back.
 */
export async function createBackup(
	deps: BackupDeps & { ctx?: Pick<JobContext, 'progress' | 'log'> }
): Promise<BackupResult> {
	const { db, dir } = deps;
	const choice = await chooseBackupFormat(db, deps.env ?? process.env);
	if (!choice.format) throw new JobError(choice.problem ?? 'No backup format is available.');
	await mkdir(dir, { recursive: true, mode: 0o700 });
	await chmod(dir, 0o700).catch(() => undefined);
	const name = await uniqueName(dir, deps.kind, deps.clock());
	const partial = path.join(dir, `.${name}.partial`);
	try {
		const tables =
			choice.format === 'builtin'
				? await builtinBackup(deps, partial, name)
				: await pgDumpBackup(deps, choice.tools!, partial);
		await chmod(partial, 0o600);
		const file = path.join(dir, name);
		await rename(partial, file);
		const info = await lstat(file);
		return { name, format: choice.format, sizeBytes: info.size, tables };
	} finally {
		await rm(partial, { force: true });
	}
}

/** Writes a built-in backup to `partial` and reads it back. @returns the number of tables. */
async function builtinBackup(
	deps: BackupDeps & { ctx?: Pick<JobContext, 'progress' | 'log'> },
	partial: string,
	name: string
): Promise<number> {
	const { ctx } = deps;
	ctx?.progress(0, "Backing up (Comradarr's built-in format)");
	const written = await writeBuiltinBackup({
		db: deps.db,
		file: partial,
		clock: deps.clock,
		migrationsDir: deps.migrationsDir ?? readConfig(deps.env ?? process.env).migrationsDir,
		...(ctx ? { ctx } : {})
	});
	ctx?.progress(0.92, 'Checking the backup file');
	try {
		for await (const event of readBuiltinBackup(partial, { name, checkRows: true })) {
			void event;
		}
	} catch (error) {
		ctx?.log.warn({ err: String(error) }, 'the new built-in backup does not read back');
		throw new JobError('The new backup could not be read back; it was deleted.', {
			cause: error
		});
	}
	return written.tables;
}

/** Dumps with pg_dump to `partial` and lists it with pg_restore. @returns the number of tables. */
async function pgDumpBackup(
	deps: BackupDeps & { ctx?: Pick<JobContext, 'progress' | 'log'> },
	tools: PgTools,
	partial: string
): Promise<number> {
	const { db, ctx } = deps;
	const [count] = (await db.$client`
		select count(*)::int as n from pg_tables where schemaname in ('public', 'drizzle')`) as {
		n: number;
	}[];
	const tables = Math.max(1, Number(count?.n ?? 1));
	const env = pgEnv(connectionOf(db));
	let dumped = 0;
	ctx?.progress(0, `Dumping the database (0 of ${tables} tables)`);
	const run = await runTool(
		[
			tools.pgDump,
			'--format=custom',
			'--verbose',
			'--no-password',
			'--schema=public',
			'--schema=drizzle',
			`--file=${partial}`
		],
		{
			env,
			onLine: (line) => {
				// pg_dump: dumping contents of table "public.episodes"
				const match = /dumping contents of table "?([^"]+)"?/.exec(line);
				if (!match) return;
				dumped++;
				const table = match[1]?.split('.').pop() ?? '';
				ctx?.progress((0.9 * dumped) / tables, `Dumping ${table} (${dumped} of ${tables} tables)`);
			}
		}
	);
	if (run.exitCode !== 0) {
		ctx?.log.warn({ exitCode: run.exitCode, stderr: run.stderrTail.slice(-5) }, 'pg_dump failed');
		throw new JobError(
			`pg_dump ${tools.version} failed (exit code ${run.exitCode}); the server log has its output.`
		);
	}
	ctx?.progress(0.95, 'Checking the backup file');
	const check = await runToolText([tools.pgRestore, '--list', partial], { env });
	if (check.exitCode !== 0) {
		ctx?.log.warn({ stderr: check.stderrTail.slice(-5) }, 'pg_restore cannot read the new backup');
		throw new JobError('The new backup could not be read back by pg_restore; it was deleted.');
	}
	return tables;
}

/** A manual or scheduled backup as a job (`db.backup`); scheduled ones then apply retention. */
export function backupJob(deps: BackupDeps) {
	return async (ctx: JobContext): Promise<JobOutcome> => {
		const backup = await createBackup({ ...deps, ctx });
		let removed: string[] = [];
		if (deps.kind === 'scheduled') {
			const { backup: settings } = await getSettings(deps.db);
			removed = await applyRetention(deps.dir, settings.retention);
		}
		const size = formatSize(backup.sizeBytes);
		return {
			message:
				`Saved ${backup.name} (${size}, ${backup.format === 'builtin' ? 'built-in format' : 'pg_dump'}).` +
				(removed.length > 0 ? ` Removed ${removed.length} older scheduled backups.` : ''),
			result: {
				name: backup.name,
				format: backup.format,
				sizeBytes: backup.sizeBytes,
				removed
			}
		};
	};
}

function formatSize(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Why a backup schedule is unusable, or null when croner accepts it. 5 fields (minute hour day
 * month weekday), or 6 with seconds.
 */
export function scheduleProblem(pattern: string, timeZone: string): string | null {
	const fields = pattern.trim().split(/\s+/).length;
	if (fields < 5 || fields > 6) {
		return 'Use 5 fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * *).';
	}
	try {
		const cron = new Cron(pattern, { paused: true, timezone: timeZone });
		const next = cron.nextRun();
		cron.stop();
		return next ? null : 'This schedule never runs.';
	} catch (error) {
		return `Not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`;
	}
}

/** The next `count` times a schedule fires after `from` (empty when it is invalid). */
export function nextRuns(
	pattern: string,
	timeZone: string,
	count: number,
	from: Date = new Date()
): Date[] {
	try {
		const cron = new Cron(pattern, { paused: true, timezone: timeZone });
		const runs = cron.nextRuns(count, from);
		cron.stop();
		return runs;
	} catch {
		return [];
	}
}

export type ScheduledBackupOutcome =
	'disabled' | 'not_due' | 'invalid_schedule' | 'busy' | 'success' | 'failed';

/** How far back a tick looks for a due time it has not served (ms): two scheduler ticks. */
const DUE_WINDOW_MS = 2 * 60_000;

/**
 * One scheduler tick (every minute): makes a scheduled backup when the cron of the `backup`
 * settings has fired since the last scheduled run (looking back at most two minutes, so a backup
 * missed while the app was down is not made up at start-up), then applies retention.
 */
export async function scheduledBackupTick(deps: {
	db: Database;
	dir: string;
	clock: () => Date;
	env?: NodeJS.ProcessEnv;
	migrationsDir?: string;
}): Promise<ScheduledBackupOutcome> {
	const { db } = deps;
	const now = deps.clock();
	const settings = await getSettings(db, now.getTime());
	if (!settings.backup.enabled) return 'disabled';
	const zone = settings.general.timeZone;
	if (scheduleProblem(settings.backup.schedule, zone)) return 'invalid_schedule';
	const [last] = await db
		.select({ createdAt: jobRuns.createdAt })
		.from(jobRuns)
		.where(and(eq(jobRuns.job, 'db.backup'), eq(jobRuns.trigger, 'schedule')))
		.orderBy(desc(jobRuns.createdAt))
		.limit(1);
	const since = new Date(Math.max(last?.createdAt.getTime() ?? 0, now.getTime() - DUE_WINDOW_MS));
	const [due] = nextRuns(settings.backup.schedule, zone, 1, since);
	if (!due || due > now) return 'not_due';
	try {
		const started = await startJob({
			db,
			job: 'db.backup',
			trigger: 'schedule',
			clock: deps.clock,
			run: backupJob({ ...deps, kind: 'scheduled' })
		});
		const finished = await started.done;
		return finished.status === 'success' ? 'success' : 'failed';
	} catch (error) {
		if (
			error instanceof JobConflictError ||
			error instanceof MaintenanceError ||
			// The process is stopping: the next start's check takes the backup.
			error instanceof ShuttingDownError
		) {
			return 'busy';
		}
		throw error;
	}
}
