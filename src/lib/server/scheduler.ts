/**
 * The scheduler: one croner timer per registered job (services/schedule/registry.ts) on the
 * schedule stored in `job_schedules`, in the app's time zone (Settings → General), started once
 * per process (a `globalThis` flag guards against dev/HMR re-runs of the hooks). Timers use
 * `protect: true` (no overlap in this process), a `catch`, and `unref: true`.
 *
 * Every tick is a run of the job runner (services/jobs/runner.ts): a `job_runs` row with trigger
 * `schedule`, the status and counts its handler returns, under the job's advisory lock (its key
 * derived from the job's name), so only one Comradarr instance runs a job at a time. A tick
 * another instance (or a manual run) is already serving is recorded as `skipped` with the reason.
 * While a restore runs (maintenance mode) ticks do nothing: the database cannot be written.
 *
 * At start-up, job runs a crash left `running` are marked failed (even with the scheduler off).
 */
import { Cron } from 'croner';
import type { Database } from './db';
import { moduleLogger } from './logger';
import { onShutdown, type Runtime, type StartupHook } from './runtime';
import {
	JobConflictError,
	MaintenanceError,
	isMaintenance,
	markInterruptedRuns,
	recordSkippedRun,
	startJob,
	type StartedJob
} from './services/jobs';
import { JOB_REGISTRY, type RegisteredJob, type SchedulerDeps } from './services/schedule/registry';
import {
	ensureSchedules,
	loadSchedules,
	newestRuns,
	nextRunOf
} from './services/schedule/schedules';
import { getSettings } from './services/settings/settings-service';
import type { JobRunView } from '$lib/types/jobs';

const log = moduleLogger('scheduler');

export type { SchedulerDeps } from './services/schedule/registry';

interface SchedulerState {
	started: boolean;
	jobs: Cron[];
}

const state: SchedulerState = ((
	globalThis as { __comradarrScheduler?: SchedulerState }
).__comradarrScheduler ??= {
	started: false,
	jobs: []
});

/** The sentence a skipped tick records when another run holds the job. */
export const ALREADY_RUNNING = 'Skipped: another run of this job was still going.';

/**
 * Runs one scheduled tick of `job` as a persisted run and waits for it. A tick that finds the job
 * running elsewhere is recorded as `skipped`; during a restore nothing happens.
 * @returns the final run, or null when nothing was recorded (maintenance).
 */
export async function runScheduledJob(
	deps: SchedulerDeps,
	job: RegisteredJob
): Promise<JobRunView | null> {
	if (isMaintenance()) return null;
	let started: StartedJob;
	try {
		started = await startJob({
			db: deps.db,
			job: job.name,
			trigger: 'schedule',
			...(deps.clock ? { clock: deps.clock } : {}),
			run: (ctx) => job.handler(deps, ctx)
		});
	} catch (error) {
		if (error instanceof MaintenanceError) return null;
		if (!(error instanceof JobConflictError)) throw error;
		return recordSkippedRun(
			deps.db,
			{ job: job.name, trigger: 'schedule', message: ALREADY_RUNNING, runningId: error.runningId },
			(deps.clock ?? (() => new Date()))()
		);
	}
	return started.done;
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
		const cron = state.jobs.find((c) => c.name === job.name);
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

/** Starts the timers once. A `StartupHook` for `startRuntime`. */
export const startScheduler: StartupHook = async (runtime: Runtime) => {
	if (state.started) return;
	await markInterruptedRuns(runtime.db);
	if (!runtime.config.schedulerEnabled) return;
	state.started = true;
	const deps: SchedulerDeps = {
		db: runtime.db,
		secrets: runtime.secrets,
		dataDir: runtime.config.dataDir
	};
	const schedules = await ensureSchedules(runtime.db);
	const { general } = await getSettings(runtime.db);
	for (const job of JOB_REGISTRY) {
		const schedule = schedules.get(job.name);
		if (schedule && !schedule.enabled) continue;
		const pattern = schedule?.pattern ?? job.defaultPattern;
		let cron: Cron;
		try {
			cron = new Cron(
				pattern,
				{
					name: job.name,
					timezone: general.timeZone,
					protect: true,
					unref: true,
					catch: (error: unknown) => log.error({ job: job.name, err: String(error) }, 'job crashed')
				},
				async () => {
					try {
						await runScheduledJob(deps, job);
					} catch (error) {
						log.error({ job: job.name, err: error }, 'scheduled run could not be recorded');
					}
				}
			);
		} catch (error) {
			log.error(
				{ job: job.name, pattern, err: String(error) },
				'invalid schedule; job not started'
			);
			continue;
		}
		state.jobs.push(cron);
	}
	onShutdown(() => {
		for (const job of [...state.jobs]) job.stop();
		state.jobs = [];
		state.started = false;
	});
	log.info(
		{ jobs: state.jobs.map((c) => `${c.name} (${c.getPattern() ?? '?'})`) },
		'scheduler started'
	);
};
