/**
 * Backups and restores against the real PostgreSQL: files in the backups folder in the format
 * `BACKUP_FORMAT=auto` picks here, safe names, scheduled backups with retention, restore uploads,
 * crash recovery; and the pg_dump format with the real pg_dump / pg_restore wherever they fit the
 * server (CI's PostgreSQL 15): a restore that reproduces the library, settings and search state in
 * a fresh database, brings an older backup up to date, and refuses what is not our dump without
 * touching the data. Where no pg_dump fits (the embedded PostgreSQL 18), the tests of that case
 * run instead: a pg_dump file is refused with what to install. The built-in format has its own
 * file (backup-builtin.test.ts).
 */
import {
	copyFileSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL } from 'bun';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { titleSearchReady } from '../helpers/db';
import {
	databaseState,
	dropExtraDatabases,
	migrationsFolder,
	newDatabase
} from '../helpers/databases';
import type { Database } from '../../src/lib/server/db';
import { PARKED_DRIZZLE, PARKED_PUBLIC } from '../../src/lib/server/db/restore-recovery';
import { connectors, jobRuns } from '../../src/lib/server/db/schema';
import { cycleOne, sweepOne, syncOne } from '../../src/lib/server/services/operations';
import {
	applyRetention,
	backupJob,
	backupsDir,
	createBackup,
	listBackups,
	resolveBackup,
	scheduledBackupTick,
	BackupNotFoundError
} from '../../src/lib/server/services/database/backup';
import { restoreJob } from '../../src/lib/server/services/database/restore';
import {
	MAX_UPLOAD_BYTES,
	UPLOAD_CHUNK_BYTES,
	appendChunk,
	completedUploadPath,
	createUpload,
	getUpload,
	uploadsDir
} from '../../src/lib/server/services/database/uploads';
import {
	connectionOf,
	pgEnv,
	findPgTools,
	serverVersion
} from '../../src/lib/server/services/database/pg-tools';
import { startJob } from '../../src/lib/server/services/jobs';
import type { JobRunView } from '../../src/lib/types/jobs';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';

/** Whether pg_dump / pg_restore at least as new as the test server are found on this machine. */
async function pgDumpFits(): Promise<boolean> {
	const client = new SQL(inject('databaseUrl'), { max: 1 });
	try {
		const [row] = (await client`select current_setting('server_version_num')::int as n`) as {
			n: number;
		}[];
		return findPgTools(Math.floor(row!.n / 10_000)).tools !== null;
	} finally {
		await client.close();
	}
}
const PG_DUMP_FITS = await pgDumpFits();
const PG_DUMP = { ...process.env, BACKUP_FORMAT: 'pg_dump' };

const world = useWorld();
const MIGRATIONS = path.resolve('drizzle');
let dataDir: string;
let dir: string;

beforeAll(() => {
	dataDir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-backup-test-'));
	dir = backupsDir(dataDir);
});
beforeEach(() => {
	rmSync(dir, { recursive: true, force: true });
	invalidateSettingsCache();
});
afterAll(async () => {
	await dropExtraDatabases();
	rmSync(dataDir, { recursive: true, force: true });
});

const clock = () => new Date();

async function backUp(
	db: Database,
	kind: 'manual' | 'scheduled' = 'manual',
	env: NodeJS.ProcessEnv = process.env
): Promise<string> {
	const started = await startJob({
		db,
		job: 'db.backup',
		run: backupJob({ db, dir, kind, clock, env })
	});
	const done = await started.done;
	expect(done.error).toBeNull();
	expect(done.status).toBe('success');
	return path.join(dir, String(done.result?.name));
}

/** A pg_dump backup of a database that has no job_runs table (older or foreign): without the runner. */
async function dumpWithoutRunner(db: Database): Promise<string> {
	const made = await createBackup({ db, dir, kind: 'manual', clock, env: PG_DUMP });
	return path.join(dir, made.name);
}

async function restore(
	db: Database,
	file: string,
	name = path.basename(file)
): Promise<JobRunView> {
	const started = await startJob({
		db,
		job: 'db.restore',
		exclusive: true,
		run: restoreJob({ db, file, name, migrationsDir: MIGRATIONS })
	});
	return started.done;
}

const snapshot = databaseState;

async function parked(db: Database): Promise<boolean> {
	const rows =
		(await db.$client`select 1 from pg_namespace where nspname = ${PARKED_PUBLIC}`) as unknown[];
	return rows.length > 0;
}

/** A library with synced content, queued and sent searches, and changed settings. */
async function buildState(db: Database): Promise<void> {
	const deps = { db, secrets: world.secrets };
	const sonarr = await world.addConnector('/sonarr', 'Sonarr TV');
	const radarr = await world.addConnector('/radarr', 'Radarr Movies');
	for (const connector of [sonarr, radarr]) {
		await syncOne(deps, await world.connector(connector.id));
		await sweepOne(deps, await world.connector(connector.id), 'both');
		await cycleOne(deps, await world.connector(connector.id));
	}
	await updateSettings(db, 'general', {
		displayName: 'Backed up',
		timeZone: 'Europe/Berlin',
		logLevel: 'debug'
	});
	await updateSettings(db, 'backup', { enabled: true, schedule: '15 4 * * 1', retention: 3 });
	await db.$client`insert into users (username, password_hash) values ('owner', 'argon2-hash')`;
}

describe('backup', () => {
	it('finds pg_dump and pg_restore only when at least as new as the server, else says what to install', async () => {
		const server = await serverVersion(world.db);
		const found = findPgTools(server.major);
		if (found.tools) {
			expect(found.problem).toBeNull();
			expect(found.tools.major).toBeGreaterThanOrEqual(server.major);
		} else {
			expect(found.problem).toMatch(new RegExp(`postgresql-client-${server.major}`));
		}
		const none = findPgTools(999, { PATH: '' });
		expect(none.tools).toBeNull();
		expect(none.problem).toMatch(/PostgreSQL 999 client tools/);
	});

	it('writes the format auto picks here to the backups folder, listed with its size, date and format', async () => {
		const file = await backUp(world.db);
		expect(path.dirname(file)).toBe(dir);
		const format = PG_DUMP_FITS ? 'pg_dump' : 'builtin';
		const head = readFileSync(file).subarray(0, 5);
		if (format === 'pg_dump') expect(head.toString()).toBe('PGDMP');
		else expect([...head.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
		const list = await listBackups(dir);
		expect(list).toHaveLength(1);
		expect(list[0]).toMatchObject({ name: path.basename(file), kind: 'manual', format });
		expect(list[0]!.sizeBytes).toBe(readFileSync(file).length);
		expect(Date.now() - new Date(list[0]!.createdAt).getTime()).toBeLessThan(60_000);
		expect(list[0]!.name).toMatch(/^comradarr-\d{8}-\d{6}-manual\.dump$/);
		// No partial file is left behind, and the file is private.
		expect((await import('node:fs')).readdirSync(dir)).toEqual([list[0]!.name]);
		expect((await import('node:fs')).statSync(file).mode & 0o077).toBe(0);
	});

	it('never passes the password on the command line (it goes in PGPASSWORD)', () => {
		const env = pgEnv({ ...connectionOf(world.db), password: 's3cret' });
		expect(env.PGPASSWORD).toBe('s3cret');
		expect(Object.keys(env)).not.toContain('DATABASE_URL');
	});

	it('refuses names that leave the folder, hidden files and links', async () => {
		const file = await backUp(world.db);
		writeFileSync(path.join(dataDir, 'secret.key'), 'do not serve');
		writeFileSync(path.join(dataDir, 'outside.dump'), 'PGDMP not in the backups folder');
		symlinkSync(path.join(dataDir, 'secret.key'), path.join(dir, 'link.dump'));
		copyFileSync(file, path.join(dir, '.hidden.dump'));
		for (const name of [
			'../secret.key',
			'..',
			'../backups/x.dump',
			'a/b.dump',
			'.hidden.dump',
			'link.dump',
			'%2e%2e%2fsecret.key',
			'x/../../outside.dump',
			'backups/../../outside.dump',
			'x.txt',
			''
		]) {
			await expect(resolveBackup(dir, name), name).rejects.toBeInstanceOf(BackupNotFoundError);
		}
		expect((await listBackups(dir)).map((b) => b.name)).toEqual([path.basename(file)]);
		await expect(resolveBackup(dir, path.basename(file))).resolves.toBe(file);
	});
});

describe('scheduled backups', () => {
	it('are made when the schedule is due and keep only the newest N scheduled ones, never manual ones', async () => {
		await updateSettings(world.db, 'general', {
			displayName: 'C',
			timeZone: 'UTC',
			logLevel: 'info'
		});
		await updateSettings(world.db, 'backup', {
			enabled: true,
			schedule: '*/10 * * * *',
			retention: 2
		});
		const manual = await backUp(world.db);
		let now = new Date('2030-01-01T00:00:10Z');
		const tick = () => scheduledBackupTick({ db: world.db, dir, clock: () => now });
		expect(await tick()).toBe('success');
		expect(await tick()).toBe('not_due');
		for (const minute of [10, 20, 30]) {
			now = new Date(`2030-01-01T00:${minute}:05Z`);
			expect(await tick()).toBe('success');
		}
		const list = await listBackups(dir);
		expect(
			list
				.filter((b) => b.kind === 'scheduled')
				.map((b) => b.name)
				.sort()
		).toEqual([
			'comradarr-20300101-002005-scheduled.dump',
			'comradarr-20300101-003005-scheduled.dump'
		]);
		expect(list.map((b) => b.name)).toContain(path.basename(manual));
		const runs = await world.db.select().from(jobRuns).where(eq(jobRuns.trigger, 'schedule'));
		expect(runs).toHaveLength(4);
		expect(runs.every((r) => r.status === 'success')).toBe(true);
	});

	it('are not made when disabled or between due times', async () => {
		await updateSettings(world.db, 'backup', {
			enabled: false,
			schedule: '* * * * *',
			retention: 2
		});
		expect(await scheduledBackupTick({ db: world.db, dir, clock })).toBe('disabled');
		await updateSettings(world.db, 'backup', {
			enabled: true,
			schedule: '0 3 * * *',
			retention: 2
		});
		const at = new Date('2030-01-01T12:00:00Z');
		expect(await scheduledBackupTick({ db: world.db, dir, clock: () => at })).toBe('not_due');
		expect(await listBackups(dir)).toEqual([]);
	});

	it('retention ignores manual and foreign files and counts by the time in the name', async () => {
		mkdirSync(dir, { recursive: true });
		for (const name of [
			'comradarr-20300101-000000-scheduled.dump',
			'comradarr-20300102-000000-scheduled.dump',
			'comradarr-20300103-000000-scheduled.dump',
			'comradarr-20290101-000000-manual.dump',
			'my-copy.dump'
		]) {
			writeFileSync(path.join(dir, name), 'PGDMP');
		}
		expect(await applyRetention(dir, 1)).toEqual([
			'comradarr-20300102-000000-scheduled.dump',
			'comradarr-20300101-000000-scheduled.dump'
		]);
		expect((await listBackups(dir)).map((b) => b.name).sort()).toEqual([
			'comradarr-20290101-000000-manual.dump',
			'comradarr-20300103-000000-scheduled.dump',
			'my-copy.dump'
		]);
	});
});

describe('restore uploads', () => {
	it('take a file in ordered chunks below the body limit, checking the first bytes and the size', async () => {
		const uploads = uploadsDir(dataDir);
		const file = await backUp(world.db);
		const bytes = new Uint8Array(readFileSync(file));
		const upload = await createUpload(uploads, {
			name: '../../evil/name.dump',
			size: bytes.length
		});
		expect(upload.name).toBe('name.dump');
		expect(upload.chunkSize).toBeLessThan(512 * 1024);
		await expect(appendChunk(uploads, upload.id, 10, bytes.subarray(0, 10))).rejects.toMatchObject({
			status: 409,
			expectedOffset: 0
		});
		await expect(
			appendChunk(uploads, upload.id, 0, new Uint8Array(UPLOAD_CHUNK_BYTES + 1))
		).rejects.toMatchObject({ status: 413 });
		let offset = 0;
		while (offset < bytes.length) {
			const next = bytes.subarray(offset, offset + 1000);
			offset = (await appendChunk(uploads, upload.id, offset, next)).received;
		}
		await expect(
			appendChunk(uploads, upload.id, offset, new Uint8Array([1]))
		).rejects.toMatchObject({
			status: 413
		});
		const done = await completedUploadPath(uploads, upload.id);
		expect(readFileSync(done.path)).toEqual(readFileSync(file));

		const text = await createUpload(uploads, { name: 'notes.txt', size: 5 });
		await expect(
			appendChunk(uploads, text.id, 0, new TextEncoder().encode('hello'))
		).rejects.toMatchObject({
			status: 400,
			code: 'uploads.not_a_dump'
		});
		const partial = await createUpload(uploads, { name: 'half.dump', size: 100 });
		await appendChunk(uploads, partial.id, 0, bytes.subarray(0, 50));
		await expect(completedUploadPath(uploads, partial.id)).rejects.toMatchObject({ status: 409 });
		for (const id of ['../secret', 'x', `${upload.id}/../x`]) {
			await expect(getUpload(uploads, id)).rejects.toMatchObject({ status: 404 });
		}
		await expect(
			createUpload(uploads, { name: 'big.dump', size: MAX_UPLOAD_BYTES + 1 })
		).rejects.toMatchObject({
			status: 413
		});
	});
});

describe('restore (either format)', () => {
	it('is undone at the next start when a crash cut it short (the parked data comes back)', async () => {
		const crashed = await newDatabase('crash');
		await crashed.db
			.$client`insert into app_settings (key, value) values ('general', ${'{"displayName":"Before the crash","timeZone":"UTC","logLevel":"info"}'}::text::jsonb)`;
		// What a restore leaves when the process dies while pg_restore runs.
		await crashed.db.$client.begin((tx) =>
			tx.unsafe(`alter schema public rename to ${PARKED_PUBLIC};
				alter schema drizzle rename to ${PARKED_DRIZZLE};
				create schema public; create table public.half_restored (x int);`)
		);
		await crashed.db.$client.close();
		const { openDatabase } = await import('../../src/lib/server/db');
		const restarted = await openDatabase(crashed.url, { migrationsDir: MIGRATIONS, max: 2 });
		try {
			const rows =
				(await restarted.$client`select value->>'displayName' as name from app_settings`) as {
					name: string;
				}[];
			expect(rows.map((r) => r.name)).toEqual(['Before the crash']);
			expect(await parked(restarted)).toBe(false);
			expect(
				await restarted.$client`select 1 from pg_tables where tablename = 'half_restored'`
			).toHaveLength(0);
		} finally {
			await restarted.$client.close();
		}
	});

	describe('refuses a file in neither format and leaves the data untouched', () => {
		let target: Database;
		let before: Record<string, unknown[]>;

		beforeEach(async () => {
			await buildState(world.db);
			target = world.db;
			before = await snapshot(target);
		});

		async function expectRefused(file: string, reason: RegExp): Promise<void> {
			const done = await restore(target, file);
			expect(done.status).toBe('failed');
			expect(done.error).toMatch(reason);
			expect(done.error).not.toContain(dataDir);
			expect(await snapshot(target)).toEqual(before);
			expect(await parked(target)).toBe(false);
		}

		it('a file that is not a dump', async () => {
			const file = path.join(dataDir, 'notes.dump');
			writeFileSync(file, 'hello, this is not a database');
			await expectRefused(
				file,
				/is not a Comradarr backup: it is neither a PostgreSQL custom-format dump .* nor a backup in Comradarr's built-in format/
			);
		});
	});
});

if (PG_DUMP_FITS) {
	describe('restore of a pg_dump archive', () => {
		it('reproduces the library, settings and search state in a fresh database', async () => {
			await buildState(world.db);
			const before = await snapshot(world.db);
			expect(before.episodes!.length).toBeGreaterThan(50);
			expect(before.movies!.length).toBeGreaterThan(50);
			expect(before.search_registry!.length).toBeGreaterThan(0);
			expect(before.search_history!.length + before.request_queue!.length).toBeGreaterThan(0);
			const file = await backUp(world.db, 'manual', PG_DUMP);

			const fresh = await newDatabase('restore');
			const [history] = await fresh.db
				.insert(jobRuns)
				.values({ job: 'db.vacuum', status: 'success', finishedAt: new Date() })
				.returning();
			const done = await restore(fresh.db, file);
			expect(done.error).toBeNull();
			expect(done.status).toBe('success');
			expect(done.message).toMatch(/\(pg_dump, \d+ tables\)/);
			expect(await snapshot(fresh.db)).toEqual(before);
			invalidateSettingsCache();
			expect((await getSettings(fresh.db)).general.displayName).toBe('Backed up');
			expect(await parked(fresh.db)).toBe(false);
			// This instance's job history is kept, with the restore's own run under its id.
			const runs = await fresh.db.select().from(jobRuns).orderBy(jobRuns.id);
			expect(runs.map((r) => [r.id, r.job, r.status])).toEqual([
				[history!.id, 'db.vacuum', 'success'],
				[done.id, 'db.restore', 'success']
			]);
			// The restored connectors work with the same SECRET_KEY.
			const [sonarr] = await fresh.db
				.select()
				.from(connectors)
				.where(eq(connectors.name, 'Sonarr TV'));
			expect(world.secrets.decrypt(sonarr!.apiKeyEncrypted)).toBe(
				world.sim.instance('/sonarr').options.apiKey
			);
		});

		it('restores into the running app and clears the settings cache', async () => {
			await buildState(world.db);
			const before = await snapshot(world.db);
			const file = await backUp(world.db, 'manual', PG_DUMP);
			await world.db.delete(connectors).where(eq(connectors.name, 'Radarr Movies'));
			await updateSettings(world.db, 'general', {
				displayName: 'Changed later',
				timeZone: 'UTC',
				logLevel: 'info'
			});
			expect((await getSettings(world.db)).general.displayName).toBe('Changed later');

			const done = await restore(world.db, file);
			expect(done.status).toBe('success');
			expect((await getSettings(world.db)).general.displayName).toBe('Backed up');
			expect(await snapshot(world.db)).toEqual(before);
			expect(await titleSearchReady(world.db)).toBe(true);
		});

		it('brings a backup of an older version up to date with the pending migrations', async () => {
			const { dir: migrations } = migrationsFolder({ keep: 1 });
			const journal = JSON.parse(
				readFileSync(path.join(MIGRATIONS, 'meta/_journal.json'), 'utf8')
			) as { entries: unknown[] };
			const old = await newDatabase('old', false);
			const { applyMigrations } = await import('../../src/lib/server/db');
			await applyMigrations(old.db.$client, migrations);
			await old.db
				.$client`insert into app_settings (key, value) values ('general', ${'{"displayName":"Old one","timeZone":"UTC","logLevel":"warn"}'}::jsonb)`;
			expect(
				await old.db.$client`select 1 from pg_tables where tablename = 'job_runs'`
			).toHaveLength(0);
			const file = await dumpWithoutRunner(old.db);

			const target = await newDatabase('upgrade');
			const done = await restore(target.db, file);
			expect(done.error).toBeNull();
			expect(done.message).toMatch(
				new RegExp(`${journal.entries.length - 1} newer migrations were applied`)
			);
			const applied = (await target.db
				.$client`select count(*)::int as n from drizzle.__drizzle_migrations`) as { n: number }[];
			expect(applied[0]!.n).toBe(journal.entries.length);
			invalidateSettingsCache();
			expect((await getSettings(target.db)).general.displayName).toBe('Old one');
			expect((await target.db.select().from(jobRuns)).map((r) => r.job)).toEqual(['db.restore']);
		});

		describe('refuses what is not our dump and leaves the data untouched', () => {
			let target: Database;
			let before: Record<string, unknown[]>;
			let good: string;

			beforeEach(async () => {
				await buildState(world.db);
				good = await backUp(world.db, 'manual', PG_DUMP);
				target = world.db;
				before = await snapshot(target);
			});

			async function expectRefused(file: string, reason: RegExp): Promise<void> {
				const done = await restore(target, file);
				expect(done.status).toBe('failed');
				expect(done.error).toMatch(reason);
				expect(done.error).not.toContain(dataDir);
				expect(await snapshot(target)).toEqual(before);
				expect(await parked(target)).toBe(false);
			}

			it('a truncated dump (cut in its table of contents, or in its data)', async () => {
				const bytes = readFileSync(good);
				for (const keep of [0.3, 0.97]) {
					const file = path.join(dataDir, `truncated-${keep}.dump`);
					writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * keep)));
					await expectRefused(file, /is damaged or incomplete \(was it truncated\?\)/);
				}
			});

			it('a dump of another database', async () => {
				const other = await newDatabase('other', false);
				await other.db.$client.unsafe(
					`create table invoices (id int primary key, total numeric); insert into invoices values (1, 9.5)`
				);
				const file = await dumpWithoutRunner(other.db);
				await expectRefused(
					file,
					/is not a Comradarr backup: it lacks the tables users, sessions, connectors.*drizzle's migrations table/
				);
			});

			it('a dump made by a newer Comradarr', async () => {
				const newer = await newDatabase('newer');
				await newer.db
					.$client`insert into drizzle.__drizzle_migrations (hash, created_at) values ('f00d', 4102444800000)`;
				const file = await backUp(newer.db, 'manual', PG_DUMP);
				await expectRefused(file, /made by a newer Comradarr .*2100-01-01.*Update Comradarr/);
			});

			it('a dump that fails halfway through pg_restore (the previous data is put back)', async () => {
				const broken = await newDatabase('broken');
				await broken.db.$client.unsafe(`create extension if not exists citext with schema public`);
				await broken.db.$client.unsafe(
					`create table public.zz_extra (x public.citext); insert into public.zz_extra values ('a')`
				);
				const file = await backUp(broken.db, 'manual', PG_DUMP);
				await broken.db.$client.unsafe(`drop table public.zz_extra; drop extension citext`);
				// The target lacks citext, so the restore fails after the schemas were swapped.
				await expectRefused(file, /pg_restore could not restore .*nothing was changed/);
			});
		});
	});
} else {
	describe('pg_dump archives where no pg_dump fits the server', () => {
		it('are refused with the pg_restore version to install, and the data is untouched', async () => {
			await buildState(world.db);
			const before = await snapshot(world.db);
			const file = path.join(dataDir, 'from-elsewhere.dump');
			writeFileSync(file, 'PGDMP\x01\x0f\x00 an archive this machine cannot read');
			const done = await restore(world.db, file);
			const server = await serverVersion(world.db);
			expect(done.status).toBe('failed');
			expect(done.error).toMatch(
				new RegExp(`is a pg_dump archive: restoring it needs pg_restore ${server.major} or newer`)
			);
			expect(await snapshot(world.db)).toEqual(before);
			expect(await parked(world.db)).toBe(false);
		});

		it('BACKUP_FORMAT=pg_dump refuses to back up, saying what to install, and writes no file', async () => {
			const started = await startJob({
				db: world.db,
				job: 'db.backup',
				run: backupJob({ db: world.db, dir, kind: 'manual', clock, env: PG_DUMP })
			});
			const done = await started.done;
			expect(done.status).toBe('failed');
			expect(done.error).toMatch(/client tools.*unset BACKUP_FORMAT/);
			expect(await listBackups(dir)).toEqual([]);
		});
	});
}
