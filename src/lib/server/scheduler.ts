/**
 * The scheduler: croner jobs started once per process (a `globalThis` flag guards against dev/HMR
 * re-runs of the hooks), each with `protect: true` (no overlapping runs), a `catch`, `unref: true`,
 * and a PostgreSQL advisory lock so that only one Comradarr instance runs a job at a time.
 *
 * Jobs: sync every 15 min, sweep every hour, dispatcher cycle every minute, command tracking every
 * 15 s, health checks every 5 min, and every minute a check whether the scheduled backup of
 * Settings → Database is due. Each run's status (success | skipped | failed) is kept for the UI.
 *
 * While a restore runs (maintenance mode, services/jobs/maintenance.ts) every run is skipped: in
 * this process by the flag, in other processes by the maintenance lock each run holds shared.
 * At start-up, job runs a crash left `running` are marked failed (even with the scheduler off).
 */
import { Cron } from 'croner';
import type { Database } from './db';
import { moduleLogger, safeErrorMessage } from './logger';
import { onShutdown, type Runtime, type StartupHook } from './runtime';
import { backupsDir, scheduledBackupTick } from './services/database/backup';
import { isMaintenance, leaveShared, markInterruptedRuns, tryEnterShared } from './services/jobs';
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
	run: (deps: SchedulerDeps) => Promise<unknown>;
}

/** What scheduled jobs get: the operations' dependencies and the data directory. */
export type SchedulerDeps = OperationDeps & { dataDir: string };

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
	},
	{
		name: 'backup',
		pattern: '* * * * *',
		description: 'Make the scheduled database backup when it is due (Settings → Database)',
		run: (deps) =>
			scheduledBackupTick({ db: deps.db, dir: backupsDir(deps.dataDir), clock: () => new Date() })
	}
];

const JOB_LOCK_NS = 0x4a6f;

/**
 * Runs `task` only if this process wins the job's advisory lock (session-level, on a reserved
 * connection, released afterwards) and no restore holds the database (the maintenance lock, held
 * shared meanwhile). Returns false when another instance holds the job or a restore runs.
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
			if (!(await tryEnterShared(conn))) return false;
			try {
				await task();
			} finally {
				await leaveShared(conn);
			}
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
	if (state.started) return;
	await markInterruptedRuns(runtime.db);
	if (!runtime.config.schedulerEnabled) return;
	state.started = true;
	const deps: SchedulerDeps = {
		db: runtime.db,
		secrets: runtime.secrets,
		dataDir: runtime.config.dataDir
	};
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
				if (isMaintenance()) {
					state.lastRuns.set(job.name, { status: 'skipped', startedAt, finishedAt: startedAt });
					return;
				}
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
