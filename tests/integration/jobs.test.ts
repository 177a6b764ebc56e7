/**
 * The job runner on `job_runs`: background work with progress written to its row, one run of a
 * job at a time (here and in another process), user-facing failure messages, interrupted runs
 * marked failed at start-up, and maintenance mode (a restore) keeping other jobs out.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { jobRuns } from '../../src/lib/server/db/schema';
import {
	INTERRUPTED_MESSAGE,
	JOB_RUN_LOCK_NS,
	JobConflictError,
	JobError,
	MaintenanceError,
	getJobRun,
	isMaintenance,
	listJobRuns,
	markInterruptedRuns,
	runningJobs,
	startJob
} from '../../src/lib/server/services/jobs';
import { requireFullAccess } from '../../src/lib/server/api/database-routes';
import { MAINTENANCE_LOCK_NS } from '../../src/lib/server/db/restore-recovery';
import { runScheduledJob, startScheduler } from '../../src/lib/server/scheduler';
import { readConfig } from '../../src/lib/server/config';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import { createMaintenanceHandle } from '../../src/lib/server/http/maintenance';
import { sha256Hex } from '../../src/lib/server/auth/tokens';
import type { RequestEvent } from '@sveltejs/kit';
import { jsonError } from '../../src/lib/server/http/api';

let db: Database;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
});

/** A promise the test resolves when it wants the job to go on. */
function gate() {
	let open!: () => void;
	const promise = new Promise<void>((resolve) => (open = resolve));
	return { promise, open };
}

async function row(id: number) {
	const [found] = await db.select().from(jobRuns).where(eq(jobRuns.id, id));
	if (!found) throw new Error(`run ${id} missing`);
	return found;
}

async function eventually<T>(
	read: () => Promise<T>,
	ok: (value: T) => boolean,
	ms = 3_000
): Promise<T> {
	const until = Date.now() + ms;
	let value = await read();
	while (!ok(value) && Date.now() < until) {
		await Bun.sleep(25);
		value = await read();
	}
	return value;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('job runner', () => {
	it('returns at once with a running row, then writes progress and the outcome to it', async () => {
		const step = gate();
		const finish = gate();
		const started = await startJob({
			db,
			job: 'test.progress',
			userId: null,
			progressIntervalMs: 50,
			run: async (ctx) => {
				await step.promise;
				ctx.progress(0.5, 'Halfway (1 of 2)');
				await finish.promise;
				return { message: 'All done.', result: { items: 2 } };
			}
		});
		expect(started.run.status).toBe('running');
		expect((await row(started.run.id)).status).toBe('running');

		step.open();
		const halfway = await eventually(
			() => row(started.run.id),
			(r) => r.progress === 0.5
		);
		expect(halfway.message).toBe('Halfway (1 of 2)');
		expect(halfway.status).toBe('running');

		finish.open();
		const done = await started.done;
		expect(done.status).toBe('success');
		const stored = await row(started.run.id);
		expect(stored).toMatchObject({
			status: 'success',
			progress: 1,
			message: 'All done.',
			error: null
		});
		expect(stored.result).toEqual({ items: 2 });
		expect(stored.finishedAt).toBeInstanceOf(Date);
	});

	it('throttles progress writes but always lands the last report', async () => {
		const hold = gate();
		const started = await startJob({
			db,
			job: 'test.throttle',
			progressIntervalMs: 60_000,
			run: async (ctx) => {
				ctx.progress(0.1, 'first');
				for (let i = 2; i <= 100; i++) ctx.progress(i / 100, `step ${i}`);
				await hold.promise;
			}
		});
		// The first report is written at once; the next 99 fall inside the interval and wait.
		const first = await eventually(
			() => row(started.run.id),
			(r) => r.message === 'first'
		);
		expect(first.message).toBe('first');
		await Bun.sleep(200);
		expect((await row(started.run.id)).message).toBe('first');
		// The live view (what the API serves for this process's runs) is current meanwhile.
		expect((await getJobRun(db, started.run.id))?.message).toBe('step 100');
		hold.open();
		await started.done;
		expect((await row(started.run.id)).progress).toBe(1);
	});

	it('refuses a second start of the same job while it runs, and allows it afterwards', async () => {
		const hold = gate();
		const first = await startJob({ db, job: 'test.single', run: () => hold.promise });
		const second = startJob({ db, job: 'test.single', run: async () => undefined });
		await expect(second).rejects.toBeInstanceOf(JobConflictError);
		await expect(second).rejects.toMatchObject({ runningId: first.run.id });
		// The refused start leaves the running one's bookkeeping alone.
		expect(runningJobs()).toContain('test.single');
		// Another job is not blocked by it.
		const other = await startJob({ db, job: 'test.other', run: async () => undefined });
		await other.done;
		hold.open();
		await first.done;
		const again = await startJob({ db, job: 'test.single', run: async () => undefined });
		expect((await again.done).status).toBe('success');
		expect((await listJobRuns(db, { job: 'test.single' })).runs).toHaveLength(2);
	});

	it('refuses a start while another process runs the same job (its advisory lock is held)', async () => {
		const other = await db.$client.reserve();
		await other`select pg_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext('test.elsewhere'))`;
		cleanups.push(async () => {
			await other`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext('test.elsewhere'))`;
			await other.release();
		});
		await expect(
			startJob({ db, job: 'test.elsewhere', run: async () => undefined })
		).rejects.toBeInstanceOf(JobConflictError);
		expect((await listJobRuns(db, { job: 'test.elsewhere' })).runs).toHaveLength(0);
	});

	it('answers a second start with 409 jobs.already_running and a restore with 503, as JSON', async () => {
		const conflict = jsonError(new JobConflictError('db.vacuum', 7));
		expect(conflict.status).toBe(409);
		expect(await conflict.json()).toMatchObject({ error: { code: 'jobs.already_running' } });
		const paused = jsonError(new MaintenanceError());
		expect(paused.status).toBe(503);
		expect(await paused.json()).toMatchObject({ error: { code: 'maintenance.restore' } });
	});

	it('keeps backups and encrypted key exports from read-only API keys', () => {
		const locals = (apiKey: App.Locals['apiKey']) => ({ apiKey });
		expect(() => requireFullAccess(locals({ id: 1, readOnly: true }), 'download a backup')).toThrow(
			expect.objectContaining({ status: 403, code: 'auth.read_only' })
		);
		expect(() =>
			requireFullAccess(locals({ id: 1, readOnly: false }), 'download a backup')
		).not.toThrow();
		expect(() => requireFullAccess(locals(null), 'download a backup')).not.toThrow();
	});

	it('records a JobError message as it is, and never the text of any other error', async () => {
		const refused = await startJob({
			db,
			job: 'test.refused',
			run: async () => {
				throw new JobError('The file is not a Comradarr backup: it lacks the tables users.');
			}
		});
		expect(await refused.done).toMatchObject({
			status: 'failed',
			error: 'The file is not a Comradarr backup: it lacks the tables users.'
		});

		const crashed = await startJob({
			db,
			job: 'test.crash',
			run: async () => {
				await db.$client`select secret_column from no_such_table where password = ${'hunter2'}`;
			}
		});
		const done = await crashed.done;
		expect(done.status).toBe('failed');
		const stored = await row(crashed.run.id);
		expect(stored.error).toMatch(/failed unexpectedly; the server log has the details/);
		for (const text of [stored.error, stored.message]) {
			expect(text ?? '').not.toMatch(/no_such_table|secret_column|hunter2|relation|select/i);
		}
	});

	it('marks runs left running by a crash as failed, but not one another process still runs', async () => {
		const [crashed] = await db
			.insert(jobRuns)
			.values({
				job: 'db.vacuum',
				status: 'running',
				startedAt: new Date(),
				message: 'Vacuuming x (2 of 9)'
			})
			.returning();
		const [elsewhere] = await db
			.insert(jobRuns)
			.values({ job: 'db.backup', status: 'running', startedAt: new Date() })
			.returning();
		const [finished] = await db
			.insert(jobRuns)
			.values({ job: 'db.prune', status: 'success', finishedAt: new Date() })
			.returning();
		const other = await db.$client.reserve();
		await other`select pg_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext('db.backup'))`;
		try {
			expect(await markInterruptedRuns(db)).toBe(1);
		} finally {
			await other`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext('db.backup'))`;
			await other.release();
		}
		expect(await row(crashed!.id)).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE });
		expect((await row(crashed!.id)).finishedAt).toBeInstanceOf(Date);
		expect((await row(elsewhere!.id)).status).toBe('running');
		expect((await row(finished!.id)).status).toBe('success');
	});

	it('marks interrupted runs at start-up, also with the scheduler off', async () => {
		const [left] = await db
			.insert(jobRuns)
			.values({ job: 'db.backup', status: 'running', startedAt: new Date() })
			.returning();
		await startScheduler({
			config: readConfig({ SCHEDULER_ENABLED: 'false' }),
			db,
			secrets: createSecretBox('test'),
			stop: async () => undefined
		});
		expect(await row(left!.id)).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE });
	});

	it('lets an exclusive job (a restore) wait for running jobs, and keeps new jobs out while it runs', async () => {
		const busy = gate();
		const running = await startJob({ db, job: 'test.busy', run: () => busy.promise });
		const order: string[] = [];
		const exclusiveHold = gate();
		const exclusive = await startJob({
			db,
			job: 'test.exclusive',
			exclusive: true,
			run: async () => {
				order.push('exclusive started');
				await exclusiveHold.promise;
			}
		});
		expect(isMaintenance()).toBe(true);
		await expect(
			startJob({ db, job: 'test.late', run: async () => undefined })
		).rejects.toBeInstanceOf(MaintenanceError);
		await Bun.sleep(150);
		expect(order).toEqual([]);
		expect((await getJobRun(db, exclusive.run.id))?.message).toBe(
			'Waiting for running jobs to finish…'
		);
		order.push('busy finished');
		busy.open();
		await running.done;
		await eventually(
			async () => order.length,
			(n) => n === 2
		);
		expect(order).toEqual(['busy finished', 'exclusive started']);
		exclusiveHold.open();
		expect((await exclusive.done).status).toBe('success');
		expect(isMaintenance()).toBe(false);
		const after = await startJob({ db, job: 'test.late', run: async () => undefined });
		expect((await after.done).status).toBe('success');
	});

	it('ends maintenance before a restore reads as finished, so its follower may go on at once', async () => {
		const failing = await startJob({
			db,
			job: 'test.exclusive-fails',
			exclusive: true,
			run: async () => {
				throw new JobError('The file is not a Comradarr backup.');
			}
		});
		// Follow the run as the UI does, as closely as possible: the moment it reads as final, the
		// app must already be out of maintenance.
		let seenFinal = false;
		for (let i = 0; i < 10_000 && !seenFinal; i++) {
			// A turn of the event loop each time, so the run goes on between two looks.
			await new Promise((resolve) => setImmediate(resolve));
			const run = await getJobRun(db, failing.run.id);
			if (run && run.status !== 'queued' && run.status !== 'running') {
				seenFinal = true;
				expect(run.status).toBe('failed');
				expect(isMaintenance()).toBe(false);
			}
		}
		expect(seenFinal).toBe(true);
		expect((await failing.done).status).toBe('failed');
	});

	it('skips scheduled runs and refuses jobs while a restore in another process holds the database', async () => {
		const other = await db.$client.reserve();
		await other`select pg_advisory_lock(${MAINTENANCE_LOCK_NS}, 0)`;
		let ran = false;
		const scheduled = {
			name: 'test.scheduled',
			defaultPattern: '* * * * *',
			description: 'A scheduled job of the test',
			handler: async () => {
				ran = true;
				return {};
			}
		};
		const schedulerDeps = { db, secrets: createSecretBox('test secret'), dataDir: '/nonexistent' };
		try {
			expect(await runScheduledJob(schedulerDeps, scheduled)).toBeNull();
			await expect(
				startJob({ db, job: 'test.blocked', run: async () => undefined })
			).rejects.toBeInstanceOf(MaintenanceError);
		} finally {
			await other`select pg_advisory_unlock(${MAINTENANCE_LOCK_NS}, 0)`;
			await other.release();
		}
		expect(ran).toBe(false);
		expect(await listJobRuns(db, { job: 'test.scheduled' })).toMatchObject({ runs: [] });
		expect(await runScheduledJob(schedulerDeps, scheduled)).toMatchObject({ status: 'success' });
		expect(ran).toBe(true);
		// The refused start left no row and no lock behind.
		expect((await listJobRuns(db, { job: 'test.blocked' })).runs).toEqual([]);
		expect(
			(await (await startJob({ db, job: 'test.blocked', run: async () => undefined })).done).status
		).toBe('success');
	});

	it('answers every request with 503 during a restore, except its starter following the run', async () => {
		const handle = createMaintenanceHandle();
		const resolved: string[] = [];
		const call = (path: string, headers: Record<string, string> = {}, token?: string) =>
			handle({
				event: {
					url: new URL(`http://comradarr.test${path}`),
					request: new Request(`http://comradarr.test${path}`, { headers }),
					cookies: { get: (name: string) => (name === 'comradarr_session' ? token : undefined) }
				} as unknown as RequestEvent,
				resolve: async () => {
					resolved.push(path);
					return new Response('resolved');
				}
			});
		expect(await (await call('/dashboard')).text()).toBe('resolved');

		const hold = gate();
		const restore = await startJob({
			db,
			job: 'db.restore',
			exclusive: true,
			followers: [sha256Hex('starter-token'), sha256Hex('starter-api-key')],
			run: () => hold.promise
		});
		try {
			const api = await call('/api/v1/connectors', {}, 'starter-token');
			expect(api.status).toBe(503);
			expect(await api.json()).toEqual({
				error: {
					code: 'maintenance.restore',
					message: 'A restore is in progress; try again when it has finished.'
				}
			});
			const page = await call('/dashboard');
			expect(page.status).toBe(503);
			expect(await page.text()).toContain('Restoring a backup');
			expect((await call('/health')).status).toBe(503);
			// A webhook from an *arr app is refused in JSON too: nothing is written during a restore.
			const webhook = await call('/webhooks/1');
			expect(webhook.status).toBe(503);
			expect(await webhook.json()).toMatchObject({ error: { code: 'maintenance.restore' } });
			expect((await call(`/api/v1/jobs/${restore.run.id}`, {}, 'someone-else')).status).toBe(503);
			const followed = await call(`/api/v1/jobs/${restore.run.id}`, {}, 'starter-token');
			expect(followed.status).toBe(200);
			expect(await followed.json()).toMatchObject({
				id: restore.run.id,
				job: 'db.restore',
				status: 'running'
			});
			const byKey = await call(`/api/v1/jobs/${restore.run.id}`, {
				'x-api-key': 'starter-api-key'
			});
			expect(byKey.status).toBe(200);
			expect((await call('/_app/immutable/app.js')).status).toBe(200);
		} finally {
			hold.open();
			await restore.done;
		}
		expect(await (await call('/api/v1/connectors')).text()).toBe('resolved');
	});

	it('pages runs newest first', async () => {
		for (let i = 0; i < 5; i++) {
			await db
				.insert(jobRuns)
				.values({ job: 'test.page', status: 'success', finishedAt: new Date() });
		}
		const first = await listJobRuns(db, { job: 'test.page', limit: 2 });
		expect(first.runs).toHaveLength(2);
		expect(first.runs[0]!.id).toBeGreaterThan(first.runs[1]!.id);
		const second = await listJobRuns(db, { job: 'test.page', limit: 2, before: first.nextBefore! });
		expect(second.runs[0]!.id).toBeLessThan(first.runs[1]!.id);
		const last = await listJobRuns(db, { job: 'test.page', limit: 2, before: second.nextBefore! });
		expect(last.runs).toHaveLength(1);
		expect(last.nextBefore).toBeNull();
	});
});
