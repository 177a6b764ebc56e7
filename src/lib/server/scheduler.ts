/**
 * The scheduler: one croner timer per registered job (services/schedule/registry.ts) on the
 * schedule stored in `job_schedules`, in the app's time zone (Settings → General), and one per
 * enabled sweep schedule (`sweep_schedules`, services/schedule/sweep-schedules.ts) in its own
 * time zone. Timers use `protect: true` (a slow tick is never overlapped by the next one in this
 * process), a `catch`, and `unref: true`. One scheduler per process (`startScheduler`, guarded
 * by a `globalThis` flag against dev/HMR re-runs of the hooks); `createScheduler` makes more for
 * tests.
 *
 * Every tick is a run of the job runner (services/jobs/runner.ts): a `job_runs` row with trigger
 * `schedule`, the status and counts its handler returns, under the job's advisory lock (its key
 * derived from the job's name; a sweep schedule's run `sweep.schedule.<id>` locks
 * `sweep.connector.<connector>`), so only one Comradarr instance runs a job at a time. A tick
 * another instance (or a manual run) is already serving is recorded as `skipped` with the
 * reason. A tick whose planned time another instance has already served (its timer fired a little
 * earlier and its run already finished) is recorded as `skipped` too: one tick, one run.
 * While a restore runs (maintenance mode) ticks do nothing: the database cannot be written.
 * Once the process is shutting down (services/jobs/runner.ts `beginDrain`, called by runtime.ts
 * on SIGTERM / SIGINT) ticks do nothing either, and `stopTimers` ends the timers at once, while
 * the runs in flight are still being waited for.
 *
 * Live rescheduling (no restart): every write to a schedule sends a PostgreSQL NOTIFY on
 * `comradarr_schedules` when it commits (services/schedule/changes.ts). Each scheduler LISTENs
 * on it through Bun's SQL client (`SQL.listen`: one dedicated connection, re-subscribed with
 * backoff after a drop) and reconciles its timers: removed or disabled schedules stop, new ones
 * start, changed ones (pattern or time zone) restart. It also reconciles when the LISTEN is
 * (re)acknowledged — so a notification lost while the connection was down is made up for — and
 * every `resyncMs` (default 60 s) as a backstop (a change of the app's time zone, a row edited
 * by hand). In the writing process the change takes effect at once (a local callback after the
 * commit). LISTEN/NOTIFY was chosen over polling after checking Bun 1.4.5 here: notifications
 * arrive in milliseconds, inside a transaction only on commit, and after a killed backend the
 * subscription came back by itself.
 *
 * At start-up, job runs a crash left `running` are marked failed (even with the scheduler off).
 */
import { Cron } from 'croner';
import { eq } from 'drizzle-orm';
import type { Database } from './db';
import { sweepSchedules } from './db/schema';
import { moduleLogger } from './logger';
import { onDrain, onShutdown, type Runtime, type StartupHook } from './runtime';
import {
	JobConflictError,
	MaintenanceError,
	ShuttingDownError,
	isDraining,
	isMaintenance,
	markInterruptedRuns,
	recordSkippedRun,
	startJob,
	type JobContext,
	type JobOutcome,
	type StartedJob
} from './services/jobs';
import { JOB_REGISTRY, type RegisteredJob, type SchedulerDeps } from './services/schedule/registry';
import {
	TICK_ALREADY_SERVED,
	ensureSchedules,
	loadSchedules,
	newestRuns,
	nextRunOf,
	tickServedBy
} from './services/schedule/schedules';
import { SCHEDULES_CHANNEL, onScheduleChanged } from './services/schedule/changes';
import { TIMER_MODE } from './services/schedule/cron';
import {
	ScheduleError,
	startSweepScheduleRun,
	sweepJobName
} from './services/schedule/sweep-schedules';
import { getSettings, invalidateSettingsCache } from './services/settings/settings-service';
import type { JobRunView } from '$lib/types/jobs';

const log = moduleLogger('scheduler');

export type { SchedulerDeps } from './services/schedule/registry';

/** The sentence a skipped tick records when another run holds the job. */
export const ALREADY_RUNNING = 'Skipped: another run of this job was still going.';

/** How often a scheduler reconciles its timers without being told to (ms). */
export const RESYNC_MS = 60_000;

/**
 * Runs one scheduled tick of `job` as a persisted run and waits for it. A tick that finds the job
 * running elsewhere is recorded as `skipped`; during a restore nothing happens.
 * @param tickAt the tick's planned time: a run of the job another instance started at or after
 *   it makes this one `skipped` (`TICK_ALREADY_SERVED`)
 * @returns the final run, or null when nothing was recorded (maintenance).
 */
export async function runScheduledJob(
	deps: SchedulerDeps,
	job: RegisteredJob,
	tickAt?: Date
): Promise<JobRunView | null> {
	return scheduledRun(deps, job.name, () =>
		startJob({
			db: deps.db,
			job: job.name,
			trigger: 'schedule',
			...(deps.clock ? { clock: deps.clock } : {}),
			run: async (ctx: JobContext): Promise<JobOutcome> => {
				if (tickAt) {
					const served = await tickServedBy(deps.db, job.name, tickAt, ctx.runId);
					if (served !== null) {
						return {
							status: 'skipped',
							message: TICK_ALREADY_SERVED,
							result: { idle: true, servedBy: served }
						};
					}
				}
				return job.handler(deps, ctx);
			}
		})
	);
}

/**
 * Runs one scheduled tick of sweep schedule `scheduleId` (job `sweep.schedule.<id>`, see
 * `runScheduledJob` for what is recorded). A schedule deleted meanwhile records nothing.
 * @returns the final run, or null when nothing was recorded
 */
export async function runScheduledSweep(
	deps: SchedulerDeps,
	scheduleId: number,
	tickAt?: Date
): Promise<JobRunView | null> {
	try {
		return await scheduledRun(deps, sweepJobName(scheduleId), async () => {
			const started = await startSweepScheduleRun(deps, scheduleId, {
				trigger: 'schedule',
				...(tickAt ? { tickAt } : {})
			});
			return started;
		});
	} catch (error) {
		if (error instanceof ScheduleError && error.code === 'schedules.not_found') return null;
		throw error;
	}
}

/** Starts a scheduled run and waits for it; a conflict is recorded as `skipped`. */
async function scheduledRun(
	deps: SchedulerDeps,
	job: string,
	start: () => Promise<StartedJob>
): Promise<JobRunView | null> {
	// While shutting down (runtime.ts drain) a tick starts nothing and records nothing.
	if (isMaintenance() || isDraining()) return null;
	let started: StartedJob;
	try {
		started = await start();
	} catch (error) {
		if (error instanceof MaintenanceError || error instanceof ShuttingDownError) return null;
		if (!(error instanceof JobConflictError)) throw error;
		return recordSkippedRun(
			deps.db,
			{ job, trigger: 'schedule', message: ALREADY_RUNNING, runningId: error.runningId },
			(deps.clock ?? (() => new Date()))()
		);
	}
	return started.done;
}

/** The planned time of the tick firing now: the newest time `cron` was due at or before `now`. */
function plannedTick(cron: Cron, now: Date): Date {
	const [previous] = cron.previousRuns(1, new Date(now.getTime() + 1));
	return previous ?? new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/** One live timer: what it runs and the schedule it was made from. */
interface Timer {
	cron: Cron;
	/** `pattern|timezone`: a timer whose signature changed is restarted. */
	signature: string;
}

/** A timer as a test or the dashboard sees it. */
export interface TimerInfo {
	/** `job:<name>` for a built-in job, `sweep:<id>` for a sweep schedule. */
	key: string;
	pattern: string;
	timezone: string;
	nextRunAt: Date | null;
	busy: boolean;
}

/** What a scheduler wants running: key → pattern, zone and what a tick does. */
interface Wanted {
	pattern: string;
	timezone: string;
	tick: (tickAt: Date) => Promise<unknown>;
}

export interface SchedulerOptions {
	/** Reconcile without being told every this many ms (default `RESYNC_MS`); 0 = never. */
	resyncMs?: number;
	/** LISTEN for other processes' changes (default true). */
	listen?: boolean;
	/** Follow this process's changes at once (default true; tests of two "processes" turn it off). */
	localChanges?: boolean;
	/** Which timers to run (default both). */
	builtIns?: boolean;
	sweeps?: boolean;
}

export interface Scheduler {
	/** Stores missing built-in schedules, starts the timers and the LISTEN. Idempotent. */
	start(): Promise<void>;
	/** Stops every timer and the LISTEN (running ticks finish on their own). */
	stop(): Promise<void>;
	/** Stops every timer now (the shutdown's drain); `stop()` still ends the LISTEN later. */
	stopTimers(): void;
	/** Brings the timers in line with the database now (calls are coalesced). */
	reconcile(): Promise<void>;
	/** The live timers, by key. */
	timers(): TimerInfo[];
	/** The croner job behind `key`, if any (tests trigger ticks with it). */
	cron(key: string): Cron | undefined;
	/** How many reconciles ran (tests wait for one). */
	readonly reconciles: number;
}

/**
 * A scheduler over `deps.db`. `startScheduler` runs one per process; tests make several, each
 * on its own database client, to play several processes.
 */
export function createScheduler(deps: SchedulerDeps, options: SchedulerOptions = {}): Scheduler {
	const timers = new Map<string, Timer>();
	const resyncMs = options.resyncMs ?? RESYNC_MS;
	let started = false;
	let stopped = false;
	let running: Promise<void> | null = null;
	let again = false;
	let reconciles = 0;
	let subscription: { unlisten(): Promise<void> } | null = null;
	let resync: ReturnType<typeof setInterval> | null = null;
	let unsubscribeLocal: (() => void) | null = null;

	async function wanted(): Promise<Map<string, Wanted>> {
		const want = new Map<string, Wanted>();
		if (options.builtIns !== false) {
			const [schedules, settings] = await Promise.all([
				loadSchedules(deps.db),
				getSettings(deps.db)
			]);
			for (const job of JOB_REGISTRY) {
				const schedule = schedules.get(job.name);
				if (schedule && !schedule.enabled) continue;
				want.set(`job:${job.name}`, {
					pattern: schedule?.pattern ?? job.defaultPattern,
					timezone: settings.general.timeZone,
					tick: (tickAt) => runScheduledJob(deps, job, tickAt)
				});
			}
		}
		if (options.sweeps !== false) {
			const rows = await deps.db
				.select({
					id: sweepSchedules.id,
					cron: sweepSchedules.cron,
					timezone: sweepSchedules.timezone
				})
				.from(sweepSchedules)
				.where(eq(sweepSchedules.enabled, true));
			for (const row of rows) {
				want.set(`sweep:${row.id}`, {
					pattern: row.cron,
					timezone: row.timezone,
					tick: (tickAt) => runScheduledSweep(deps, row.id, tickAt)
				});
			}
		}
		return want;
	}

	function startTimer(key: string, w: Wanted): void {
		try {
			const cron = new Cron(
				w.pattern,
				{
					timezone: w.timezone,
					mode: TIMER_MODE,
					protect: (job: Cron) =>
						log.warn(
							{ timer: key, since: job.currentRun()?.toISOString() },
							'tick skipped: the previous one is still running'
						),
					unref: true,
					catch: (error: unknown) => log.error({ timer: key, err: String(error) }, 'tick crashed')
				},
				async (self: Cron) => {
					try {
						await w.tick(plannedTick(self, new Date()));
					} catch (error) {
						log.error({ timer: key, err: error }, 'scheduled run could not be recorded');
					}
				}
			);
			timers.set(key, { cron, signature: `${w.pattern}|${w.timezone}` });
		} catch (error) {
			log.error(
				{ timer: key, pattern: w.pattern, timezone: w.timezone, err: String(error) },
				'invalid schedule; timer not started'
			);
		}
	}

	async function reconcileOnce(): Promise<void> {
		const want = await wanted();
		if (stopped) return;
		const changes: string[] = [];
		for (const [key, timer] of timers) {
			const w = want.get(key);
			if (!w || `${w.pattern}|${w.timezone}` !== timer.signature) {
				timer.cron.stop();
				timers.delete(key);
				if (!w) changes.push(`-${key}`);
			}
		}
		for (const [key, w] of want) {
			if (timers.has(key)) continue;
			startTimer(key, w);
			changes.push(`+${key} (${w.pattern}, ${w.timezone})`);
		}
		reconciles++;
		if (changes.length > 0 && started) log.info({ changes }, 'timers rescheduled');
	}

	function reconcile(): Promise<void> {
		if (running) {
			again = true;
			return running;
		}
		running = (async () => {
			try {
				do {
					again = false;
					await reconcileOnce();
				} while (again && !stopped);
			} catch (error) {
				log.error({ err: String(error) }, 'could not reconcile the timers');
			} finally {
				running = null;
			}
		})();
		return running;
	}

	return {
		get reconciles() {
			return reconciles;
		},
		async start() {
			if (started) return;
			stopped = false;
			await ensureSchedules(deps.db);
			await reconcile();
			started = true;
			if (options.localChanges !== false) {
				unsubscribeLocal = onScheduleChanged(() => void reconcile());
			}
			if (options.listen !== false) {
				try {
					subscription = await deps.db.$client.listen(
						SCHEDULES_CHANNEL,
						(what) => {
							// Another process saved Settings → General: this one's cached copy is stale.
							if (what.startsWith('settings:')) invalidateSettingsCache();
							void reconcile();
						},
						// Initially and after every reconnect: what was missed meanwhile is read now.
						() => void reconcile()
					);
				} catch (error) {
					log.error(
						{ err: String(error) },
						'LISTEN failed: schedule changes of other processes apply at the next resync'
					);
				}
			}
			if (resyncMs > 0) {
				resync = setInterval(() => void reconcile(), resyncMs);
				resync.unref();
			}
			log.info(
				{ timers: [...timers].map(([key, t]) => `${key} (${t.signature})`) },
				'scheduler started'
			);
		},
		async stop() {
			stopped = true;
			started = false;
			if (resync) clearInterval(resync);
			resync = null;
			unsubscribeLocal?.();
			unsubscribeLocal = null;
			const sub = subscription;
			subscription = null;
			for (const timer of timers.values()) timer.cron.stop();
			timers.clear();
			if (running) await running;
			if (sub) await sub.unlisten().catch(() => undefined);
		},
		stopTimers() {
			stopped = true;
			if (resync) clearInterval(resync);
			resync = null;
			for (const timer of timers.values()) timer.cron.stop();
			timers.clear();
		},
		reconcile,
		timers() {
			return [...timers].map(([key, t]) => {
				const [pattern = '', timezone = ''] = t.signature.split('|');
				return {
					key,
					pattern,
					timezone,
					nextRunAt: t.cron.nextRun(),
					busy: t.cron.isBusy()
				};
			});
		},
		cron(key) {
			return timers.get(key)?.cron;
		}
	};
}

interface SchedulerState {
	scheduler: Scheduler | null;
}

const state: SchedulerState = ((
	globalThis as { __comradarrScheduler?: SchedulerState }
).__comradarrScheduler ??= { scheduler: null });

/** This process's scheduler, when it runs one. */
export function processScheduler(): Scheduler | null {
	return state.scheduler;
}

export interface JobStatus {
	name: string;
	description: string;
	pattern: string;
	enabled: boolean;
	/** Whether this process runs the scheduler (false with SCHEDULER_ENABLED=false). */
	scheduled: boolean;
	/** When the schedule fires next (in this process, or as the stored pattern says). */
	nextRunAt: Date | null;
	/** The newest persisted run, from any instance. */
	lastRun: JobRunView | null;
}

/**
 * Every registered job with its schedule (the default until the scheduler has stored it) and its
 * newest persisted run, for the dashboard. Reads only.
 */
export async function jobStatuses(db: Database): Promise<JobStatus[]> {
	const [schedules, runs, settings] = await Promise.all([
		loadSchedules(db),
		newestRuns(
			db,
			JOB_REGISTRY.map((job) => job.name)
		),
		getSettings(db)
	]);
	return JOB_REGISTRY.map((job) => {
		const schedule = schedules.get(job.name);
		const pattern = schedule?.pattern ?? job.defaultPattern;
		const enabled = schedule?.enabled ?? true;
		const cron = state.scheduler?.cron(`job:${job.name}`);
		return {
			name: job.name,
			description: job.description,
			pattern,
			enabled,
			scheduled: Boolean(cron),
			nextRunAt: !enabled
				? null
				: (cron?.nextRun() ?? nextRunOf(pattern, settings.general.timeZone)),
			lastRun: runs.get(job.name) ?? null
		};
	});
}

/** Starts this process's scheduler once. A `StartupHook` for `startRuntime`. */
export const startScheduler: StartupHook = async (runtime: Runtime) => {
	if (state.scheduler) return;
	await markInterruptedRuns(runtime.db);
	if (!runtime.config.schedulerEnabled) return;
	const scheduler = createScheduler({
		db: runtime.db,
		secrets: runtime.secrets,
		dataDir: runtime.config.dataDir
	});
	state.scheduler = scheduler;
	onShutdown(async () => {
		await scheduler.stop();
		if (state.scheduler === scheduler) state.scheduler = null;
	});
	// The drain's first step: no tick fires while the runs in flight are waited for.
	onDrain(() => scheduler.stopTimers());
	try {
		await scheduler.start();
	} catch (error) {
		state.scheduler = null;
		await scheduler.stop();
		throw error;
	}
};
