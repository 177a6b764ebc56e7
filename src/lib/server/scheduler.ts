/**
 * The scheduler: croner jobs started once per process (a `globalThis` flag guards against dev/HMR
 * re-runs of the hooks), each with `protect: true` (no overlapping runs), a `catch`, `unref: true`,
 * and a PostgreSQL advisory lock so that only one Comradarr instance runs a job at a time.
 *
 * Jobs: sync every 15 min, sweep every hour, dispatcher cycle every minute, command tracking every
 * 15 s, health checks every 5 min. Each run's status (success | skipped | failed) is kept for the UI.
 */
import { Cron } from 'croner';
import type { Database } from './db';
import { moduleLogger, safeErrorMessage } from './logger';
import { onShutdown, type Runtime, type StartupHook } from './runtime';
import {
	checkAll,
	cycleAll,
	sweepAll,
	syncAll,
	trackAll,
	type OperationDeps
} from './services/operations';

const log = moduleLogger('scheduler');

export type JobRunStatus = 'success' | 'skipped' | 'failed';

export interface JobRun {
	status: JobRunStatus;
	startedAt: Date;
	finishedAt: Date;
	error?: string;
}

export interface JobDefinition {
	name: string;
	/** croner pattern (5 or 6 fields; 6 = with seconds). */
	pattern: string;
	/** What the job does and how often, for the UI. */
	description: string;
	run: (deps: OperationDeps) => Promise<unknown>;
}

/** The job list, in one place. */
export const JOBS: readonly JobDefinition[] = [
	{
		name: 'sync',
		pattern: '*/15 * * * *',
		description: 'Sync every library, every 15 minutes',
		run: (deps) => syncAll(deps)
	},
	{
		name: 'sweep',
		pattern: '5 * * * *',
		description: 'Find gaps and upgrade candidates and queue searches, hourly',
		run: (deps) => sweepAll(deps, 'both')
	},
	{
		name: 'dispatch',
		pattern: '* * * * *',
		description: 'Send what the throttle allows, every minute',
		run: (deps) => cycleAll(deps)
	},
	{
		name: 'track-commands',
		pattern: '*/15 * * * * *',
		description: 'Follow sent commands to their outcome, every 15 seconds',
		run: (deps) => trackAll(deps)
	},
	{
		name: 'health',
		pattern: '*/5 * * * *',
		description: 'Check every connector’s health, every 5 minutes',
		run: (deps) => checkAll(deps)
	}
];

const JOB_LOCK_NS = 0x4a6f;

/**
 * Runs `task` only if this process wins the job's advisory lock (session-level, on a reserved
 * connection, released afterwards). Returns false when another instance holds it.
 */
export async function withJobLock(
	db: Database,
	jobIndex: number,
	task: () => Promise<unknown>
): Promise<boolean> {
	const conn = await db.$client.reserve();
	try {
		const rows: { locked: boolean }[] =
			await conn`select pg_try_advisory_lock(${JOB_LOCK_NS}, ${jobIndex}) as locked`;
		if (!rows[0]?.locked) return false;
		try {
			await task();
		} finally {
			await conn`select pg_advisory_unlock(${JOB_LOCK_NS}, ${jobIndex})`;
		}
		return true;
	} finally {
		await conn.release();
	}
}

interface SchedulerState {
	started: boolean;
	jobs: Cron[];
	lastRuns: Map<string, JobRun>;
}

const state: SchedulerState = ((
	globalThis as { __comradarrScheduler?: SchedulerState }
).__comradarrScheduler ??= {
	started: false,
	jobs: [],
	lastRuns: new Map()
});

export interface JobStatus {
	name: string;
	description: string;
	/** Whether this process runs the scheduler (false with SCHEDULER_ENABLED=false). */
	scheduled: boolean;
	nextRunAt: Date | null;
	/** The last run in this process (another instance may hold the job's lock). */
	lastRun: JobRun | null;
}

/** Every job with its next and last run in this process, for the dashboard. */
export function jobStatuses(): JobStatus[] {
	return JOBS.map((job) => {
		const cron = state.jobs.find((c) => c.name === job.name);
		return {
			name: job.name,
			description: job.description,
			scheduled: Boolean(cron),
			nextRunAt: cron?.nextRun() ?? null,
			lastRun: state.lastRuns.get(job.name) ?? null
		};
	});
}

/** Starts the jobs once. A `StartupHook` for `startRuntime`. */
export const startScheduler: StartupHook = async (runtime: Runtime) => {
	if (state.started || !runtime.config.schedulerEnabled) return;
	state.started = true;
	const deps: OperationDeps = { db: runtime.db, secrets: runtime.secrets };
	JOBS.forEach((job, index) => {
		const cron = new Cron(
			job.pattern,
			{
				name: job.name,
				protect: true,
				unref: true,
				catch: (error: unknown) => log.error({ job: job.name, err: String(error) }, 'job crashed')
			},
			async () => {
				const startedAt = new Date();
				try {
					const ran = await withJobLock(runtime.db, index, () => job.run(deps));
					state.lastRuns.set(job.name, {
						status: ran ? 'success' : 'skipped',
						startedAt,
						finishedAt: new Date()
					});
				} catch (error) {
					const message = safeErrorMessage(error);
					state.lastRuns.set(job.name, {
						status: 'failed',
						startedAt,
						finishedAt: new Date(),
						error: message
					});
					log.error({ job: job.name, err: error }, 'job failed');
				}
			}
		);
		state.jobs.push(cron);
	});
	onShutdown(() => {
		for (const job of [...state.jobs]) job.stop();
		state.jobs = [];
		state.started = false;
	});
	log.info({ jobs: JOBS.map((j) => `${j.name} (${j.pattern})`) }, 'scheduler started');
};
