/**
 * The built-in jobs on the Schedules page (`/api/v1/schedules/built-in`): list, change the
 * pattern or turn off, run now. They run in the app's time zone (Settings → General) and cannot
 * be deleted (405 `schedules.built_in_not_deletable`). Their schedules are `job_schedules` rows
 * (schedules.ts); a change is announced to every scheduler (changes.ts) like a sweep schedule's.
 * Unlike sweeps they may run as often as every second (`track-commands` runs every 15 s).
 */
import { eq } from 'drizzle-orm';
import * as v from 'valibot';
import type { Database, DbOrTx } from '../../db';
import { jobSchedules } from '../../db/schema';
import { moduleLogger } from '../../logger';
import { JobConflictError, jobLabel, liveRun, startJob } from '../jobs';
import { getSettings } from '../settings/settings-service';
import { SCHEDULE_LIMITS, type BuiltInScheduleView } from '../../../types/schedules';
import type { JobRunView } from '../../../types/jobs';
import { announceScheduleChange, scheduleChanged } from './changes';
import { cronProblem, describeCron, nextRunTime } from './cron';
import { JOB_REGISTRY, registeredJob, type RegisteredJob, type SchedulerDeps } from './registry';
import { loadSchedules, newestRuns } from './schedules';
import { ScheduleError, invalid } from './sweep-schedules';

const log = moduleLogger('schedules');

/** `PATCH /api/v1/schedules/built-in/{job}` body. */
export const BuiltInScheduleUpdateSchema = v.object({
	cron: v.optional(
		v.pipe(
			v.string('cron must be a string.'),
			v.trim(),
			v.minLength(1, 'Enter a cron expression.'),
			v.maxLength(
				SCHEDULE_LIMITS.cronMaxLength,
				`At most ${SCHEDULE_LIMITS.cronMaxLength} characters.`
			)
		)
	),
	enabled: v.optional(v.boolean('enabled must be true or false.'))
});

/** @throws ScheduleError 404 `schedules.not_found` for a name that is not a built-in job */
function builtIn(name: string): RegisteredJob {
	const job = registeredJob(name);
	if (!job) {
		throw new ScheduleError('schedules.not_found', `There is no built-in job "${name}".`, {
			status: 404
		});
	}
	return job;
}

/** This process's live view of `run` when it runs it (fresher than the row), else `run`. */
function liveOrStored(run: JobRunView | null): JobRunView | null {
	return run ? (liveRun(run.id) ?? run) : null;
}

/** The refusal to delete a built-in job. */
export function builtInNotDeletable(name: string): ScheduleError {
	return new ScheduleError(
		'schedules.built_in_not_deletable',
		`"${name}" is a built-in job: it cannot be deleted, only turned off or given another schedule.`,
		{ status: 405 }
	);
}

/**
 * Every built-in job in registry order, with its stored schedule (its default until the scheduler
 * stored it), description in words, next run after `now` and newest run.
 */
export async function listBuiltInSchedules(
	db: DbOrTx,
	now: Date = new Date()
): Promise<BuiltInScheduleView[]> {
	const [schedules, runs, settings] = await Promise.all([
		loadSchedules(db),
		newestRuns(
			db,
			JOB_REGISTRY.map((job) => job.name)
		),
		getSettings(db)
	]);
	const timezone = settings.general.timeZone;
	return JOB_REGISTRY.map((job) => {
		const schedule = schedules.get(job.name);
		const cron = schedule?.pattern ?? job.defaultPattern;
		const enabled = schedule?.enabled ?? true;
		return {
			job: job.name,
			description: job.description,
			cron,
			timezone,
			humanDescription: describeCron(cron),
			enabled,
			nextRunAt: enabled ? (nextRunTime(cron, timezone, now)?.toISOString() ?? null) : null,
			lastRun: liveOrStored(runs.get(job.name) ?? null)
		};
	});
}

/** One built-in job. @throws ScheduleError 404 */
export async function getBuiltInSchedule(
	db: DbOrTx,
	name: string,
	now: Date = new Date()
): Promise<BuiltInScheduleView> {
	const job = builtIn(name);
	const found = (await listBuiltInSchedules(db, now)).find((s) => s.job === job.name);
	if (!found) throw new Error(`built-in job ${job.name} missing from its own list`);
	return found;
}

/**
 * Changes a built-in job's pattern and/or turns it on or off.
 * @throws ValiError; ScheduleError 404, 400 `validation.failed` on `cron` (nothing saved)
 */
export async function updateBuiltInSchedule(
	db: Database,
	name: string,
	body: unknown,
	now: Date = new Date()
): Promise<BuiltInScheduleView> {
	const job = builtIn(name);
	const input = v.parse(BuiltInScheduleUpdateSchema, body);
	const { timeZone } = (await getSettings(db)).general;
	if (input.cron !== undefined) {
		const problem = cronProblem(input.cron, timeZone);
		if (problem) throw invalid({ cron: problem });
	}
	await db.transaction(async (tx) => {
		const [current] = await tx
			.select()
			.from(jobSchedules)
			.where(eq(jobSchedules.job, job.name))
			.for('update');
		const pattern = input.cron ?? current?.pattern ?? job.defaultPattern;
		const enabled = input.enabled ?? current?.enabled ?? true;
		const at = new Date(Math.max(now.getTime(), (current?.updatedAt.getTime() ?? 0) + 1));
		await tx
			.insert(jobSchedules)
			.values({ job: job.name, pattern, enabled, updatedAt: at })
			.onConflictDoUpdate({
				target: jobSchedules.job,
				set: { pattern, enabled, updatedAt: at }
			});
		await announceScheduleChange(tx, `job:${job.name}`);
	});
	scheduleChanged(`job:${job.name}`);
	log.info({ job: job.name, ...input }, 'built-in schedule changed');
	return getBuiltInSchedule(db, name, now);
}

/**
 * "Run now" of a built-in job: starts it in the background (trigger `manual`) and returns the
 * run (`running`) at once.
 * @throws ScheduleError 404, 409 `schedules.already_running`; MaintenanceError 503
 */
export async function runBuiltInNow(
	deps: SchedulerDeps,
	name: string,
	options: { userId?: number | null } = {}
): Promise<JobRunView> {
	const job = builtIn(name);
	try {
		const started = await startJob({
			db: deps.db,
			job: job.name,
			trigger: 'manual',
			userId: options.userId ?? null,
			...(deps.clock ? { clock: deps.clock } : {}),
			run: (ctx) => job.handler(deps, ctx)
		});
		return started.run;
	} catch (error) {
		if (!(error instanceof JobConflictError)) throw error;
		throw new ScheduleError(
			'schedules.already_running',
			`${jobLabel(job.name)} is already running` +
				(error.runningId === null ? '' : ` (run ${error.runningId})`) +
				'; wait for it to finish.',
			{ status: 409 }
		);
	}
}
