/**
 * The stored schedules of the registered jobs (`job_schedules`): one row per job, inserted with
 * its default pattern when missing and never overwritten by the default afterwards, so an edited
 * schedule survives upgrades.
 */
import { Cron } from 'croner';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { jobRuns, jobSchedules, type JobSchedule } from '../../db/schema';
import type { JobRunView } from '../../../types/jobs';
import { toJobView } from '../jobs';
import { JOB_REGISTRY } from './registry';

/**
 * Inserts the default schedule of every registered job that has none, then returns all of them.
 * @returns job name → its schedule
 */
export async function ensureSchedules(db: DbOrTx): Promise<Map<string, JobSchedule>> {
	await db
		.insert(jobSchedules)
		.values(JOB_REGISTRY.map((job) => ({ job: job.name, pattern: job.defaultPattern })))
		.onConflictDoNothing({ target: jobSchedules.job });
	return loadSchedules(db);
}

/** The stored schedules of the registered jobs, read only (a job without a row has none yet). */
export async function loadSchedules(db: DbOrTx): Promise<Map<string, JobSchedule>> {
	const rows = await db
		.select()
		.from(jobSchedules)
		.where(
			inArray(
				jobSchedules.job,
				JOB_REGISTRY.map((job) => job.name)
			)
		);
	return new Map(rows.map((row) => [row.job, row]));
}

/** The next time `pattern` fires after `from` in `timeZone`, or null (a bad pattern, none left). */
export function nextRunOf(pattern: string, timeZone: string, from = new Date()): Date | null {
	try {
		const cron = new Cron(pattern, { timezone: timeZone, paused: true });
		try {
			return cron.nextRun(from);
		} finally {
			cron.stop();
		}
	} catch {
		return null;
	}
}

/** The newest run of each of `jobs` in one query (running or finished). */
export async function newestRuns(
	db: DbOrTx,
	jobs: readonly string[]
): Promise<Map<string, JobRunView>> {
	if (jobs.length === 0) return new Map();
	const rows = await db
		.selectDistinctOn([jobRuns.job])
		.from(jobRuns)
		.where(inArray(jobRuns.job, [...jobs]))
		.orderBy(jobRuns.job, sql`${jobRuns.id} desc`);
	return new Map(rows.map((row) => [row.job, toJobView(row)]));
}

/**
 * Whether a run of `job` triggered by the schedule, other than `ownRunId`, started at or after
 * `tickAt` (a tick's planned time) and was not itself skipped: then another process served the
 * tick already. Clocks of the processes are taken to agree (one host, or NTP).
 * @returns that run's id, or null
 */
export async function tickServedBy(
	db: DbOrTx,
	job: string,
	tickAt: Date,
	ownRunId: number
): Promise<number | null> {
	const [row] = await db
		.select({ id: jobRuns.id })
		.from(jobRuns)
		.where(
			and(
				eq(jobRuns.job, job),
				eq(jobRuns.trigger, 'schedule'),
				sql`${jobRuns.id} <> ${ownRunId}`,
				sql`${jobRuns.status} <> 'skipped'`,
				sql`${jobRuns.createdAt} >= ${tickAt.toISOString()}::timestamptz`
			)
		)
		.limit(1);
	return row?.id ?? null;
}

/** The sentence a tick records when another Comradarr process already ran that tick. */
export const TICK_ALREADY_SERVED = 'Skipped: another Comradarr process already ran this tick.';
