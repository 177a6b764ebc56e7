/**
 * The shutdown drain and the take-over of a dead process's runs, on the real job runner and a
 * real PostgreSQL (issue 12 §7, §8): after `beginDrain()` nothing starts (503
 * `server.shutting_down`, scheduled ticks record nothing), `drainJobs` waits for the runs in
 * flight and marks those still running at its deadline interrupted; a start that gets the lock
 * marks the runs a killed process left `running` as interrupted.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { jobRuns } from '../../src/lib/server/db/schema';
import {
	INTERRUPTED_MESSAGE,
	ShuttingDownError,
	beginDrain,
	drainJobs,
	endDrainForTests,
	isDraining,
	startJob
} from '../../src/lib/server/services/jobs';
import { runScheduledJob } from '../../src/lib/server/scheduler';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import { jsonError } from '../../src/lib/server/http/api';
import { shutdownTimeoutMs } from '../../src/lib/server/runtime';

let db: Database;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
});
afterEach(() => {
	endDrainForTests();
});

function gate() {
	let open!: () => void;
	const promise = new Promise<void>((resolve) => (open = resolve));
	return { promise, open };
}

async function statusOf(id: number): Promise<{ status: string; error: string | null }> {
	const [row] = await db
		.select({ status: jobRuns.status, error: jobRuns.error })
		.from(jobRuns)
		.where(eq(jobRuns.id, id));
	if (!row) throw new Error(`run ${id} missing`);
	return row;
}

describe('shutdown drain', () => {
	it('refuses new starts with 503 server.shutting_down once draining', async () => {
		beginDrain();
		expect(isDraining()).toBe(true);
		const refused = startJob({ db, job: 'test.drain', run: async () => undefined });
		await expect(refused).rejects.toBeInstanceOf(ShuttingDownError);
		const error = await refused.catch((e: unknown) => e);
		const response = jsonError(error);
		expect(response.status).toBe(503);
		expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
			'server.shutting_down'
		);
		expect(await db.select().from(jobRuns)).toEqual([]);
	});

	it('records nothing for a scheduled tick while draining', async () => {
		beginDrain();
		const deps = { db, secrets: createSecretBox('k'.repeat(40)), dataDir: '/tmp' };
		let ran = false;
		const job = {
			name: 'test.tick',
			defaultPattern: '* * * * *',
			description: 'a test job',
			handler: async () => {
				ran = true;
				return {};
			}
		};
		expect(await runScheduledJob(deps, job, new Date())).toBeNull();
		expect(ran).toBe(false);
		expect(await db.select().from(jobRuns)).toEqual([]);
	});

	it('waits for the runs in flight and lets them finish', async () => {
		const release = gate();
		const started = await startJob({
			db,
			job: 'test.slow',
			run: async () => {
				await release.promise;
				return { message: 'finished' };
			}
		});
		beginDrain();
		setTimeout(release.open, 150);
		const t0 = Date.now();
		const result = await drainJobs(5_000, db);
		expect(Date.now() - t0).toBeLessThan(2_000);
		expect(result).toEqual({ finished: [started.run.id], abandoned: [] });
		expect((await statusOf(started.run.id)).status).toBe('success');
	});

	it('abandons a run still going at the deadline and marks it interrupted', async () => {
		const never = gate();
		const started = await startJob({ db, job: 'test.stuck', run: () => never.promise });
		beginDrain();
		const t0 = Date.now();
		const result = await drainJobs(200, db);
		expect(Date.now() - t0).toBeLessThan(1_500);
		expect(result).toEqual({ finished: [], abandoned: [started.run.id] });
		expect(await statusOf(started.run.id)).toEqual({
			status: 'failed',
			error: INTERRUPTED_MESSAGE
		});
		// Finishing after the deadline does not turn it into a success.
		never.open();
		await started.done;
		expect(await statusOf(started.run.id)).toEqual({
			status: 'failed',
			error: INTERRUPTED_MESSAGE
		});
	});

	it('refuses a start that was under way when the drain began, recording nothing', async () => {
		// Not awaited: the start is still reserving its connection when the drain begins.
		const starting = startJob({ db, job: 'test.racing', run: async () => undefined });
		beginDrain();
		const drained = drainJobs(5_000, db);
		await expect(starting).rejects.toThrow(ShuttingDownError);
		expect((await drained).finished).toEqual([]);
		expect(await db.$count(jobRuns)).toBe(0);
	});

	it('reads SHUTDOWN_TIMEOUT_SECONDS (default 20 s) and refuses a bad value', () => {
		expect(shutdownTimeoutMs({})).toBe(20_000);
		expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_SECONDS: '2.5' })).toBe(2_500);
		expect(() => shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_SECONDS: 'soon' })).toThrow(
			/SHUTDOWN_TIMEOUT_SECONDS .*"soon"/
		);
		expect(() => shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_SECONDS: '-1' })).toThrow();
	});
});

describe('take-over after a process died', () => {
	it('marks the runs a dead process left running as interrupted when it gets the lock', async () => {
		// What a SIGKILLed replica leaves: its rows `running`, its lock gone with its connection.
		const [dead] = await db
			.insert(jobRuns)
			.values({ job: 'dispatch', status: 'running', trigger: 'schedule', startedAt: new Date() })
			.returning();
		const [otherConnector] = await db
			.insert(jobRuns)
			.values({ job: 'health', status: 'running', trigger: 'schedule', startedAt: new Date() })
			.returning();
		if (!dead || !otherConnector) throw new Error('no rows');
		const started = await startJob({ db, job: 'dispatch', run: async () => undefined });
		await started.done;
		expect(await statusOf(dead.id)).toEqual({ status: 'failed', error: INTERRUPTED_MESSAGE });
		// Another job's run is not this lock's business.
		expect((await statusOf(otherConnector.id)).status).toBe('running');
		expect((await statusOf(started.run.id)).status).toBe('success');
	});
});
