/**
 * Multi-instance safety of scheduled jobs: a job runs under a PostgreSQL advisory lock, so while
 * one process (connection) runs it, another skips it; the lock is released afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testDb } from '../helpers/db';
import { JOBS, jobStatuses, withJobLock } from '../../src/lib/server/scheduler';
import type { Database } from '../../src/lib/server/db';

let db: Database;
beforeAll(async () => {
	db = await testDb();
});

describe('scheduled jobs', () => {
	it('run in one place at a time and release their lock', async () => {
		let release!: () => void;
		const running = new Promise<void>((resolve) => (release = resolve));
		let entered = 0;
		const first = withJobLock(db, 0, async () => {
			entered++;
			await running;
		});
		await Bun.sleep(50);
		// A second runner (another instance) finds the lock taken and skips.
		expect(await withJobLock(db, 0, async () => void entered++)).toBe(false);
		// Other jobs are not blocked by it.
		expect(await withJobLock(db, 1, async () => void entered++)).toBe(true);
		release();
		expect(await first).toBe(true);
		expect(await withJobLock(db, 0, async () => void entered++)).toBe(true);
		expect(entered).toBe(3);
	});

	it('releases the lock when the job throws', async () => {
		await expect(
			withJobLock(db, 2, async () => {
				throw new Error('boom');
			})
		).rejects.toThrow('boom');
		expect(await withJobLock(db, 2, async () => undefined)).toBe(true);
	});

	it('lists every job, not scheduled in a process whose scheduler is off', () => {
		const statuses = jobStatuses();
		expect(statuses.map((s) => s.name)).toEqual(JOBS.map((j) => j.name));
		expect(statuses.every((s) => !s.scheduled && s.nextRunAt === null && s.lastRun === null)).toBe(
			true
		);
	});
});
