/**
 * Settings → Database on the real PostgreSQL: status without credentials, table sizes largest
 * first, Prune removing exactly what it says, Vacuum going table by table and updating
 * last_vacuum.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import {
	connectors,
	episodes,
	events,
	jobRuns,
	loginAttempts,
	movies,
	requestQueue,
	searchHistory,
	searchRegistry,
	sessions,
	users
} from '../../src/lib/server/db/schema';
import { connectionOf } from '../../src/lib/server/services/database/pg-tools';
import { databaseStatus, tableInfo } from '../../src/lib/server/services/database/status';
import {
	pruneDatabase,
	pruneDescription,
	vacuumJob
} from '../../src/lib/server/services/database/maintenance-jobs';
import { createUpload, uploadsDir } from '../../src/lib/server/services/database/uploads';
import { startJob, type JobContext } from '../../src/lib/server/services/jobs';
import {
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { moduleLogger } from '../../src/lib/server/logger';

let db: Database;
let dataDir: string;
beforeAll(async () => {
	db = await testDb();
	dataDir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-db-test-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
beforeEach(async () => {
	await resetDb(db);
	invalidateSettingsCache();
});

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

describe('database status', () => {
	it('says connected, the server version and the mode, and never the user name or password', async () => {
		const status = await databaseStatus(db, false);
		expect(status.connected).toBe(true);
		expect(status.mode).toBe('external');
		const [server] = (await db.$client`select current_setting('server_version') as v`) as {
			v: string;
		}[];
		expect(status.serverVersion).toBe(server!.v);
		expect(status.database).toBe(connectionOf(db).database);
		const json = JSON.stringify(status);
		const { user, password } = connectionOf(db);
		expect(json).not.toContain('postgres://');
		// The embedded PostgreSQL's user and database are both named comradarr: the database name
		// may be shown, the user name nowhere else.
		expect(JSON.stringify({ ...status, database: null })).not.toMatch(new RegExp(`"${user}"`));
		if (password) expect(json).not.toContain(password);
		expect((await databaseStatus(db, true)).mode).toBe('embedded');
	});

	it('lists every table of the app with its total size, largest first', async () => {
		// Make episodes clearly the largest table.
		await db.$client.unsafe(`
			insert into connectors (type, name, url, api_key_encrypted, api_key_hint)
			values ('sonarr', 'big', 'http://x', 'v1:a:b:c', 'abcd');
			insert into series (connector_id, arr_id, title, monitored) select id, 1, 'S', true from connectors;
			insert into episodes (connector_id, series_id, arr_id, season_number, episode_number, title, monitored, has_file)
			select c.id, s.id, g, 1, g, repeat('x', 200), true, false
			from connectors c, series s, generate_series(1, 3000) g`);
		const tables = await tableInfo(db);
		const names = tables.map((t) => t.name);
		for (const name of ['connectors', 'episodes', 'job_runs', 'users', '__drizzle_migrations']) {
			expect(names).toContain(name);
		}
		expect(tables[0]!.name).toBe('episodes');
		const sizes = tables.map((t) => t.totalBytes);
		expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
		expect(tables.every((t) => Number.isInteger(t.totalBytes) && t.totalBytes > 0)).toBe(true);
		expect(await db.$count(episodes)).toBe(3000);
	});
});

/** What a prune with nothing to remove returns. */
const NOTHING = {
	sessions: 0,
	loginAttempts: 0,
	jobRuns: 0,
	uploads: 0,
	searchHistory: 0,
	queue: 0,
	exhausted: 0,
	events: 0,
	notifications: 0,
	analytics: 0
};

describe('prune', () => {
	it('removes exactly the expired sessions, day-old login attempts, month-old finished runs and stale uploads', async () => {
		const now = new Date('2026-12-02T12:00:00Z');
		await updateSettings(db, 'security', {
			authMode: 'full',
			proxyHeader: 'Remote-User',
			sessionMaxAgeDays: 30
		});
		const [user] = await db
			.insert(users)
			.values({ username: 'admin', passwordHash: 'x' })
			.returning();
		const session = (id: string, createdAgo: number, expiresIn: number) => ({
			id: id.padEnd(64, '0'),
			userId: user!.id,
			createdAt: new Date(now.getTime() - createdAgo),
			lastSeenAt: now,
			expiresAt: new Date(now.getTime() + expiresIn)
		});
		await db
			.insert(sessions)
			.values([
				session('expired', 10 * DAY, -1_000),
				session('pastlifetime', 31 * DAY, 5 * DAY),
				session('live', 2 * DAY, 5 * DAY),
				session('almostlifetime', 29 * DAY, 5 * DAY)
			]);
		await db.insert(loginAttempts).values([
			{
				username: 'admin',
				address: '10.0.0.1',
				success: false,
				at: new Date(now.getTime() - 25 * HOUR)
			},
			{
				username: 'admin',
				address: '10.0.0.1',
				success: true,
				at: new Date(now.getTime() - 23 * HOUR)
			}
		]);
		const old = new Date(now.getTime() - 31 * DAY);
		const recent = new Date(now.getTime() - 29 * DAY);
		await db.insert(jobRuns).values([
			{ job: 'db.vacuum', status: 'success', createdAt: old, finishedAt: old },
			{ job: 'db.backup', status: 'failed', createdAt: old, finishedAt: old },
			{ job: 'db.backup', status: 'skipped', createdAt: old },
			{ job: 'db.backup', status: 'running', createdAt: old, startedAt: old },
			{ job: 'db.prune', status: 'success', createdAt: recent, finishedAt: recent }
		]);
		const dir = uploadsDir(path.join(dataDir, 'prune'));
		await mkdir(dir, { recursive: true });
		const stale = await createUpload(dir, { name: 'old.dump', size: 10 });
		await writeFile(
			path.join(dir, `${stale.id}.json`),
			JSON.stringify({
				name: 'old.dump',
				size: 10,
				createdAt: new Date(now.getTime() - 25 * HOUR).toISOString()
			})
		);
		const fresh = await createUpload(dir, { name: 'new.dump', size: 10 });
		await writeFile(
			path.join(dir, `${fresh.id}.json`),
			JSON.stringify({
				name: 'new.dump',
				size: 10,
				createdAt: new Date(now.getTime() - HOUR).toISOString()
			})
		);

		const result = await pruneDatabase({ db, uploadsDir: dir, clock: () => now });
		expect(result).toEqual({ ...NOTHING, sessions: 2, loginAttempts: 1, jobRuns: 3, uploads: 1 });
		const left = await db.select({ id: sessions.id }).from(sessions);
		expect(left.map((s) => s.id.replace(/0+$/, '')).sort()).toEqual(['almostlifetime', 'live']);
		expect((await db.select().from(loginAttempts)).map((a) => a.success)).toEqual([true]);
		const runs = await db.select().from(jobRuns);
		expect(runs.map((r) => r.status).sort()).toEqual(['running', 'success']);
		expect(runs.find((r) => r.status === 'success')!.createdAt).toEqual(recent);
		const again = await pruneDatabase({ db, uploadsDir: dir, clock: () => now });
		expect(again).toEqual(NOTHING);
		await expect(createUpload(dir, { name: 'x', size: 1 })).resolves.toBeTruthy();
		expect(
			await db
				.select()
				.from(jobRuns)
				.where(inArray(jobRuns.status, ['running']))
		).toHaveLength(1);
	});

	it('removes month-old history and finished commands, long-exhausted search state, old events and day-old idle runs', async () => {
		const now = new Date('2026-12-02T12:00:00Z');
		const ago = (ms: number) => new Date(now.getTime() - ms);
		const [connector] = await db
			.insert(connectors)
			.values({
				type: 'radarr',
				name: 'Radarr',
				url: 'http://127.0.0.1:7878',
				apiKeyEncrypted: 'x',
				apiKeyHint: 'abcd'
			})
			.returning();
		const cid = connector!.id;
		const movieRows = await db
			.insert(movies)
			.values(
				[1, 2, 3].map((arrId) => ({
					connectorId: cid,
					arrId,
					title: `Movie ${arrId}`,
					monitored: true,
					hasFile: false
				}))
			)
			.returning({ id: movies.id });
		const [m1, m2, m3] = movieRows.map((m) => m.id);
		await db.insert(searchRegistry).values([
			{
				connectorId: cid,
				movieId: m1,
				searchType: 'gap',
				state: 'exhausted',
				updatedAt: ago(91 * DAY)
			},
			{
				connectorId: cid,
				movieId: m2,
				searchType: 'gap',
				state: 'exhausted',
				updatedAt: ago(89 * DAY)
			},
			{
				connectorId: cid,
				movieId: m3,
				searchType: 'gap',
				state: 'cooldown',
				updatedAt: ago(200 * DAY)
			}
		]);
		const command = (status: 'completed' | 'failed' | 'pending', finishedAgo: number | null) => ({
			connectorId: cid,
			command: 'MoviesSearch' as const,
			searchType: 'gap' as const,
			payload: { name: 'MoviesSearch' as const, movieIds: [1] },
			searchCount: 1,
			priority: 0,
			label: 'Movie 1',
			status,
			createdAt: ago(40 * DAY),
			finishedAt: finishedAgo === null ? null : ago(finishedAgo)
		});
		await db
			.insert(requestQueue)
			.values([
				command('completed', 31 * DAY),
				command('failed', 31 * DAY),
				command('completed', 29 * DAY),
				command('pending', null)
			]);
		const entry = (finishedAgo: number) => ({
			connectorId: cid,
			command: 'MoviesSearch' as const,
			searchType: 'gap' as const,
			searchCount: 1,
			label: 'Movie 1',
			payload: { name: 'MoviesSearch' as const, movieIds: [1] },
			outcome: 'completed' as const,
			finishedAt: ago(finishedAgo)
		});
		await db.insert(searchHistory).values([entry(31 * DAY), entry(29 * DAY)]);
		await db.insert(events).values([
			{ type: 'sync.completed', connectorId: cid, createdAt: ago(91 * DAY) },
			{ type: 'sync.completed', connectorId: cid, createdAt: ago(89 * DAY) }
		]);
		await db.insert(jobRuns).values([
			{
				job: 'dispatch',
				status: 'skipped',
				result: { idle: true },
				createdAt: ago(25 * HOUR),
				finishedAt: ago(25 * HOUR)
			},
			{
				job: 'dispatch',
				status: 'skipped',
				result: { idle: true },
				createdAt: ago(23 * HOUR),
				finishedAt: ago(23 * HOUR)
			},
			{
				job: 'dispatch',
				status: 'success',
				result: { sent: 3 },
				createdAt: ago(25 * HOUR),
				finishedAt: ago(25 * HOUR)
			},
			{ job: 'sync', status: 'partial', createdAt: ago(31 * DAY), finishedAt: ago(31 * DAY) }
		]);

		const dir = uploadsDir(path.join(dataDir, 'prune-history'));
		const result = await pruneDatabase({ db, uploadsDir: dir, clock: () => now });
		expect(result).toEqual({
			...NOTHING,
			jobRuns: 2,
			searchHistory: 1,
			queue: 2,
			exhausted: 1,
			events: 1
		});
		const registry = await db.select().from(searchRegistry);
		expect(registry.map((r) => r.movieId).sort()).toEqual([m2, m3].sort());
		expect((await db.select().from(requestQueue)).map((r) => r.status).sort()).toEqual([
			'completed',
			'pending'
		]);
		expect(await db.select().from(searchHistory)).toHaveLength(1);
		expect((await db.select().from(events))[0]!.createdAt).toEqual(ago(89 * DAY));
		const runs = await db.select().from(jobRuns);
		expect(runs.map((r) => r.createdAt.getTime()).sort()).toEqual(
			[ago(25 * HOUR), ago(23 * HOUR)].map((d) => d.getTime()).sort()
		);
		expect(runs.find((r) => r.createdAt.getTime() === ago(25 * HOUR).getTime())!.status).toBe(
			'success'
		);
		expect(await pruneDatabase({ db, uploadsDir: dir, clock: () => now })).toEqual(NOTHING);
	});

	it('describes what it removes with the configured session lifetime', () => {
		const text = pruneDescription(45).join(' ');
		expect(text).toContain('45 days');
		expect(text).toContain('24 hours');
		expect(text).toContain('30 days');
	});
});

describe('vacuum', () => {
	it('vacuums and analyses every table one by one, reporting "k of n", and updates last_vacuum', async () => {
		const tables = await tableInfo(db);
		const reports: { fraction: number | null; message: string | undefined }[] = [];
		const ctx: JobContext = {
			runId: 0,
			log: moduleLogger('test'),
			progress: (fraction, message) => void reports.push({ fraction, message }),
			step: () => undefined,
			holdWrites: (task) => task()
		};
		const outcome = await vacuumJob({ db })(ctx);
		expect(outcome.result).toEqual({ tables: tables.length });
		expect(reports).toHaveLength(tables.length);
		expect(reports[2]!.message).toMatch(new RegExp(`^Vacuuming \\S+ \\(3 of ${tables.length}\\)$`));
		expect(reports.map((r) => r.fraction)).toEqual(
			[...reports.map((r) => r.fraction)].sort((a, b) => a! - b!)
		);

		// Statistics reach pg_stat_user_tables asynchronously; wait for them.
		let info = await tableInfo(db);
		for (let i = 0; i < 40 && info.some((t) => !t.lastVacuumAt || !t.lastAnalyzeAt); i++) {
			await Bun.sleep(100);
			info = await tableInfo(db);
		}
		for (const table of info) {
			expect(table.lastVacuumAt, table.name).not.toBeNull();
			expect(table.lastAnalyzeAt, table.name).not.toBeNull();
		}
	});

	it('runs as the db.vacuum job to success', async () => {
		const started = await startJob({ db, job: 'db.vacuum', run: vacuumJob({ db }) });
		const done = await started.done;
		expect(done.status).toBe('success');
		expect(done.message).toMatch(/^Vacuumed and analysed \d+ tables in/);
	});
});
