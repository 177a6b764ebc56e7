/**
 * The job runner: long work (vacuum, prune, backup, restore…) runs in the background as a row of
 * `job_runs` that the UI follows, never inside the request that started it.
 *
 * `startJob()` takes the job's lock, inserts the run (`running`) and returns at once; the work
 * runs afterwards and reports through `ctx.progress(fraction, message)`, written to the row at
 * most every `progressIntervalMs` (the last report always lands). The end is recorded as
 * `success` with the job's summary, or `failed` with a message for the user: a `JobError`'s own
 * message, otherwise a generic sentence (the details go to the log, never to the row).
 *
 * One run of a job at a time, across processes: the run holds a session-level advisory lock
 * (namespace `JOB_RUN_LOCK_NS`, key `hashtext(lockKeyOf(job, connectorId))`) on a reserved
 * connection until it ends; a second start gets `JobConflictError` (→ 409). A per-connector job
 * locks its family for that connector (`sync.full` and `sync.incremental` of connector 5 share
 * `sync.connector.5`), so two syncs of one connector never overlap, whatever their mode. A run also holds the maintenance lock shared
 * (maintenance.ts), so no job starts during a restore; a job started with `exclusive: true` (the
 * restore) instead raises the maintenance flag and waits for every other job to finish.
 *
 * A row left `running` by a crash is marked failed by `markInterruptedRuns()` at start-up; a run
 * still holding its lock (another live process) is left alone. A start that gets the lock also
 * marks the rows of its lock key still `running` as interrupted: holding the lock proves nobody
 * runs them (the process that did was killed, and PostgreSQL released its session locks), so a
 * replica that takes a job over never shows the dead process's run as live beside its own.
 *
 * Shutdown (runtime.ts): `beginDrain()` makes every later start throw `ShuttingDownError` (→ 503);
 * `drainJobs(timeoutMs)` waits for the runs in flight, and marks those still running after the
 * wait as interrupted (the next start's recovery sees them as such; their work is cut off when
 * the pool closes).
 */
import { and, eq, inArray, isNull, like, or } from 'drizzle-orm';
import type { ReservedSQL } from 'bun';
import type { Database } from '$lib/server/db';
import { jobRuns, type JobRun, type JobTrigger } from '$lib/server/db/schema';
import { moduleLogger, withCorrelation, type Logger } from '$lib/server/logger';
import type { JobRunView } from '$lib/types/jobs';
import { DomainError } from '$lib/server/errors';
import { JobConflictError, JobError, MaintenanceError, jobLabel } from './errors';
import {
	enterExclusive,
	enterMaintenance,
	isMaintenance,
	leaveExclusive,
	leaveMaintenance,
	leaveShared,
	tryEnterShared
} from './maintenance';

const log = moduleLogger('jobs');

/** Advisory lock namespace of job runs ("JR"); the second key is `hashtext(job)`. */
export const JOB_RUN_LOCK_NS = 0x4a52;
/** Default minimum time between two progress writes of one run (ms). */
export const PROGRESS_INTERVAL_MS = 500;
/** How long an exclusive job waits for running jobs to finish (ms). */
export const EXCLUSIVE_WAIT_MS = 120_000;
/** The error recorded on runs a crash or restart cut short. */
export const INTERRUPTED_MESSAGE = 'Interrupted by a restart before it finished.';

/** What a job reports while it works. */
export interface JobContext {
	/** The run's id (`job_runs.id`). */
	readonly runId: number;
	readonly log: Logger;
	/**
	 * Reports progress: `fraction` 0–1 (clamped; null when unknown) and what is happening now
	 * ("Vacuuming episodes (3 of 14)"). Cheap to call often: writes are throttled.
	 */
	progress(fraction: number | null, message?: string): void;
	/**
	 * Reports the step and its counts ("episodes", 120 of 4,000 series); the fraction follows
	 * `done / total` when both are known. Throttled like `progress`.
	 */
	step(phase: string | null, done: number | null, total: number | null, message?: string): void;
	/**
	 * Runs `task` with progress kept in memory only (served by `liveRun`), for work during which
	 * `job_runs` cannot be written (a restore swaps the schema under it).
	 */
	holdWrites<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * What a job returns: the final message for the user, a summary for the row's `result`, and its
 * status when it is not plain `success` (`partial`: part of the work failed; `failed` with
 * `error`, a sentence for the user; `skipped`: nothing was done, `message` says why).
 */
export interface JobOutcome {
	message?: string;
	result?: Record<string, unknown>;
	status?: 'success' | 'partial' | 'failed' | 'skipped';
	error?: string;
}

export interface StartJobOptions {
	db: Database;
	/** Dotted name (`db.vacuum`); one run per name at a time. */
	job: string;
	/** The user who started it; null for scheduled runs. */
	userId?: number | null;
	trigger?: JobTrigger;
	/** The connector a per-connector run works on (recorded on the row). */
	connectorId?: number | null;
	run: (ctx: JobContext) => Promise<JobOutcome | void>;
	/** Raise maintenance mode and wait for all other jobs first (a restore). */
	exclusive?: boolean;
	/** With `exclusive`: digests of the credentials that may follow the run meanwhile. */
	followers?: Iterable<string>;
	/** Minimum ms between progress writes; default `PROGRESS_INTERVAL_MS`. */
	progressIntervalMs?: number;
	/** Current time; tests pass their own. */
	clock?: () => Date;
}

export interface StartedJob {
	/** The run as inserted (`running`). */
	run: JobRunView;
	/** Settles with the final run once the work is done (never rejects). */
	done: Promise<JobRunView>;
}

/** A start refused because this process is shutting down (SIGTERM / SIGINT; → 503). */
export class ShuttingDownError extends DomainError {
	constructor() {
		super(
			'server.shutting_down',
			'Comradarr is shutting down and starts no new jobs; try again once it is back.',
			{ status: 503 }
		);
		this.name = 'ShuttingDownError';
	}
}

interface RunnerState {
	/** lock key → id of its run in this process (0 while starting). */
	running: Map<string, number>;
	/** lock key → the id its start in progress will get (null if that start fails). */
	starting: Map<string, Promise<number | null>>;
	/** Live views of this process's runs, fresher than the row between two writes. */
	live: Map<number, JobRunView>;
	/** Run id → its end, for the shutdown's wait. */
	ends: Map<number, Promise<JobRunView>>;
	/** Set by `beginDrain()`: no new start from then on. */
	draining: boolean;
}

const state: RunnerState = ((globalThis as { __comradarrJobs?: RunnerState }).__comradarrJobs ??= {
	running: new Map(),
	starting: new Map(),
	live: new Map(),
	ends: new Map(),
	draining: false
});
// A state object made by an older copy of this module (dev/HMR) lacks the newer fields.
state.ends ??= new Map();
state.draining ??= false;

/** The row as the API shows it. */
export function toJobView(row: JobRun): JobRunView {
	return {
		id: row.id,
		job: row.job,
		status: row.status,
		trigger: row.trigger,
		connectorId: row.connectorId,
		phase: row.phase,
		done: row.done,
		total: row.total,
		progress: row.progress,
		message: row.message,
		result: row.result ?? null,
		error: row.error,
		createdAt: row.createdAt.toISOString(),
		startedAt: row.startedAt?.toISOString() ?? null,
		finishedAt: row.finishedAt?.toISOString() ?? null
	};
}

/** This process's live view of a run, or undefined when it does not run it. */
export function liveRun(id: number): JobRunView | undefined {
	const view = state.live.get(id);
	return view ? { ...view } : undefined;
}

/** Lock keys of the jobs running in this process: the job's name, or `sync.connector.5`. */
export function runningJobs(): string[] {
	return [...state.running.keys()];
}

/**
 * The advisory-lock key of a run: the job's name, or for a per-connector job its family and the
 * connector (`sync.full` of connector 5 → `sync.connector.5`). Derived from names, never from a
 * position in a list, so adding a job never moves another's lock.
 */
export function lockKeyOf(job: string, connectorId: number | null | undefined): string {
	if (connectorId === null || connectorId === undefined) return job;
	return `${job.split('.')[0]}.connector.${connectorId}`;
}

/** The rows of `job_runs` that share `job`'s lock key (see `lockKeyOf`). */
function sameLockKey(job: string, connectorId: number | null | undefined) {
	const family = job.split('.')[0] ?? job;
	return connectorId === null || connectorId === undefined
		? and(eq(jobRuns.job, job), isNull(jobRuns.connectorId))
		: and(
				eq(jobRuns.connectorId, connectorId),
				or(eq(jobRuns.job, family), like(jobRuns.job, `${family}.%`))
			);
}

/** The live run holding `job`'s lock according to the database (another process's), or null. */
async function runningIdOf(
	db: Database,
	job: string,
	connectorId: number | null | undefined
): Promise<number | null> {
	const [row] = await db
		.select({ id: jobRuns.id })
		.from(jobRuns)
		.where(and(sameLockKey(job, connectorId), inArray(jobRuns.status, ['queued', 'running'])))
		.orderBy(jobRuns.id)
		.limit(1);
	return row?.id ?? null;
}

/**
 * Starts `options.run` in the background as a new run of `options.job`.
 * @throws JobConflictError when the job is already running (here or in another process);
 *   MaintenanceError when a restore holds the database; database errors when the row cannot be
 *   written (nothing runs then).
 */
export async function startJob(options: StartJobOptions): Promise<StartedJob> {
	const { db, job } = options;
	const key = lockKeyOf(job, options.connectorId);
	const clock = options.clock ?? (() => new Date());
	if (state.draining) throw new ShuttingDownError();
	if (isMaintenance()) throw new MaintenanceError();
	if (state.running.has(key)) {
		// A start still writing its row here: its id comes within milliseconds, so the caller can
		// join that run instead of being told "running" without knowing which run.
		const id = state.running.get(key) || ((await state.starting.get(key)) ?? null);
		throw new JobConflictError(job, id);
	}
	// Claimed synchronously, so two starts in one tick cannot both get past this point.
	state.running.set(key, 0);
	let started!: (id: number | null) => void;
	state.starting.set(key, new Promise((resolve) => (started = resolve)));
	let conn: ReservedSQL | undefined;
	let jobLocked = false;
	let sharedLocked = false;
	try {
		conn = await db.$client.reserve();
		const [lock] =
			(await conn`select pg_try_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext(${key})) as locked`) as {
				locked: boolean;
			}[];
		if (!lock?.locked) {
			throw new JobConflictError(job, await runningIdOf(db, job, options.connectorId));
		}
		jobLocked = true;
		// A drain that began while this start waited for its connection: no run is recorded.
		if (state.draining) throw new ShuttingDownError();
		if (!options.exclusive) {
			if (!(await tryEnterShared(conn))) throw new MaintenanceError();
			sharedLocked = true;
		}
		const now = clock();
		await takeOverStaleRuns(db, job, options.connectorId, now);
		const [row] = await db
			.insert(jobRuns)
			.values({
				job,
				status: 'running',
				trigger: options.trigger ?? 'manual',
				connectorId: options.connectorId ?? null,
				userId: options.userId ?? null,
				progress: null,
				message: options.exclusive ? 'Waiting for running jobs to finish…' : 'Starting…',
				createdAt: now,
				startedAt: now
			})
			.returning();
		if (!row) throw new Error('insert into job_runs returned no row');
		const view = toJobView(row);
		state.running.set(key, view.id);
		state.starting.delete(key);
		started(view.id);
		state.live.set(view.id, { ...view });
		// Up before the caller hears of the run: from now on nothing else starts here.
		if (options.exclusive) enterMaintenance(view.id, options.followers ?? []);
		const locks = { conn, sharedLocked };
		const done = new Promise<JobRunView>((resolve) => {
			// Detached from the request: the work begins after startJob has returned.
			setTimeout(() => void execute(options, view, locks, clock).then(resolve), 0);
		});
		state.ends.set(view.id, done);
		void done.then(() => state.ends.delete(view.id));
		return { run: view, done };
	} catch (error) {
		state.running.delete(key);
		state.starting.delete(key);
		started(null);
		if (conn) {
			if (sharedLocked) await leaveShared(conn).catch(() => undefined);
			if (jobLocked) await unlockJob(conn, key).catch(() => undefined);
			await conn.release();
		}
		throw error;
	}
}

/**
 * Marks the rows of `job`'s lock key still `queued`/`running` as interrupted. Called with the lock
 * held: no live process runs them, so they were left by a process that died (SIGKILL, a crash,
 * a lost host) without `markInterruptedRuns` having run since.
 */
async function takeOverStaleRuns(
	db: Database,
	job: string,
	connectorId: number | null | undefined,
	now: Date
): Promise<void> {
	const stale = await db
		.update(jobRuns)
		.set({ status: 'failed', error: INTERRUPTED_MESSAGE, finishedAt: now })
		.where(and(sameLockKey(job, connectorId), inArray(jobRuns.status, ['queued', 'running'])))
		.returning({ id: jobRuns.id });
	if (stale.length > 0) {
		log.warn(
			{ job, connectorId: connectorId ?? null, runs: stale.map((r) => r.id) },
			'took over a job whose runs a stopped process left running; marked them interrupted'
		);
	}
}

/** Whether this process is shutting down (`beginDrain()` was called): no new job starts. */
export function isDraining(): boolean {
	return state.draining;
}

/**
 * Stops this process from starting jobs: every later `startJob` throws `ShuttingDownError`
 * (→ 503), scheduled ticks do nothing, and the dispatcher claims no further command. Runs in
 * flight go on (see `drainJobs`). Irreversible but for tests (`endDrainForTests`).
 */
export function beginDrain(): void {
	state.draining = true;
}

/** Lets a test process start jobs again after `beginDrain()`. */
export function endDrainForTests(): void {
	state.draining = false;
}

/** What the shutdown's wait for running jobs came to. */
export interface DrainResult {
	/** Runs that were in flight when the wait began and ended within it. */
	finished: number[];
	/** Runs still going at the deadline, now marked interrupted in `job_runs`. */
	abandoned: number[];
}

/**
 * Waits up to `timeoutMs` for this process's runs in flight to end (call `beginDrain()` first, or
 * new ones may start meanwhile). Those still running at the deadline are marked interrupted
 * (`INTERRUPTED_MESSAGE`), as `markInterruptedRuns` would at the next start; their work is cut off
 * when the pool closes. A dispatcher cut off mid-POST leaves its command `sending`, which the
 * next dispatcher pass's recovery resolves without sending it twice (queue/recovery.ts).
 * Never throws (a failed write is logged: the next start marks the rows).
 */
export async function drainJobs(timeoutMs: number, db?: Database): Promise<DrainResult> {
	// Starts already past their draining check end first (a run, or a refusal), so their runs are
	// in the wait below too.
	await Promise.all(state.starting.values());
	const inFlight = new Map(state.ends);
	const finished: number[] = [];
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
	const ended = [...inFlight].map(([id, end]) => end.then(() => void finished.push(id)));
	await Promise.race([Promise.all(ended), deadline]);
	clearTimeout(timer);
	const abandoned = [...inFlight.keys()].filter((id) => !finished.includes(id));
	if (abandoned.length > 0 && db) {
		try {
			await db
				.update(jobRuns)
				.set({ status: 'failed', error: INTERRUPTED_MESSAGE, finishedAt: new Date() })
				.where(and(inArray(jobRuns.id, abandoned), inArray(jobRuns.status, ['queued', 'running'])));
		} catch (error) {
			log.error({ err: String(error), runs: abandoned }, 'could not mark abandoned runs');
		}
	}
	return { finished, abandoned };
}

async function unlockJob(conn: ReservedSQL, key: string): Promise<void> {
	await conn`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext(${key}))`;
}

/** Runs the work, writes progress and the outcome, and releases everything. */
async function execute(
	options: StartJobOptions,
	initial: JobRunView,
	locks: { conn: ReservedSQL; sharedLocked: boolean },
	clock: () => Date
): Promise<JobRunView> {
	const { db, job } = options;
	const key = lockKeyOf(job, options.connectorId);
	const id = initial.id;
	const runLog = log.child({ job, runId: id });
	// With `job finished`, tells which process ran a run (several replicas on one database).
	runLog.debug({ trigger: initial.trigger, pid: process.pid }, 'job started');
	const interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
	const view = state.live.get(id) ?? { ...initial };
	let held = 0;
	let lastWrite = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let writes: Promise<void> = Promise.resolve();
	let exclusiveHeld = false;

	const write = (): void => {
		timer = undefined;
		if (held > 0) return;
		lastWrite = Date.now();
		const values = {
			progress: view.progress,
			message: view.message,
			phase: view.phase,
			done: view.done,
			total: view.total
		};
		writes = writes.then(async () => {
			try {
				await db.update(jobRuns).set(values).where(eq(jobRuns.id, id));
			} catch (error) {
				runLog.warn({ err: String(error) }, 'progress write failed');
			}
		});
	};
	const schedule = (): void => {
		if (held > 0 || timer) return;
		const wait = lastWrite + interval - Date.now();
		if (wait <= 0) write();
		else timer = setTimeout(write, wait);
	};
	const ctx: JobContext = {
		runId: id,
		log: runLog,
		progress(fraction, message) {
			view.progress =
				fraction === null || !Number.isFinite(fraction) ? null : Math.min(1, Math.max(0, fraction));
			if (message !== undefined) view.message = message;
			schedule();
		},
		step(phase, done, total, message) {
			view.phase = phase;
			view.done = done;
			view.total = total;
			if (done !== null && total !== null && total > 0) {
				view.progress = Math.min(1, Math.max(0, done / total));
			}
			if (message !== undefined) view.message = message;
			schedule();
		},
		async holdWrites(task) {
			held++;
			if (timer) clearTimeout(timer);
			timer = undefined;
			await writes;
			try {
				return await task();
			} finally {
				held--;
				if (held === 0) schedule();
			}
		}
	};

	let outcome: JobOutcome | void = undefined;
	let failure: string | null = null;
	try {
		if (options.exclusive) {
			if (!(await enterExclusive(locks.conn, EXCLUSIVE_WAIT_MS))) {
				throw new JobError(
					'Other jobs were still running after two minutes; nothing was changed. Try again later.'
				);
			}
			exclusiveHeld = true;
			ctx.progress(0, 'Starting…');
		}
		// Every line logged by the job's work, in any module, carries `cid: job:<run id>`.
		outcome = await withCorrelation(`job:${id}`, () => options.run(ctx));
	} catch (error) {
		if (error instanceof JobError) {
			failure = error.message;
			runLog.warn({ reason: error.message, cause: String(error.cause ?? '') }, 'job failed');
		} else {
			failure = `${jobLabel(job)} failed unexpectedly; the server log has the details (run ${id}).`;
			runLog.error({ err: error }, 'job crashed');
		}
	}

	if (timer) clearTimeout(timer);
	await writes;
	// Maintenance ends before the run reads as finished: whoever follows a restore to its end may
	// use the app at once (a 503 after "failed" or "success" would be a lie).
	if (exclusiveHeld) {
		try {
			await leaveExclusive(locks.conn);
		} catch (error) {
			runLog.warn({ err: String(error) }, 'could not release the maintenance lock');
		}
	}
	if (options.exclusive) leaveMaintenance(id);
	const finishedAt = clock();
	if (failure === null && outcome?.status === 'failed') {
		failure = outcome.error ?? `${jobLabel(job)} failed.`;
	}
	view.status = failure === null ? (outcome?.status ?? 'success') : 'failed';
	view.finishedAt = finishedAt.toISOString();
	view.error = failure;
	if (outcome?.result) view.result = outcome.result;
	if (failure === null) {
		view.progress = 1;
		view.message = outcome?.message ?? 'Done.';
	} else if (outcome?.message) {
		view.message = outcome.message;
	}
	try {
		const recorded = await db
			.update(jobRuns)
			.set({
				status: view.status,
				progress: view.progress,
				message: view.message,
				phase: view.phase,
				done: view.done,
				total: view.total,
				result: view.result,
				error: view.error,
				finishedAt
			})
			// Only a run still recorded as running: one a drain abandoned, or another process took
			// over after losing this one's lock, keeps the interruption it was given.
			.where(and(eq(jobRuns.id, id), eq(jobRuns.status, 'running')))
			.returning({ id: jobRuns.id });
		if (recorded.length === 0) {
			runLog.warn({ status: view.status }, 'run ended after it was recorded as interrupted');
		}
	} catch (error) {
		runLog.error({ err: String(error) }, 'could not record the end of the run');
	}
	try {
		if (locks.sharedLocked) await leaveShared(locks.conn);
		await unlockJob(locks.conn, key);
	} catch (error) {
		runLog.warn({ err: String(error) }, 'could not release the job locks');
	} finally {
		await locks.conn.release();
		state.running.delete(key);
		state.live.delete(id);
	}
	runLog.info({ status: view.status }, 'job finished');
	return { ...view };
}

/**
 * Records a run that did not start (another run held its lock) as `skipped` with the reason, so
 * the history shows the tick. Marked `result.idle` (Prune removes it after a day).
 */
export async function recordSkippedRun(
	db: Database,
	options: { job: string; trigger: JobTrigger; message: string; runningId: number | null },
	now: Date = new Date()
): Promise<JobRunView | null> {
	const [row] = await db
		.insert(jobRuns)
		.values({
			job: options.job,
			status: 'skipped',
			trigger: options.trigger,
			message: options.message,
			result: { idle: true, runningId: options.runningId },
			createdAt: now,
			startedAt: now,
			finishedAt: now
		})
		.returning();
	return row ? toJobView(row) : null;
}

/**
 * Marks runs left `queued`/`running` by a crash or restart as failed ("Interrupted by a
 * restart…"). A job whose lock is held (running in another process, or in this one) is skipped.
 * @returns the number of runs marked.
 */
export async function markInterruptedRuns(
	db: Database,
	clock: () => Date = () => new Date()
): Promise<number> {
	const live = await db
		.selectDistinct({ job: jobRuns.job, connectorId: jobRuns.connectorId })
		.from(jobRuns)
		.where(inArray(jobRuns.status, ['queued', 'running']));
	let marked = 0;
	for (const { job, connectorId } of live) {
		const key = lockKeyOf(job, connectorId);
		if (state.running.has(key)) continue;
		const conn = await db.$client.reserve();
		try {
			const [lock] =
				(await conn`select pg_try_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext(${key})) as locked`) as {
					locked: boolean;
				}[];
			if (!lock?.locked) continue;
			try {
				const rows = await db
					.update(jobRuns)
					.set({ status: 'failed', error: INTERRUPTED_MESSAGE, finishedAt: clock() })
					.where(
						and(
							eq(jobRuns.job, job),
							connectorId === null
								? isNull(jobRuns.connectorId)
								: eq(jobRuns.connectorId, connectorId),
							inArray(jobRuns.status, ['queued', 'running'])
						)
					)
					.returning({ id: jobRuns.id });
				marked += rows.length;
			} finally {
				await unlockJob(conn, key);
			}
		} finally {
			await conn.release();
		}
	}
	if (marked > 0) log.warn({ marked }, 'marked interrupted job runs as failed');
	return marked;
}
