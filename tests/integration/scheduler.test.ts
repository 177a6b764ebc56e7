/**
 * The job platform: registered jobs run as persisted runs (`job_runs`) that report what their
 * handler returned, under advisory locks keyed by the job's name (never its position in a list);
 * schedules live in `job_schedules`; syncs are background jobs, one per connector at a time.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world';
import { jobRuns, jobSchedules } from '../../src/lib/server/db/schema';
import {
	ALREADY_RUNNING,
	jobStatuses,
	runScheduledJob,
	type SchedulerDeps
} from '../../src/lib/server/scheduler';
import { JOB_REGISTRY, registeredJob } from '../../src/lib/server/services/schedule/registry';
import { ensureSchedules } from '../../src/lib/server/services/schedule/schedules';
import { JOB_RUN_LOCK_NS } from '../../src/lib/server/services/jobs';
import { startSync } from '../../src/lib/server/services/connector-jobs';
import { updateConnector } from '../../src/lib/server/services/connectors/connector-service';

const world = useWorld();
const deps = (): SchedulerDeps => ({
	db: world.db,
	secrets: world.secrets,
	dataDir: '/nonexistent'
});

function job(name: string) {
	const found = registeredJob(name);
	if (!found) throw new Error(`no job ${name}`);
	return found;
}

async function runsOf(name: string) {
	return world.db.select().from(jobRuns).where(eq(jobRuns.job, name)).orderBy(jobRuns.id);
}

describe('scheduled runs', () => {
	it('persist what the handler returned, with trigger "schedule"', async () => {
		await world.addConnector('/sonarr');
		await world.addConnector('/radarr');
		const run = await runScheduledJob(deps(), job('sync'));
		expect(run).toMatchObject({ job: 'sync', status: 'success', trigger: 'schedule' });
		expect(run!.result).toMatchObject({ connectors: 2, succeeded: 2, failed: 0 });
		const [row] = await runsOf('sync');
		expect(row).toMatchObject({ status: 'success', trigger: 'schedule' });
		expect(row!.finishedAt).toBeInstanceOf(Date);
		// Each connector's sync was its own run, followed on its page.
		const children = await world.db
			.select()
			.from(jobRuns)
			.where(and(eq(jobRuns.trigger, 'schedule'), eq(jobRuns.job, 'sync.full')));
		expect(children).toHaveLength(2);
		expect(children.every((c) => c.status === 'success' && c.connectorId !== null)).toBe(true);
	});

	it('records a sync in which every connector failed as failed, and one with a failure as partial', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const radarr = await world.addConnector('/radarr');
		world.sim.instance('/sonarr').setFault('/api/v3/series', { status: 500, times: 100 });
		world.sim.instance('/radarr').setFault('/api/v3/movie', { status: 500, times: 100 });
		// Fast failures: no long retry waits in a test.
		await updateConnector(world.db, world.secrets, sonarr.id, { timeoutMs: 1_000 });
		await updateConnector(world.db, world.secrets, radarr.id, { timeoutMs: 1_000 });
		const failed = await runScheduledJob(deps(), job('sync'));
		expect(failed).toMatchObject({ status: 'failed' });
		expect(failed!.error).toMatch(/^Every sync failed\./);
		expect(failed!.result).toMatchObject({ succeeded: 0, failed: 2 });

		world.sim.instance('/radarr').reset();
		const partial = await runScheduledJob(deps(), job('sync'));
		expect(partial).toMatchObject({ status: 'partial' });
		expect(partial!.result).toMatchObject({ succeeded: 1, failed: 1 });
	});

	it('run the daily full sync after an incremental sync that was running, instead of skipping it', async () => {
		const sonarr = await world.addConnector('/sonarr');
		world.sim.instance('/sonarr').setFault('/api/v3/series', { delayMs: 300, times: 1 });
		const incremental = await startSync(deps(), sonarr, { mode: 'incremental' });
		expect(incremental.started).toBe(true);
		const run = await runScheduledJob(deps(), job('sync-full'));
		expect(run).toMatchObject({ status: 'success', result: { succeeded: 1, skipped: 0 } });
		const syncs = await world.db
			.select()
			.from(jobRuns)
			.where(eq(jobRuns.connectorId, sonarr.id))
			.orderBy(jobRuns.id);
		expect(syncs.map((r) => [r.job, r.status])).toEqual([
			['sync.incremental', 'success'],
			['sync.full', 'success']
		]);
		expect(syncs[1]!.startedAt!.getTime()).toBeGreaterThanOrEqual(syncs[0]!.finishedAt!.getTime());
	});

	it('are skipped, and say so, while another instance holds the job; other jobs still run', async () => {
		const other = await world.db.$client.reserve();
		try {
			// The lock another instance would hold: derived from the name, not a list position.
			await other`select pg_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext('db.vacuum'))`;
			const skipped = await runScheduledJob(deps(), job('db.vacuum'));
			expect(skipped).toMatchObject({ status: 'skipped', message: ALREADY_RUNNING });
			expect(await runsOf('db.vacuum')).toHaveLength(1);
			const health = await runScheduledJob(deps(), job('health'));
			expect(health?.message).not.toBe(ALREADY_RUNNING);
		} finally {
			await other`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext('db.vacuum'))`;
			await other.release();
		}
		expect((await runScheduledJob(deps(), job('db.vacuum')))?.message).not.toBe(ALREADY_RUNNING);
	});

	it('that found nothing to do are marked idle (Prune removes them after a day)', async () => {
		const run = await runScheduledJob(deps(), job('dispatch'));
		expect(run).toMatchObject({ status: 'skipped', result: { idle: true } });
		expect(run!.message).toBe('No enabled connectors.');
	});
});

describe('schedules and the dashboard', () => {
	it('no longer register a built-in sweep: sweeps run on the connectors’ own schedules', () => {
		expect(registeredJob('sweep')).toBeUndefined();
		expect(JOB_REGISTRY.map((j) => j.name)).not.toContain('sweep');
	});

	it('stores each job’s default schedule once and never overwrites an edited one', async () => {
		const first = await ensureSchedules(world.db);
		expect([...first.keys()].sort()).toEqual(JOB_REGISTRY.map((j) => j.name).sort());
		expect(first.get('sync-full')?.pattern).toBe('30 3 * * *');
		await world.db
			.update(jobSchedules)
			.set({ pattern: '0 2 * * *', enabled: false })
			.where(eq(jobSchedules.job, 'sync-full'));
		const again = await ensureSchedules(world.db);
		expect(again.get('sync-full')).toMatchObject({ pattern: '0 2 * * *', enabled: false });
	});

	it('are read by the dashboard without writing: defaults show until the scheduler stores them', async () => {
		const statuses = await jobStatuses(world.db);
		expect(statuses.find((s) => s.name === 'sync-full')).toMatchObject({
			pattern: '30 3 * * *',
			enabled: true
		});
		expect(await world.db.select().from(jobSchedules)).toEqual([]);
	});

	it('lists every job with its stored schedule, its newest persisted run and its next run', async () => {
		await runScheduledJob(deps(), job('health'));
		await ensureSchedules(world.db);
		await world.db
			.update(jobSchedules)
			.set({ enabled: false })
			.where(eq(jobSchedules.job, 'db.vacuum'));
		const statuses = await jobStatuses(world.db);
		expect(statuses.map((s) => s.name)).toEqual(JOB_REGISTRY.map((j) => j.name));
		const health = statuses.find((s) => s.name === 'health')!;
		expect(health.lastRun).toMatchObject({ job: 'health', trigger: 'schedule' });
		expect(health.scheduled).toBe(false); // this process runs no scheduler
		expect(health.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
		expect(health.nextRunAt!.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
		const vacuum = statuses.find((s) => s.name === 'db.vacuum')!;
		expect(vacuum).toMatchObject({ enabled: false, nextRunAt: null, lastRun: null });
	});
});

describe('syncs as jobs', () => {
	it('give one job for two requests on one connector, and report phase and counts', async () => {
		const sonarr = await world.addConnector('/sonarr');
		world.sim.instance('/sonarr').setFault('/api/v3/series', { delayMs: 400, times: 1 });
		const [a, b] = await Promise.all([
			startSync(deps(), sonarr, { mode: 'full' }),
			startSync(deps(), sonarr, { mode: 'incremental' })
		]);
		expect(a.run.id).toBe(b.run.id);
		expect([a.started, b.started].sort()).toEqual([false, true]);
		const report = await (a.report ?? b.report);
		expect(report?.status).toBe('success');
		const runs = await world.db.select().from(jobRuns).where(eq(jobRuns.connectorId, sonarr.id));
		expect(runs).toHaveLength(1);
		expect(runs[0]).toMatchObject({ job: 'sync.full', status: 'success', connectorId: sonarr.id });
		expect(runs[0]!.message).toMatch(/^Full sync: 12 series, \d+ episodes in/);
		// Once it has ended, the next start is a new run.
		const next = await startSync(deps(), sonarr);
		expect(next.started).toBe(true);
		expect(next.run.id).not.toBe(a.run.id);
		await next.report;
	});
});
