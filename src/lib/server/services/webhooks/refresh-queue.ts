/**
 * The refreshes webhooks ask for, run after the response: deduplicated per item, bounded in
 * number and in concurrency, in this process only (a refresh lost to a restart is caught by the
 * next sync).
 *
 * - One entry per `(connector, kind, arrId)`: a notification for an item already waiting joins it
 *   (a season pack imports as one Download per file, seconds apart); one for an item being
 *   refreshed right now marks it to run once more afterwards, so a change the running read may
 *   have missed is read too.
 * - A task waits `delayMs` (default 500 ms) before it starts, so a burst becomes one refresh.
 * - At most `concurrency` refreshes run at once (default 2; the connector's own limiter bounds
 *   its requests in flight as well), and at most `maxPending` items wait (default 1000): beyond
 *   that a notification is refused (`full`) instead of growing memory without bound.
 * - A refresh that fails is logged with its item and not retried: the next sync corrects the
 *   mirror.
 */
import { moduleLogger } from '../../logger';
import type { LibraryKind } from '../../connectors';

const log = moduleLogger('webhooks');

/** One item to refresh. */
export interface RefreshTask {
	connectorId: number;
	kind: LibraryKind;
	arrId: number;
	/** The notification that asked (kept in the log and the events), e.g. `Download`. */
	eventType: string;
}

/** What `enqueue` did with a task. */
export type EnqueueOutcome = 'queued' | 'merged' | 'full';

export interface RefreshQueue {
	/** Schedules `task` (see the module comment). Never throws; never waits for the refresh. */
	enqueue(task: RefreshTask): EnqueueOutcome;
	/** Resolves once nothing waits or runs (tests; shutdown). */
	idle(): Promise<void>;
	/** Items waiting and running now. */
	size(): { pending: number; running: number };
}

export interface RefreshQueueOptions {
	/** Does one refresh; a rejection is logged. */
	run: (task: RefreshTask) => Promise<void>;
	concurrency?: number;
	maxPending?: number;
	/** Wait before a task starts, in ms. */
	delayMs?: number;
}

interface Entry {
	task: RefreshTask;
	/** When it may start (ms since the epoch). */
	dueAt: number;
}

function keyOf(task: RefreshTask): string {
	return `${task.connectorId}:${task.kind}:${task.arrId}`;
}

/** Creates a queue; see the module comment for its rules. */
export function createRefreshQueue(options: RefreshQueueOptions): RefreshQueue {
	const concurrency = Math.max(1, options.concurrency ?? 2);
	const maxPending = Math.max(1, options.maxPending ?? 1000);
	const delayMs = Math.max(0, options.delayMs ?? 500);
	const pending = new Map<string, Entry>();
	const running = new Map<string, { again: RefreshTask | null }>();
	let timer: ReturnType<typeof setTimeout> | null = null;
	let waiters: (() => void)[] = [];

	const settleIdle = (): void => {
		if (pending.size > 0 || running.size > 0) return;
		const done = waiters;
		waiters = [];
		for (const resolve of done) resolve();
	};

	const schedule = (): void => {
		if (timer !== null || running.size >= concurrency) return;
		let next: number | null = null;
		for (const [key, entry] of pending) {
			if (running.has(key)) continue;
			next = next === null ? entry.dueAt : Math.min(next, entry.dueAt);
		}
		if (next === null) return;
		timer = setTimeout(
			() => {
				timer = null;
				pump();
			},
			Math.max(0, next - Date.now())
		);
		// A waiting refresh must not keep the process alive at shutdown.
		(timer as { unref?: () => void }).unref?.();
	};

	const start = (key: string, task: RefreshTask): void => {
		const state = { again: null as RefreshTask | null };
		running.set(key, state);
		options
			.run(task)
			.catch((error: unknown) => {
				log.warn({ err: error, ...task }, 'webhook refresh failed; the next sync will correct it');
			})
			.finally(() => {
				running.delete(key);
				if (state.again) pending.set(key, { task: state.again, dueAt: Date.now() });
				pump();
				settleIdle();
			});
	};

	const pump = (): void => {
		const now = Date.now();
		for (const [key, entry] of pending) {
			if (running.size >= concurrency) break;
			if (running.has(key) || entry.dueAt > now) continue;
			pending.delete(key);
			start(key, entry.task);
		}
		schedule();
	};

	return {
		enqueue(task) {
			const key = keyOf(task);
			const active = running.get(key);
			if (active) {
				active.again = task;
				return 'merged';
			}
			if (pending.has(key)) return 'merged';
			if (pending.size >= maxPending) return 'full';
			pending.set(key, { task, dueAt: Date.now() + delayMs });
			if (delayMs === 0) pump();
			else schedule();
			return 'queued';
		},
		idle() {
			if (pending.size === 0 && running.size === 0) return Promise.resolve();
			return new Promise<void>((resolve) => waiters.push(resolve));
		},
		size() {
			return { pending: pending.size, running: running.size };
		}
	};
}
