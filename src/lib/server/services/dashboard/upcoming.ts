/**
 * What happens next and what runs now: the next runs of the sweep schedules (from their cron and
 * time zone, as the Schedules page computes them) and the job runs that are queued or running
 * (`job_runs_status_idx`), each with a label for people.
 */
import { desc, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, jobRuns } from '../../db/schema';
import { liveRun, toJobView } from '../jobs';
import { registeredJob } from '../schedule/registry';
import { listSweepSchedules, scheduleIdOfJob } from '../schedule/sweep-schedules';
import type { RunningJob, UpcomingSweep } from '../../../types/dashboard';

/** Sweeps listed under "Upcoming", and live runs shown with their progress. */
export const UPCOMING_LIMIT = 5;
export const RUNNING_LIMIT = 5;

/**
 * The enabled sweep schedules' next runs after `now`, soonest first (at most `limit`).
 */
export async function upcomingSweeps(
	db: DbOrTx,
	now: Date,
	limit = UPCOMING_LIMIT
): Promise<UpcomingSweep[]> {
	const schedules = await listSweepSchedules(db, { now });
	return schedules
		.flatMap((s) =>
			s.enabled && s.nextRunAt !== null
				? [
						{
							scheduleId: s.id,
							connectorId: s.connectorId,
							connectorName: s.connectorName,
							sweepType: s.sweepType,
							description: s.description,
							nextRunAt: s.nextRunAt
						}
					]
				: []
		)
		.sort((a, b) => a.nextRunAt.localeCompare(b.nextRunAt) || a.scheduleId - b.scheduleId)
		.slice(0, limit);
}

const SYNC_LABEL: Record<string, string> = {
	'sync.incremental': 'Sync',
	'sync.full': 'Full sync'
};

const JOB_LABEL: Record<string, string> = {
	sweep: 'Sweep',
	'db.backup': 'Database backup',
	'db.restore': 'Database restore',
	'db.prune': 'Prune',
	'db.vacuum': 'Vacuum',
	'content.bulk': 'Bulk action'
};

/**
 * The title of a running job on the dashboard: "Full sync of Sonarr", "Scheduled sweep of Radarr",
 * a built-in job's description… (jobs/errors.ts `jobLabel` is the subject of a failure sentence,
 * "A backup failed.", and names no connector.)
 */
export function runningJobTitle(job: string, connectorName: string | null): string {
	const of = connectorName ? ` of ${connectorName}` : '';
	if (SYNC_LABEL[job]) return `${SYNC_LABEL[job]}${of}`;
	if (scheduleIdOfJob(job) !== null) return `Scheduled sweep${of}`;
	if (JOB_LABEL[job]) return `${JOB_LABEL[job]}${of}`;
	return registeredJob(job)?.description ?? `${job}${of}`;
}

/** The runs queued or running now, newest first (at most `limit`), as this process sees them. */
export async function liveJobs(db: DbOrTx, limit = RUNNING_LIMIT): Promise<RunningJob[]> {
	const rows = await db
		.select()
		.from(jobRuns)
		.where(inArray(jobRuns.status, ['queued', 'running']))
		.orderBy(desc(jobRuns.id))
		.limit(limit);
	if (rows.length === 0) return [];
	const ids = [...new Set(rows.flatMap((r) => (r.connectorId === null ? [] : [r.connectorId])))];
	const names = new Map(
		ids.length === 0
			? []
			: (
					await db
						.select({ id: connectors.id, name: connectors.name })
						.from(connectors)
						.where(inArray(connectors.id, ids))
				).map((c) => [c.id, c.name])
	);
	return rows.map((row) => ({
		label: runningJobTitle(
			row.job,
			row.connectorId === null ? null : (names.get(row.connectorId) ?? null)
		),
		run: liveRun(row.id) ?? toJobView(row)
	}));
}
