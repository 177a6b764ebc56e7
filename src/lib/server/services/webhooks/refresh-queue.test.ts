import { describe, expect, it } from 'vitest';
import { createRefreshQueue, type RefreshTask } from './refresh-queue';

const task = (arrId: number, connectorId = 1): RefreshTask => ({
	connectorId,
	kind: 'series',
	arrId,
	eventType: 'Download'
});

/** A run function whose refreshes finish when the test says so. */
function controlledRun() {
	const started: RefreshTask[] = [];
	const finish: (() => void)[] = [];
	let active = 0;
	let peak = 0;
	const run = (t: RefreshTask) =>
		new Promise<void>((resolve) => {
			started.push(t);
			active++;
			peak = Math.max(peak, active);
			finish.push(() => {
				active--;
				resolve();
			});
		});
	return { run, started, finish, peak: () => peak };
}

describe('the webhook refresh queue', () => {
	it('merges a burst of notifications for one item into one refresh', async () => {
		const runs: RefreshTask[] = [];
		const queue = createRefreshQueue({
			run: async (t) => {
				runs.push(t);
			},
			delayMs: 30
		});
		expect(queue.enqueue(task(5))).toBe('queued');
		for (let i = 0; i < 9; i++) expect(queue.enqueue(task(5))).toBe('merged');
		expect(queue.enqueue(task(5, 2))).toBe('queued'); // another connector's item 5
		await queue.idle();
		expect(runs.map((r) => `${r.connectorId}:${r.arrId}`).sort()).toEqual(['1:5', '2:5']);
	});

	it('runs an item once more when it was notified again while its refresh ran', async () => {
		const c = controlledRun();
		const queue = createRefreshQueue({ run: c.run, delayMs: 0 });
		queue.enqueue(task(1));
		expect(c.started).toHaveLength(1);
		expect(queue.enqueue(task(1))).toBe('merged');
		expect(queue.enqueue(task(1))).toBe('merged');
		c.finish.shift()?.();
		await new Promise((r) => setTimeout(r, 10));
		expect(c.started).toHaveLength(2);
		c.finish.shift()?.();
		await queue.idle();
		expect(c.started).toHaveLength(2);
	});

	it('runs at most `concurrency` refreshes at once and refuses beyond `maxPending`', async () => {
		const c = controlledRun();
		const queue = createRefreshQueue({ run: c.run, delayMs: 0, concurrency: 2, maxPending: 3 });
		for (let i = 1; i <= 5; i++) expect(queue.enqueue(task(i))).toBe('queued');
		expect(queue.size()).toEqual({ pending: 3, running: 2 });
		expect(queue.enqueue(task(99))).toBe('full');
		while (c.finish.length > 0 || queue.size().running > 0) {
			c.finish.shift()?.();
			await new Promise((r) => setTimeout(r, 5));
		}
		await queue.idle();
		expect(c.started).toHaveLength(5);
		expect(c.peak()).toBe(2);
	});

	it('keeps going after a refresh fails', async () => {
		const done: number[] = [];
		const queue = createRefreshQueue({
			run: async (t) => {
				if (t.arrId === 1) throw new Error('app down');
				done.push(t.arrId);
			},
			delayMs: 0,
			concurrency: 1
		});
		queue.enqueue(task(1));
		queue.enqueue(task(2));
		await queue.idle();
		expect(done).toEqual([2]);
	});
});
