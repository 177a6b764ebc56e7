/**
 * Sweep schedules at run time (issue 10, Schedules §1, §2) against a real PostgreSQL and the *arr
 * simulator: two schedulers on two database clients play two Comradarr processes. Live
 * rescheduling through LISTEN/NOTIFY (and the resync backstop), one run per tick whichever
 * process fires first, `protect` against a slow tick, the schedule's throttle profile while its
 * rows are dispatched, the batch limit, and sweeps of one type leaving the other type's rows and
 * other schedules' rows alone.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { openDatabase, type Database } from '../../src/lib/server/db';
import {
	connectors,
	jobRuns,
	jobSchedules,
	requestQueue,
	sweepSchedules,
	throttleProfiles,
	type Connector
} from '../../src/lib/server/db/schema';
import {
	ALREADY_RUNNING,
	createScheduler,
	runScheduledSweep,
	type Scheduler,
	type SchedulerDeps
} from '../../src/lib/server/scheduler';
import { JOB_REGISTRY } from '../../src/lib/server/services/schedule/registry';
import {
	createSweepSchedule,
	deleteSweepSchedule,
	startSweepScheduleRun,
	sweepJobName,
	updateSweepSchedule
} from '../../src/lib/server/services/schedule/sweep-schedules';
import { TICK_ALREADY_SERVED } from '../../src/lib/server/services/schedule/schedules';
import { updateBuiltInSchedule } from '../../src/lib/server/services/schedule/built-in';
import { JOB_RUN_LOCK_NS } from '../../src/lib/server/services/jobs';
import { SWEEP_LOCK_NS } from '../../src/lib/server/services/queue/sweep';
import { syncOne } from '../../src/lib/server/services/operations';
import { clientFor } from '../../src/lib/server/connectors';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import type { SimInstance } from '../arr-sim';
import {
	getSettings,
	resetSettings,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';

const world = useWorld();

/** The second "process": its own client, pool and LISTEN connection on the same database. */
let otherDb: Database;
beforeAll(async () => {
	otherDb = await openDatabase(inject('databaseUrl'), {
		migrationsDir: path.resolve('drizzle'),
		max: 3
	});
});
afterAll(async () => {
	await otherDb?.$client.close();
});

const started: Scheduler[] = [];
afterEach(async () => {
	for (const s of started.splice(0)) await s.stop();
});

function deps(db: Database): SchedulerDeps {
	return { db, secrets: world.secrets, dataDir: '/nonexistent' };
}

async function scheduler(
	db: Database,
	options: Parameters<typeof createScheduler>[1] = {}
): Promise<Scheduler> {
	const s = createScheduler(deps(db), { resyncMs: 0, builtIns: false, ...options });
	started.push(s);
	await s.start();
	return s;
}

/** Polls `check` every 20 ms until it is true. @returns the ms it took */
async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
	const start = Date.now();
	while (Date.now() - start < ms) {
		if (await check()) return Date.now() - start;
		await Bun.sleep(20);
	}
	throw new Error(`not within ${ms} ms`);
}

function pattern(s: Scheduler, key: string): string | undefined {
	return s.timers().find((t) => t.key === key)?.pattern;
}

async function runsOf(job: string) {
	return world.db.select().from(jobRuns).where(eq(jobRuns.job, job)).orderBy(jobRuns.id);
}

/** A user profile copied from the default with `patch` applied. */
async function addProfile(name: string, patch: Partial<typeof throttleProfiles.$inferInsert>) {
	const [base] = await world.db
		.select()
		.from(throttleProfiles)
		.where(eq(throttleProfiles.isDefault, true));
	const { id: _id, ...rest } = base!;
	void _id;
	const [row] = await world.db
		.insert(throttleProfiles)
		.values({ ...rest, name, isPreset: false, isDefault: false, ...patch })
		.returning();
	return row!;
}

/** A connector synced from the simulator, with no schedules (the defaults removed). */
async function synced(urlBase: string): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await world.db.delete(sweepSchedules).where(eq(sweepSchedules.connectorId, connector.id));
	await syncOne(world, connector);
	return world.connector(connector.id);
}

async function runSchedule(id: number) {
	const run = await startSweepScheduleRun(world, id, { trigger: 'manual' });
	return run.done;
}

function posts(sim: SimInstance) {
	return sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/command');
}

describe('live rescheduling', () => {
	it('reaches another process within a second of the commit, for every kind of change', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await world.db.delete(sweepSchedules);
		// Built-in timers off except db.vacuum (weekly), so nothing fires during the test.
		await world.db.insert(jobSchedules).values(
			JOB_REGISTRY.map((job) => ({
				job: job.name,
				pattern: job.defaultPattern,
				enabled: job.name === 'db.vacuum'
			}))
		);
		const here = await scheduler(world.db, { builtIns: true });
		// The other process hears of changes only through PostgreSQL.
		const there = await scheduler(otherDb, { builtIns: true, localChanges: false });
		expect(there.timers().map((t) => t.key)).toEqual(['job:db.vacuum']);

		const created = await createSweepSchedule(world.db, {
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '0 0 1 1 *',
			timezone: 'UTC'
		});
		const key = `sweep:${created.id}`;
		await within(200, () => pattern(here, key) === '0 0 1 1 *');
		await within(1_000, () => pattern(there, key) === '0 0 1 1 *');

		await updateSweepSchedule(world.db, created.id, { cron: '0 0 1 6 *' });
		await within(1_000, () => pattern(there, key) === '0 0 1 6 *');

		await updateSweepSchedule(world.db, created.id, { timezone: 'Pacific/Auckland' });
		await within(
			1_000,
			() => there.timers().find((t) => t.key === key)?.timezone === 'Pacific/Auckland'
		);
		const next = there.cron(key)!.nextRun()!;
		// Midnight of 1 June in Auckland (UTC+12) is noon of 31 May in UTC.
		expect(next.toISOString()).toMatch(/-05-31T12:00:00\.000Z$/);

		await updateSweepSchedule(world.db, created.id, { enabled: false });
		await within(1_000, () => pattern(there, key) === undefined);
		await updateSweepSchedule(world.db, created.id, { enabled: true });
		await within(1_000, () => pattern(there, key) === '0 0 1 6 *');

		await deleteSweepSchedule(world.db, created.id);
		await within(1_000, () => pattern(there, key) === undefined);
		expect(pattern(here, key)).toBeUndefined();

		// Built-in jobs follow the same way.
		await updateBuiltInSchedule(world.db, 'db.vacuum', { cron: '0 6 * * 0' });
		await within(1_000, () => pattern(there, 'job:db.vacuum') === '0 6 * * 0');
		await updateBuiltInSchedule(world.db, 'db.vacuum', { enabled: false });
		await within(1_000, () => pattern(there, 'job:db.vacuum') === undefined);
	});

	it('move the built-in jobs to a new General time zone at once, here and in another process', async () => {
		await world.db.insert(jobSchedules).values(
			JOB_REGISTRY.map((job) => ({
				job: job.name,
				pattern: job.defaultPattern,
				enabled: job.name === 'db.vacuum'
			}))
		);
		const here = await scheduler(world.db, { builtIns: true, sweeps: false, listen: false });
		const there = await scheduler(otherDb, { builtIns: true, sweeps: false, localChanges: false });
		const zoneOf = (s: Scheduler) => s.timers().find((t) => t.key === 'job:db.vacuum')?.timezone;
		const general = (await getSettings(world.db, 0)).general;
		const zone = general.timeZone === 'Asia/Tokyo' ? 'Europe/Lisbon' : 'Asia/Tokyo';
		try {
			await updateSettings(world.db, 'general', { ...general, timeZone: zone });
			// No resync runs in these schedulers (resyncMs 0): only the change itself can do it.
			await within(500, () => zoneOf(here) === zone);
			await within(1_500, () => zoneOf(there) === zone);
		} finally {
			await resetSettings(world.db, 'general');
		}
	});

	it('start the defaults of a new connector in every process, and stop them when it goes', async () => {
		const there = await scheduler(otherDb, { localChanges: false });
		const sonarr = await world.addConnector('/sonarr');
		const ids = (
			await world.db
				.select({ id: sweepSchedules.id })
				.from(sweepSchedules)
				.where(eq(sweepSchedules.connectorId, sonarr.id))
		).map((r) => `sweep:${r.id}`);
		expect(ids).toHaveLength(2);
		await within(1_000, () => ids.every((k) => pattern(there, k) !== undefined));
		const { deleteConnector } =
			await import('../../src/lib/server/services/connectors/connector-service');
		await deleteConnector(world.db, sonarr.id);
		await within(1_000, () => there.timers().length === 0);
	});

	it('are also caught up by the periodic resync when no notification arrives', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const there = await scheduler(otherDb, {
			localChanges: false,
			listen: false,
			resyncMs: 300
		});
		const [row] = await world.db
			.select()
			.from(sweepSchedules)
			.where(eq(sweepSchedules.connectorId, sonarr.id))
			.limit(1);
		// Written behind the services' back: no NOTIFY at all.
		await world.db
			.update(sweepSchedules)
			.set({ cron: '45 * * * *' })
			.where(eq(sweepSchedules.id, row!.id));
		await within(1_500, () => pattern(there, `sweep:${row!.id}`) === '45 * * * *');
	});
});

describe('one tick, one run', () => {
	it('when two processes fire the same tick together', async () => {
		const sonarr = await synced('/sonarr');
		const schedule = await createSweepSchedule(world.db, {
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '0 0 1 1 *',
			timezone: 'UTC'
		});
		const key = `sweep:${schedule.id}`;
		const here = await scheduler(world.db);
		const there = await scheduler(otherDb, { localChanges: false });
		await Promise.all([here.cron(key)!.trigger(), there.cron(key)!.trigger()]);
		const runs = await runsOf(sweepJobName(schedule.id));
		expect(runs).toHaveLength(2);
		expect(runs.filter((r) => r.status === 'success')).toHaveLength(1);
		const skipped = runs.filter((r) => r.status === 'skipped');
		expect(skipped).toHaveLength(1);
		expect([ALREADY_RUNNING, TICK_ALREADY_SERVED]).toContain(skipped[0]!.message);
		expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
	});

	it('when the other process fires after the first one’s run has already finished', async () => {
		const sonarr = await synced('/sonarr');
		const schedule = await createSweepSchedule(world.db, {
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '0 0 1 1 *',
			timezone: 'UTC'
		});
		const key = `sweep:${schedule.id}`;
		const here = await scheduler(world.db);
		const there = await scheduler(otherDb, { localChanges: false });
		await here.cron(key)!.trigger();
		await there.cron(key)!.trigger();
		const runs = await runsOf(sweepJobName(schedule.id));
		expect(
			runs.map((r) => [r.status, r.message?.startsWith('Skipped') ? r.message : 'ran'])
		).toEqual([
			['success', 'ran'],
			['skipped', TICK_ALREADY_SERVED]
		]);
		// A later tick is served again.
		const later = await runScheduledSweep(deps(otherDb), schedule.id, new Date(Date.now() + 1));
		expect(later?.status).toBe('success');
	});

	it('not at all for a schedule turned off after the timer fired; "Run now" still runs it', async () => {
		const sonarr = await synced('/sonarr');
		const schedule = await createSweepSchedule(world.db, {
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '0 0 1 1 *',
			enabled: false
		});
		const tick = await runScheduledSweep(deps(world.db), schedule.id, new Date());
		expect(tick).toMatchObject({ status: 'skipped', message: 'The schedule is turned off.' });
		expect((await runSchedule(schedule.id)).status).toBe('success');
	});

	it('when another process holds the connector’s sweep lock: the tick is recorded as skipped', async () => {
		const sonarr = await synced('/sonarr');
		const schedule = await createSweepSchedule(world.db, {
			connectorId: sonarr.id,
			sweepType: 'both',
			cron: '0 0 1 1 *'
		});
		const lock = `sweep.connector.${sonarr.id}`;
		const other = await otherDb.$client.reserve();
		try {
			await other`select pg_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext(${lock}))`;
			const run = await runScheduledSweep(deps(world.db), schedule.id, new Date());
			expect(run).toMatchObject({
				status: 'skipped',
				message: ALREADY_RUNNING,
				trigger: 'schedule'
			});
		} finally {
			await other`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext(${lock}))`;
			await other.release();
		}
	});
});

describe('protect', () => {
	it('never overlaps a slow tick with the next one', async () => {
		const sonarr = await synced('/sonarr');
		// Every second: refused by the service for sweeps, written directly to make ticks frequent.
		const [row] = await world.db
			.insert(sweepSchedules)
			.values({ connectorId: sonarr.id, sweepType: 'gaps', cron: '* * * * * *', timezone: 'UTC' })
			.returning();
		const job = sweepJobName(row!.id);
		const other = await otherDb.$client.reserve();
		try {
			// The sweep's own transaction lock: the first tick's sweep waits on it.
			await other`select pg_advisory_lock(${SWEEP_LOCK_NS}, ${sonarr.id})`;
			const here = await scheduler(world.db);
			await within(2_000, async () => (await runsOf(job)).length === 1);
			await Bun.sleep(2_500); // two or three more ticks while the first one is still running
			const during = await runsOf(job);
			expect(during.map((r) => r.status)).toEqual(['running']);
			expect(here.timers().find((t) => t.key === `sweep:${row!.id}`)?.busy).toBe(true);
			await other`select pg_advisory_unlock(${SWEEP_LOCK_NS}, ${sonarr.id})`;
			await within(3_000, async () => (await runsOf(job))[0]?.status === 'success');
			await here.stop();
		} finally {
			// A session lock left behind would block every later sweep of this connector id.
			await other`select pg_advisory_unlock_all()`;
			await other.release();
		}
	});
});

describe('a schedule’s throttle profile', () => {
	it('governs the dispatch of the rows it queued; other rows keep the connector’s', async () => {
		const radarr = await synced('/radarr');
		const hour = new Date().getUTCHours();
		const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
		const closed = await addProfile('Daytime only', {
			activeWindows: [{ start: hh(hour + 2), end: hh(hour + 3) }],
			maxInFlight: 100,
			maxCommandsPerWindow: 100
		});
		const open = await addProfile('Any time', {
			activeWindows: [],
			maxInFlight: 100,
			maxCommandsPerWindow: 100,
			dailySearchBudget: 10_000
		});
		await world.db
			.update(connectors)
			.set({ throttleProfileId: closed.id })
			.where(eq(connectors.id, radarr.id));
		const connector = await world.connector(radarr.id);
		const dispatch = async () =>
			dispatchConnector({
				db: world.db,
				connector,
				client: clientFor(connector, world.secrets),
				profile: await profileFor(world.db, connector)
			});
		// Nothing queued: the connector's own (closed) window is what the pass reports.
		expect(await dispatch()).toMatchObject({ sent: 0, stoppedBy: 'outside_window' });

		const night = await createSweepSchedule(world.db, {
			connectorId: radarr.id,
			sweepType: 'gaps',
			cron: '0 3 * * *',
			throttleProfileId: open.id,
			batchLimit: 3
		});
		expect((await runSchedule(night.id)).status).toBe('success');
		const result = await dispatch();
		// The connector's window is closed, the schedule's profile has none: its rows go.
		expect(result).toMatchObject({ sent: 3, stoppedBy: 'empty' });
		expect(posts(world.sim.instance('/radarr'))).toHaveLength(3);

		const plain = await createSweepSchedule(world.db, {
			connectorId: radarr.id,
			sweepType: 'gaps',
			cron: '5 * * * *'
		});
		expect((await runSchedule(plain.id)).status).toBe('success');
		const held = await dispatch();
		expect(held).toMatchObject({ sent: 0, stoppedBy: 'outside_window' });
		expect(posts(world.sim.instance('/radarr'))).toHaveLength(3);
	});
});

describe('what a scheduled sweep queues', () => {
	async function rowsOf(connectorId: number) {
		return world.db
			.select()
			.from(requestQueue)
			.where(and(eq(requestQueue.connectorId, connectorId), eq(requestQueue.status, 'pending')))
			.orderBy(requestQueue.id);
	}

	it('is at most its batch limit, stamped with the schedule', async () => {
		const radarr = await synced('/radarr');
		const limited = await createSweepSchedule(world.db, {
			connectorId: radarr.id,
			sweepType: 'both',
			cron: '0 3 * * *',
			batchLimit: 2
		});
		const run = await runSchedule(limited.id);
		expect(run.result).toMatchObject({ queuedBatches: 2, batchLimit: 2 });
		const rows = await rowsOf(radarr.id);
		expect(rows).toHaveLength(2);
		expect(rows.every((r) => r.sweepScheduleId === limited.id)).toBe(true);
		await updateSweepSchedule(world.db, limited.id, { batchLimit: null });
		const unlimited = await runSchedule(limited.id);
		expect(Number(unlimited.result?.queuedBatches)).toBeGreaterThan(2);
		expect((await rowsOf(radarr.id)).length).toBe(Number(unlimited.result?.queuedBatches));
	});

	it('leaves the other type’s rows, and another schedule’s rows, as they are', async () => {
		const sonarr = await synced('/sonarr');
		const make = (sweepType: 'gaps' | 'upgrades', batchLimit: number | null) =>
			createSweepSchedule(world.db, {
				connectorId: sonarr.id,
				sweepType,
				cron: '0 3 * * *',
				batchLimit
			});
		const upgrades = await make('upgrades', null);
		const gaps = await make('gaps', null);
		const gapsToo = await make('gaps', 2);
		await runSchedule(upgrades.id);
		const upgradeRows = await rowsOf(sonarr.id);
		expect(upgradeRows.length).toBeGreaterThan(0);
		expect(upgradeRows.every((r) => r.searchType === 'upgrade')).toBe(true);

		await runSchedule(gapsToo.id);
		const afterGaps = await rowsOf(sonarr.id);
		const limitedRows = afterGaps.filter((r) => r.sweepScheduleId === gapsToo.id);
		expect(limitedRows).toHaveLength(2);
		expect(afterGaps.filter((r) => r.searchType === 'upgrade').map((r) => r.id)).toEqual(
			upgradeRows.map((r) => r.id)
		);

		// Another gaps schedule queues the remaining gaps and leaves the first one's two rows.
		await runSchedule(gaps.id);
		const all = await rowsOf(sonarr.id);
		expect(all.filter((r) => r.sweepScheduleId === gapsToo.id).map((r) => r.id)).toEqual(
			limitedRows.map((r) => r.id)
		);
		expect(all.filter((r) => r.searchType === 'upgrade').map((r) => r.id)).toEqual(
			upgradeRows.map((r) => r.id)
		);
		// No item is queued twice.
		const dupes = await world.db.execute<{ n: number }>(sql`
			select count(*)::int as n from (
				select i.registry_id from request_queue_items i
				join request_queue q on q.id = i.request_id
				where q.connector_id = ${sonarr.id} and q.status = 'pending'
				group by i.registry_id having count(*) > 1) d`);
		expect(dupes[0]?.n).toBe(0);

		// An upgrades sweep again rebuilds only its own rows.
		await runSchedule(upgrades.id);
		const last = await rowsOf(sonarr.id);
		expect(last.filter((r) => r.searchType === 'gap').map((r) => r.id)).toEqual(
			all.filter((r) => r.searchType === 'gap').map((r) => r.id)
		);
	});
});
