/**
 * Comradarr's built-in backup format against the real PostgreSQL, with no pg_dump involved: the
 * choice of format, the file itself (gzip of JSON lines with a checksum per table, parents before
 * children, no secret in clear), exact round trips of every column type, restores into a fresh
 * database and into the running app, older backups brought up to date, and every refusal
 * (truncated, flipped byte, edited content, newer migration level or format, another app's file,
 * a gzip of garbage) leaving the data untouched.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world';
import { titleSearchReady } from '../helpers/db';
import {
	databaseState,
	dropExtraDatabases,
	migrationsFolder,
	newDatabase,
	schemaShape,
	sequenceState
} from '../helpers/databases';
import type { Database } from '../../src/lib/server/db';
import { PARKED_PUBLIC } from '../../src/lib/server/db/restore-recovery';
import { connectors, jobRuns, users } from '../../src/lib/server/db/schema';
import { createSession } from '../../src/lib/server/auth';
import { createApiKey } from '../../src/lib/server/auth/api-keys';
import { cycleOne, sweepOne, syncOne } from '../../src/lib/server/services/operations';
import {
	applyRetention,
	backupJob,
	backupsDir,
	createBackup,
	listBackups,
	scheduledBackupTick
} from '../../src/lib/server/services/database/backup';
import {
	chooseBackupFormat,
	decideBackupFormat,
	sniffBackupFormat
} from '../../src/lib/server/services/database/backup-format';
import { restoreJob } from '../../src/lib/server/services/database/restore';
import { databaseStatus } from '../../src/lib/server/services/database/status';
import { writeBuiltinBackup } from '../../src/lib/server/services/database/builtin-export';
import {
	appendChunk,
	createUpload,
	uploadsDir
} from '../../src/lib/server/services/database/uploads';
import {
	findPgTools,
	serverVersion,
	type PgTools
} from '../../src/lib/server/services/database/pg-tools';
import { startJob } from '../../src/lib/server/services/jobs';
import type { JobRunView } from '../../src/lib/types/jobs';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';

const world = useWorld();
const MIGRATIONS = path.resolve('drizzle');
const BUILTIN = { ...process.env, BACKUP_FORMAT: 'builtin' };
let dataDir: string;
let dir: string;

beforeAll(() => {
	dataDir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-builtin-test-'));
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
	options: { kind?: 'manual' | 'scheduled'; migrationsDir?: string } = {}
): Promise<string> {
	const started = await startJob({
		db,
		job: 'db.backup',
		run: backupJob({
			db,
			dir,
			kind: options.kind ?? 'manual',
			clock,
			env: BUILTIN,
			migrationsDir: options.migrationsDir ?? MIGRATIONS
		})
	});
	const done = await started.done;
	expect(done.error).toBeNull();
	expect(done.result).toMatchObject({ format: 'builtin' });
	return path.join(dir, String(done.result?.name));
}

async function restore(
	db: Database,
	file: string,
	migrationsDir = MIGRATIONS
): Promise<JobRunView> {
	const started = await startJob({
		db,
		job: 'db.restore',
		exclusive: true,
		run: restoreJob({ db, file, name: path.basename(file), migrationsDir })
	});
	return started.done;
}

/** The file's lines, parsed. */
function lines(file: string): unknown[] {
	return gunzipSync(readFileSync(file))
		.toString('utf8')
		.split('\n')
		.filter((l) => l !== '')
		.map((l) => JSON.parse(l) as unknown);
}

interface Header {
	format: string;
	version: number;
	migrations: { tag: string | null; hash: string; createdAt: number }[];
	tables: {
		schema: string;
		name: string;
		rows: number;
		columns: { name: string; type: string }[];
	}[];
	sequences: { schema: string; name: string; lastValue: string | null }[];
	excluded: string[];
}
type Row = Record<string, string | null>;

/**
 * Rewrites a built-in backup as an editor who knows the format would: `header` and `row` edit
 * the content, and the checksums are computed again (so only the restore's own checks can
 * refuse it).
 */
function rewrite(
	file: string,
	edit: { header?: (h: Header) => void; row?: (table: string, row: Row) => boolean | void }
): string {
	const all = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
	const header = JSON.parse(all[0]!) as Header;
	const out: string[] = [];
	let at = 1;
	const tables = header.tables.map((table) => {
		const key = `${table.schema}.${table.name}`;
		const rows: string[] = [];
		for (let i = 0; i < table.rows; i++) {
			const row = JSON.parse(all[at++]!) as Row;
			// `false` drops the row.
			if (edit.row?.(key, row) !== false) rows.push(JSON.stringify(row));
		}
		at++; // the old trailer
		table.rows = rows.length;
		return { key, rows };
	});
	edit.header?.(header);
	out.push(JSON.stringify(header));
	const kept = new Set(header.tables.map((t) => `${t.schema}.${t.name}`));
	for (const table of tables.filter((t) => kept.has(t.key))) {
		const sha = createHash('sha256');
		for (const row of table.rows) sha.update(`${row}\n`);
		out.push(...table.rows);
		out.push(
			JSON.stringify({ table: table.key, rows: table.rows.length, sha256: sha.digest('hex') })
		);
	}
	const whole = createHash('sha256').update(out.map((l) => `${l}\n`).join(''));
	out.push(
		JSON.stringify({ end: 'comradarr-backup', tables: kept.size, sha256: whole.digest('hex') })
	);
	const target = path.join(dataDir, `edited-${randomBytes(4).toString('hex')}.dump`);
	writeFileSync(target, gzipSync(`${out.join('\n')}\n`));
	return target;
}

async function parked(db: Database): Promise<boolean> {
	const rows =
		(await db.$client`select 1 from pg_namespace where nspname = ${PARKED_PUBLIC}`) as unknown[];
	return rows.length > 0;
}

/** A library with synced content, queued and sent searches, accounts and changed settings. */
async function buildState(db: Database): Promise<{ sessionToken: string; apiKey: string }> {
	const deps = { db, secrets: world.secrets };
	const sonarr = await world.addConnector('/sonarr', 'Sonarr TV');
	const radarr = await world.addConnector('/radarr', 'Radarr Movies');
	for (const connector of [sonarr, radarr]) {
		await syncOne(deps, await world.connector(connector.id));
		await sweepOne(deps, await world.connector(connector.id), 'both');
		await cycleOne(deps, await world.connector(connector.id));
	}
	await updateSettings(db, 'general', {
		displayName: 'Backed up "in" \\ Zürich 🎬',
		timeZone: 'Europe/Berlin',
		logLevel: 'debug'
	});
	await updateSettings(db, 'backup', { enabled: true, schedule: '15 4 * * 1', retention: 3 });
	const [owner] = await db
		.insert(users)
		.values({ username: 'owner', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def' })
		.returning();
	const session = await createSession(db, owner!.id, { address: '10.0.0.5', userAgent: 'test' });
	const key = await createApiKey(db, { userId: owner!.id, name: 'scripts', readOnly: true });
	// Ids with gaps: deleted rows must not have their ids handed out again after a restore.
	await db.$client`delete from search_history where id = (select max(id) from search_history)`;
	return { sessionToken: session.token, apiKey: key.key };
}

describe('choosing the format', () => {
	const tools: PgTools = {
		dir: '/usr/lib/postgresql/18/bin',
		pgDump: '/usr/lib/postgresql/18/bin/pg_dump',
		pgRestore: '/usr/lib/postgresql/18/bin/pg_restore',
		version: '18.4',
		major: 18,
		source: 'system'
	};
	const none = { tools: null, problem: 'Backups need PostgreSQL 18 client tools' };

	it('auto uses pg_dump when a fitting pair is found, else the built-in format, and says why', () => {
		expect(decideBackupFormat({}, 18, { tools, problem: null })).toMatchObject({
			setting: 'auto',
			format: 'pg_dump'
		});
		const fallback = decideBackupFormat({}, 18, none);
		expect(fallback).toMatchObject({ setting: 'auto', format: 'builtin', problem: null });
		expect(fallback.reason).toBe("pg_dump 18 not found: using Comradarr's built-in format.");
		expect(decideBackupFormat({ BACKUP_FORMAT: 'nonsense' }, 18, none).reason).toMatch(
			/BACKUP_FORMAT=nonsense is not auto, builtin or pg_dump; using auto/
		);
	});

	it('BACKUP_FORMAT=builtin always uses the built-in format; =pg_dump never falls back', () => {
		expect(
			decideBackupFormat({ BACKUP_FORMAT: 'builtin' }, 18, { tools, problem: null }).format
		).toBe('builtin');
		const forced = decideBackupFormat({ BACKUP_FORMAT: 'pg_dump' }, 18, none);
		expect(forced.format).toBeNull();
		expect(forced.problem).toMatch(/client tools.*unset BACKUP_FORMAT/);
	});

	it('on this server picks pg_dump exactly when findPgTools finds one', async () => {
		const server = await serverVersion(world.db);
		const choice = await chooseBackupFormat(world.db, { ...process.env, BACKUP_FORMAT: '' });
		expect(choice.format).toBe(findPgTools(server.major).tools ? 'pg_dump' : 'builtin');
	});

	it("the Database page's status says which format new backups use and why", async () => {
		const status = await databaseStatus(world.db, true, BUILTIN);
		expect(status.backup).toEqual({
			format: 'builtin',
			setting: 'builtin',
			reason: "BACKUP_FORMAT=builtin: using Comradarr's built-in format.",
			problem: null
		});
		const auto = await databaseStatus(world.db, true, { ...process.env, BACKUP_FORMAT: '' });
		expect(auto.backup.format).toBe(auto.tools.available ? 'pg_dump' : 'builtin');
		if (!auto.tools.available) expect(auto.backup.reason).toMatch(/^pg_dump \d+ not found: using/);
	});

	it('tells the formats apart by their first bytes and refuses anything else', () => {
		expect(sniffBackupFormat(new TextEncoder().encode('PGDMP\x01\x0e'))).toBe('pg_dump');
		expect(sniffBackupFormat(gzipSync('{"format":"comradarr-backup","version":1}\n'))).toBe(
			'builtin'
		);
		expect(sniffBackupFormat(gzipSync('{"format":"sonarr-backup","version":1}\n'))).toBeNull();
		expect(sniffBackupFormat(gzipSync(randomBytes(4096)))).toBeNull();
		expect(sniffBackupFormat(new Uint8Array([0x1f, 0x8b, 0x08, 0, 1, 2]))).toBeNull();
		expect(sniffBackupFormat(new TextEncoder().encode('hello'))).toBeNull();
	});
});

describe('built-in backups', () => {
	it('are a gzip of JSON lines: a header, every table but the job history and the registry totals with a checksum, parents first, no secret in clear', async () => {
		const { sessionToken, apiKey } = await buildState(world.db);
		const file = await backUp(world.db);
		expect(path.basename(file)).toMatch(/^comradarr-\d{8}-\d{6}-manual\.dump$/);
		expect(statSync(file).mode & 0o077).toBe(0);
		expect(readdirSync(dir)).toEqual([path.basename(file)]);

		const [header, ...rest] = lines(file) as [Header, ...unknown[]];
		expect(header).toMatchObject({ format: 'comradarr-backup', version: 1 });
		const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, 'meta/_journal.json'), 'utf8'))
			.entries as { tag: string; when: number }[];
		expect(header.migrations.map((m) => [m.tag, m.createdAt])).toEqual(
			journal.map((e) => [e.tag, e.when])
		);
		const names = header.tables.map((t) => `${t.schema}.${t.name}`);
		const all = (await world.db.$client`
			select schemaname || '.' || tablename as name from pg_tables
			where schemaname in ('public', 'drizzle')`) as { name: string }[];
		expect(names.sort()).toEqual(
			all
				.map((t) => t.name)
				.filter((n) => n !== 'public.job_runs' && n !== 'public.search_item_summary')
				.sort()
		);
		expect(header.excluded).toEqual(['public.job_runs', 'public.search_item_summary']);
		// Parents before children: every foreign key points at a table listed earlier.
		const order = header.tables.map((t) => `${t.schema}.${t.name}`);
		const fks = (await world.db.$client`
			select c.relname as child, f.relname as parent from pg_constraint k
			join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
			where k.contype = 'f' and c.relname <> 'job_runs'`) as { child: string; parent: string }[];
		expect(fks.length).toBeGreaterThan(5);
		for (const fk of fks) {
			expect(order.indexOf(`public.${fk.parent}`), `${fk.parent} before ${fk.child}`).toBeLessThan(
				order.indexOf(`public.${fk.child}`)
			);
		}
		const episodes = header.tables.find((t) => t.name === 'episodes')!;
		const [{ n }] = (await world.db.$client`select count(*)::int as n from episodes`) as [
			{ n: number }
		];
		expect(episodes.rows).toBe(n);
		// The last line ends the file; each table's trailer follows its rows.
		expect(rest.at(-1)).toMatchObject({ end: 'comradarr-backup', tables: header.tables.length });
		expect(rest).toContainEqual(
			expect.objectContaining({ table: 'public.episodes', rows: n, sha256: expect.any(String) })
		);

		const text = gunzipSync(readFileSync(file)).toString('utf8');
		expect(text).not.toContain(world.sim.instance('/sonarr').options.apiKey);
		expect(text).not.toContain(world.sim.instance('/radarr').options.apiKey);
		expect(text).not.toContain(sessionToken);
		expect(text).not.toContain(apiKey);
		const [stored] = await world.db.select().from(connectors).limit(1);
		expect(text).toContain(JSON.stringify(stored!.apiKeyEncrypted));
	});

	it('are listed with their format; scheduled ones follow the retention rules like pg_dump files', async () => {
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
		writeFileSync(path.join(dir, 'comradarr-20290101-000000-scheduled.dump'), 'PGDMP old one');
		writeFileSync(path.join(dir, 'notes.dump'), 'neither');
		let now = new Date('2030-01-01T00:00:10Z');
		const tick = () =>
			scheduledBackupTick({
				db: world.db,
				dir,
				clock: () => now,
				env: BUILTIN,
				migrationsDir: MIGRATIONS
			});
		for (const minute of ['00', '10', '20']) {
			now = new Date(`2030-01-01T00:${minute}:05Z`);
			expect(await tick()).toBe('success');
		}
		const list = await listBackups(dir);
		expect(list.map((b) => [b.name, b.kind, b.format]).sort()).toEqual(
			[
				[path.basename(manual), 'manual', 'builtin'],
				['comradarr-20300101-001005-scheduled.dump', 'scheduled', 'builtin'],
				['comradarr-20300101-002005-scheduled.dump', 'scheduled', 'builtin'],
				['notes.dump', 'other', null]
			].sort()
		);
		expect(await applyRetention(dir, 1)).toEqual(['comradarr-20300101-001005-scheduled.dump']);
	});
});

describe('built-in restore', () => {
	it('reproduces the library, settings, search state and sequences in a fresh database', async () => {
		await buildState(world.db);
		const before = await databaseState(world.db);
		const sequences = await sequenceState(world.db);
		expect(before.episodes!.length).toBeGreaterThan(50);
		expect(before.movies!.length).toBeGreaterThan(50);
		expect(before.search_registry!.length).toBeGreaterThan(0);
		expect(before.search_history!.length + before.request_queue!.length).toBeGreaterThan(0);
		const file = await backUp(world.db);
		// Keyset pagination neither skips nor repeats a row: pages of 7 rows (composite keys
		// included) give the same file as pages of 2000.
		const paged = path.join(dataDir, 'paged.dump');
		await writeBuiltinBackup({
			db: world.db,
			file: paged,
			clock,
			migrationsDir: MIGRATIONS,
			pageRows: 7
		});
		const body = (f: string) =>
			gunzipSync(readFileSync(f))
				.toString('utf8')
				.replace(/"createdAt":"[^"]+"/, '')
				.replace(/"end":.*$/s, '');
		expect(body(paged)).toBe(body(file));

		const fresh = await newDatabase('builtin_restore');
		const [history] = await fresh.db
			.insert(jobRuns)
			.values({ job: 'db.vacuum', status: 'success', finishedAt: new Date() })
			.returning();
		const done = await restore(fresh.db, file);
		expect(done.error).toBeNull();
		expect(done.message).toMatch(/^Restored .* \(built-in format, \d+ tables\)\.$/);
		expect(await databaseState(fresh.db)).toEqual(before);
		expect(await schemaShape(fresh.db)).toEqual(await schemaShape(world.db));
		// Every sequence goes on where the backup's did (the presets' one moves on: seeding after the
		// restore spends values on conflicting inserts, as at every start).
		expect(await sequenceState(fresh.db)).toEqual({
			...sequences,
			'public.throttle_profiles_id_seq': expect.stringMatching(/^\d+$/)
		});
		const jsonb = (await fresh.db.$client`
			select jsonb_typeof(value) as t from app_settings where key = 'general'`) as { t: string }[];
		expect(jsonb.map((r) => r.t)).toEqual(['object']);
		invalidateSettingsCache();
		expect((await getSettings(fresh.db)).general.displayName).toBe('Backed up "in" \\ Zürich 🎬');
		expect(await parked(fresh.db)).toBe(false);
		const runs = await fresh.db.select().from(jobRuns).orderBy(jobRuns.id);
		expect(runs.map((r) => [r.id, r.job, r.status])).toEqual([
			[history!.id, 'db.vacuum', 'success'],
			[done.id, 'db.restore', 'success']
		]);
		const migrations = (await fresh.db.$client`
			select id, hash, created_at from drizzle.__drizzle_migrations order by id`) as unknown[];
		expect(migrations).toEqual(
			await world.db
				.$client`select id, hash, created_at from drizzle.__drizzle_migrations order by id`
		);
		const [sonarr] = await fresh.db
			.select()
			.from(connectors)
			.where(eq(connectors.name, 'Sonarr TV'));
		expect(world.secrets.decrypt(sonarr!.apiKeyEncrypted)).toBe(
			world.sim.instance('/sonarr').options.apiKey
		);
		// New rows get new ids after the restored ones.
		const [next] = await fresh.db
			.insert(users)
			.values({ username: 'after', passwordHash: 'x' })
			.returning();
		expect(next!.id).toBeGreaterThan(
			Math.max(...before.users!.map((u) => (u as { id: number }).id))
		);
	});

	it('round-trips every column type exactly (a table of every type we use and more)', async () => {
		const types = migrationsFolder({
			extra: {
				tag: '29990101000000_every_type',
				sql: `CREATE TABLE "every_type" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"small" smallint, "whole" integer, "big" bigint, "exact" numeric(30, 10), "real4" real,
	"double8" double precision, "flag" boolean, "label" varchar(20), "code" char(3), "body" text,
	"at" timestamp (3) with time zone, "local_at" timestamp, "day" date, "clock" time,
	"span" interval, "uid" uuid, "doc" jsonb, "raw_json" json, "bytes" bytea, "tags" text[],
	"numbers" integer[], "bigs" bigint[], "grid" integer[][], "docs" jsonb[], "address" inet,
	"doubled" integer GENERATED ALWAYS AS ("whole" * 2) STORED
);
--> statement-breakpoint
CREATE TABLE "every_type_child" (
	"parent_id" bigint NOT NULL REFERENCES "every_type"("id") ON DELETE CASCADE,
	"n" integer NOT NULL, PRIMARY KEY ("parent_id", "n")
);`
			}
		});
		const source = await newDatabase('types_source', types.dir);
		await source.db.$client.unsafe(`
			insert into every_type (small, whole, big, exact, real4, double8, flag, label, code, body, at,
				local_at, day, clock, span, uid, doc, raw_json, bytes, tags, numbers, bigs, grid, docs, address)
			values
			(-32768, -1073741824, 9223372036854775807, 12345678901234567890.0123456789, 3.4028235e38,
				0.1, true, 'short', 'abc', E'quote '' double " back\\\\slash \\n newline \\t tab é 😀 \\u0001',
				'2026-12-01 10:00:00.123+01', '2026-12-01 10:00:00.5', '2026-02-28', '23:59:59.999',
				'1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
				'{"nested": {"a": [1, 2.5, null, "x"]}, "s": "\\"q\\""}', '{"keep":   "spacing", "keep": 2}',
				'\\x00ff10', '{"a","b c",NULL,"d\\"e"}', '{1,NULL,3}', '{-9223372036854775808}',
				'{{1,2},{3,4}}', array['{"a":1}'::jsonb, 'null'::jsonb], '192.168.1.0/24'),
			(0, 0, 0, 0, 'NaN', '-Infinity', false, '', '   ', '', '-infinity', 'infinity', '0001-01-01',
				'00:00', '-1 days', '00000000-0000-0000-0000-000000000000', 'null', 'null', '\\x',
				'{}', '{}', '{}', '{}', '{}', '::1'),
			(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
				null, '"just a string"', null, null, null, null, null, null, null, null),
			(1, 2, -1, -0.0000000001, -0, 1.7976931348623157e308, null, null, null, null, null, null,
				null, null, null, null, '[]', '[]', null, '{""}', null, null, null, '{NULL}', null);
			insert into every_type_child select id, g from every_type, generate_series(1, 3) g;
			delete from every_type_child where n = 2;`);
		const compare = async (db: Database) =>
			db.$client.unsafe(`
				select row_to_json(t)::text as row, jsonb_typeof(doc) as doc_type,
					pg_typeof(doubled)::text as generated_type
				from every_type t order by id`);
		const before = await compare(source.db);
		const children = await source.db.$client`select * from every_type_child order by 1, 2`;
		const file = await backUp(source.db, { migrationsDir: types.dir });

		const target = await newDatabase('types_target', types.dir);
		const done = await restore(target.db, file, types.dir);
		expect(done.error).toBeNull();
		// A page of one row at a time reads the same rows (the composite key of the child table too).
		const single = path.join(dataDir, 'single.dump');
		await writeBuiltinBackup({ db: source.db, file: single, clock, pageRows: 1 });
		expect(lines(single).length).toBe(lines(file).length);
		expect(await compare(target.db)).toEqual(before);
		expect(await target.db.$client`select * from every_type_child order by 1, 2`).toEqual(children);
		// Values compared as PostgreSQL sees them, and by the driver, including the identity.
		const diff = (await target.db.$client.unsafe(`
			select count(*)::int as n from every_type t where doubled <> whole * 2`)) as { n: number }[];
		expect(diff[0]!.n).toBe(0);
		const types2 = (await target.db.$client.unsafe(
			`select doc, raw_json::text as raw, big::text as big, at from every_type order by id`
		)) as { doc: unknown; raw: string | null; big: string | null; at: Date | null }[];
		expect(types2[0]!.doc).toEqual({ nested: { a: [1, 2.5, null, 'x'] }, s: '"q"' });
		expect(types2[0]!.raw).toBe('{"keep":   "spacing", "keep": 2}');
		expect(types2[0]!.big).toBe('9223372036854775807');
		expect(types2[0]!.at!.toISOString()).toBe('2026-12-01T09:00:00.123Z');
		expect(types2[1]!.doc).toBeNull(); // jsonb null …
		const nulls = (await target.db.$client.unsafe(
			`select (doc is null) as sql_null, jsonb_typeof(doc) as t from every_type order by id`
		)) as { sql_null: boolean; t: string | null }[];
		expect(nulls[1]).toEqual({ sql_null: false, t: 'null' }); // … stays a JSON null, not SQL NULL
		expect(nulls[2]).toEqual({ sql_null: false, t: 'string' });
		const [{ next }] = (await target.db.$client.unsafe(
			`insert into every_type (whole) values (7) returning id::text as next`
		)) as [{ next: string }];
		expect(BigInt(next)).toBeGreaterThan(4n);
	});

	it('restores into the running app and clears the settings cache', async () => {
		await buildState(world.db);
		const before = await databaseState(world.db);
		const file = await backUp(world.db);
		await world.db.delete(connectors).where(eq(connectors.name, 'Radarr Movies'));
		await updateSettings(world.db, 'general', {
			displayName: 'Changed later',
			timeZone: 'UTC',
			logLevel: 'info'
		});
		expect((await getSettings(world.db)).general.displayName).toBe('Changed later');

		const done = await restore(world.db, file);
		expect(done.error).toBeNull();
		expect((await getSettings(world.db)).general.displayName).toBe('Backed up "in" \\ Zürich 🎬');
		expect(await databaseState(world.db)).toEqual(before);
		expect(await parked(world.db)).toBe(false);
		expect(await titleSearchReady(world.db)).toBe(true);
	});

	it('brings a backup of an older version up to date with the pending migrations', async () => {
		const old = migrationsFolder({ keep: 1 });
		const oldDb = await newDatabase('builtin_old', old.dir);
		await oldDb.db
			.$client`insert into app_settings (key, value) values ('general', ${'{"displayName":"Old one","timeZone":"UTC","logLevel":"warn"}'}::jsonb)`;
		await oldDb.db.$client`insert into users (username, password_hash) values ('old', 'h')`;
		await oldDb.db
			.$client`insert into sessions (id, user_id, expires_at) select repeat('a', 64), id, now() + interval '1 day' from users`;
		// That version had no job runner (job_runs): back it up without one.
		const made = await createBackup({
			db: oldDb.db,
			dir,
			kind: 'manual',
			clock,
			env: BUILTIN,
			migrationsDir: old.dir
		});
		expect(made.format).toBe('builtin');
		const file = path.join(dir, made.name);
		expect((lines(file)[0] as Header).migrations).toHaveLength(1);

		const target = await newDatabase('builtin_upgrade');
		const done = await restore(target.db, file);
		expect(done.error).toBeNull();
		const levels = (
			JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: unknown[] }
		).entries.length;
		expect(done.message).toMatch(new RegExp(`${levels - 1} newer migrations were applied`));
		// Built at the old level, then migrated: the same schema as a database migrated directly.
		expect(await schemaShape(target.db)).toEqual(await schemaShape(world.db));
		const applied = (await target.db
			.$client`select hash, created_at from drizzle.__drizzle_migrations order by id`) as unknown[];
		expect(applied).toEqual(
			await world.db.$client`select hash, created_at from drizzle.__drizzle_migrations order by id`
		);
		invalidateSettingsCache();
		expect((await getSettings(target.db)).general.displayName).toBe('Old one');
		// The newer migration's columns exist and have their defaults.
		const sessions = (await target.db.$client`select address, last_seen_at from sessions`) as {
			address: string | null;
			last_seen_at: Date;
		}[];
		expect(sessions).toHaveLength(1);
		expect(sessions[0]!.address).toBeNull();
		expect(sessions[0]!.last_seen_at).toBeInstanceOf(Date);
	});

	describe('refuses what is not a sound built-in backup and leaves the data untouched', () => {
		let before: Record<string, unknown[]>;
		let good: string;

		beforeEach(async () => {
			await buildState(world.db);
			good = await backUp(world.db);
			before = await databaseState(world.db);
		});

		async function expectRefused(file: string, reason: RegExp): Promise<void> {
			const done = await restore(world.db, file);
			expect(done.status).toBe('failed');
			expect(done.error).toMatch(reason);
			expect(done.error).not.toContain(dataDir);
			expect(await databaseState(world.db)).toEqual(before);
			expect(await parked(world.db)).toBe(false);
		}

		function variant(name: string, bytes: Uint8Array): string {
			const file = path.join(dataDir, name);
			writeFileSync(file, bytes);
			return file;
		}

		it('a truncated file (cut in the header, in the rows, or just before the end line)', async () => {
			const bytes = readFileSync(good);
			for (const keep of [0.02, 0.5, 0.97]) {
				const file = variant(
					`truncated-${keep}.dump`,
					bytes.subarray(0, Math.floor(bytes.length * keep))
				);
				await expectRefused(file, /is damaged or incomplete \(was it truncated\?\)/);
			}
			// Cut exactly at a line boundary of the text: the gzip is whole, the end line is missing.
			const text = gunzipSync(bytes).toString('utf8').split('\n');
			const cut = variant('cut.dump', gzipSync(`${text.slice(0, -3).join('\n')}\n`));
			await expectRefused(cut, /is damaged or incomplete \(was it truncated\?\): it ends/);
			// Every table whole, only the end line missing.
			const noEnd = variant('no-end.dump', gzipSync(`${text.slice(0, -2).join('\n')}\n`));
			await expectRefused(
				noEnd,
				/is damaged or incomplete \(was it truncated\?\): it ends before its end line/
			);
		});

		it('a file with data after its end line', async () => {
			const text = gunzipSync(readFileSync(good)).toString('utf8');
			await expectRefused(
				variant('after-end.dump', gzipSync(`${text}{"table":"public.users","rows":0}\n`)),
				/there is data after its end line/
			);
		});

		it('a flipped byte in the compressed data', async () => {
			const bytes = Buffer.from(readFileSync(good));
			bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
			await expectRefused(variant('flipped.dump', bytes), /is damaged/);
		});

		it('a row changed after the backup was made (the table checksum)', async () => {
			const text = gunzipSync(readFileSync(good)).toString('utf8');
			const edited = text.replace('"title":"', '"title":"X');
			expect(edited).not.toBe(text);
			await expectRefused(
				variant('edited-row.dump', gzipSync(edited)),
				/checksum of table public\.\w+ does not match/
			);
		});

		it('a header changed after the backup was made (the whole-file checksum)', async () => {
			const text = gunzipSync(readFileSync(good)).toString('utf8');
			const edited = text.replace('"app":{"name":"comradarr"', '"app":{"name":"comradarX"');
			expect(edited).not.toBe(text);
			await expectRefused(
				variant('edited-header.dump', gzipSync(edited)),
				/checksum of the whole file does not match/
			);
		});

		it('a file from a newer migration level', async () => {
			const newer = await newDatabase('builtin_newer');
			await newer.db.$client`insert into drizzle.__drizzle_migrations (hash, created_at)
				values (${'f'.repeat(64)}, 4102444800000)`;
			const file = await backUp(newer.db);
			await expectRefused(file, /made by a newer Comradarr .*2100-01-01.*Update Comradarr/);
		});

		it('a file of a newer backup format version', async () => {
			const newer = rewrite(good, { header: (h) => void (h.version = 2) });
			await expectRefused(newer, /made by a newer Comradarr \(backup format version 2/);
		});

		it("another app's file, and a built-in file without Comradarr's tables", async () => {
			const other = variant(
				'other-app.dump',
				gzipSync('{"format":"sonarr-backup","version":1,"tables":[]}\n')
			);
			await expectRefused(other, /is not a Comradarr backup: it is neither/);
			const empty = rewrite(good, {
				header: (h) => {
					h.tables = h.tables.filter((t) => t.schema === 'drizzle');
				}
			});
			await expectRefused(empty, /is not a Comradarr backup: it lacks the tables users, sessions/);
		});

		it('a gzip of garbage, and plain garbage', async () => {
			await expectRefused(
				variant('garbage.dump', gzipSync(randomBytes(64 * 1024))),
				/is not a Comradarr backup/
			);
			await expectRefused(variant('plain.dump', randomBytes(4096)), /is not a Comradarr backup/);
		});

		it('a header whose migrations disagree with its migrations table', async () => {
			const file = rewrite(good, { header: (h) => void h.migrations.pop() });
			await expectRefused(
				file,
				/its migrations table does not match the migrations its header lists/
			);
		});

		it('a migration level with a gap (the first migration missing)', async () => {
			const first = (lines(good)[0] as Header).migrations[0]!;
			const file = rewrite(good, {
				header: (h) => void h.migrations.shift(),
				row: (table, row) => !(table === 'drizzle.__drizzle_migrations' && row.hash === first.hash)
			});
			await expectRefused(
				file,
				/skips the migration of .* it was not made by a released Comradarr/
			);
		});

		it('a row whose columns are not those its header lists', async () => {
			const file = rewrite(good, {
				row: (table, row) => {
					if (table === 'public.app_settings') row.extra = 'x';
				}
			});
			await expectRefused(file, /a row of public\.app_settings has the unknown column extra/);
		});

		it('a column its migration level does not have', async () => {
			const file = rewrite(good, {
				header: (h) =>
					void h.tables
						.find((t) => t.name === 'app_settings')!
						.columns.push({ name: 'bogus', type: 'text' }),
				row: (table, row) => {
					if (table === 'public.app_settings') row.bogus = null;
				}
			});
			await expectRefused(
				file,
				/has the column public\.app_settings\.bogus, which its migration level does not have/
			);
		});

		it('a file that fails halfway through loading (the previous data is put back)', async () => {
			const broken = rewrite(good, {
				row: (table, row) => {
					if (table === 'public.episodes') row.season_number = 'not a number';
				}
			});
			await expectRefused(
				broken,
				/the rows of public\.episodes could not be restored.*nothing was changed/
			);
		});
	});

	it('uploads take a built-in backup and refuse a gzip of garbage at the first chunk', async () => {
		await buildState(world.db);
		const file = await backUp(world.db);
		const uploads = uploadsDir(dataDir);
		const bytes = new Uint8Array(readFileSync(file));
		const upload = await createUpload(uploads, { name: 'backup.dump', size: bytes.length });
		const first = await appendChunk(uploads, upload.id, 0, bytes.subarray(0, 1000));
		expect(first.received).toBe(1000);
		// A first chunk too short to show the header yet is not refused for it.
		const small = await createUpload(uploads, { name: 'small.dump', size: bytes.length });
		expect((await appendChunk(uploads, small.id, 0, bytes.subarray(0, 20))).received).toBe(20);
		const garbage = gzipSync(randomBytes(2000));
		const refused = await createUpload(uploads, { name: 'g.dump', size: garbage.length });
		await expect(appendChunk(uploads, refused.id, 0, garbage)).rejects.toMatchObject({
			status: 400,
			code: 'uploads.not_a_dump'
		});
	});
});
