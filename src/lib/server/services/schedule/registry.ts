/**
 * The registration list of scheduled jobs: name, default schedule, what it does, and its
 * handler. Each handler **returns** its status and counts (success / partial / failed / skipped
 * with the reason, services/jobs/runner.ts `JobOutcome`); the scheduler persists every run in
 * `job_runs`. Schedules live in `job_schedules` (schedules.ts), created from `defaultPattern`.
 *
 * A run that found nothing to do carries `result.idle = true`: Prune removes such runs after a
 * day (PRUNE_RULES.idleJobRunHours) so the frequent pollers do not fill the history.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../db';
import { connectors, type Connector, type SyncMode } from '../../db/schema';
import { moduleLogger, safeErrorMessage } from '../../logger';
import { rollupJob } from '../analytics/rollup';
import { backupsDir, scheduledBackupTick } from '../database/backup';
import { pruneJob, vacuumJob } from '../database/maintenance-jobs';
import { uploadsDir } from '../database/uploads';
import { getJobRun, type JobContext, type JobOutcome } from '../jobs';
import { isLive } from '../../../types/jobs';
import { startSync } from '../connector-jobs';
import { routeJob } from '../notifications';
import { checkAll, cycleAll, trackAll, type OperationDeps } from '../operations';

const log = moduleLogger('scheduler');

/** What scheduled jobs get: the operations' dependencies and the data directory. */
export type SchedulerDeps = OperationDeps & { dataDir: string };

export interface RegisteredJob {
	/** Dotted or dashed name, unique; also the key of its lock and of its schedule row. */
	name: string;
	/** croner pattern (5 fields, or 6 with seconds first), in the app's time zone. */
	defaultPattern: string;
	/** What the job does, for the dashboard ("Sync every library"); never its schedule, which users change. */
	description: string;
	handler: (deps: SchedulerDeps, ctx: JobContext) => Promise<JobOutcome>;
}

async function enabledConnectors(db: Database): Promise<Connector[]> {
	return db.select().from(connectors).where(eq(connectors.enabled, true)).orderBy(connectors.id);
}

/** An outcome of a run that had nothing to do. */
function idle(message: string): JobOutcome {
	return { status: 'skipped', message, result: { idle: true } };
}

/**
 * The status of a run over several connectors: `failed` when every connector failed, `partial`
 * when some did, `skipped` when none ran, else `success`.
 */
export function overallStatus(counts: {
	succeeded: number;
	failed: number;
	skipped: number;
}): NonNullable<JobOutcome['status']> {
	if (counts.failed > 0 && counts.succeeded === 0) return 'failed';
	if (counts.failed > 0) return 'partial';
	if (counts.succeeded === 0) return 'skipped';
	return 'success';
}

/** How long the scheduled full sync waits for a running incremental sync of a connector (ms). */
export const FULL_SYNC_WAIT_MS = 30 * 60_000;

/** Waits until run `id` is final (polled every 2 s) or `timeoutMs` passed. */
async function waitForRun(db: Database, id: number, timeoutMs: number): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		const run = await getJobRun(db, id);
		if (!run || !isLive(run.status)) return;
		await new Promise((resolve) => setTimeout(resolve, 2_000));
	}
}

/**
 * Syncs every enabled connector, each as its own run (`sync.incremental`/`sync.full`, trigger
 * `schedule`) so its page shows the progress; a connector whose sync is already running (a
 * manual one) is skipped — except by the full reconciliation, which waits for a running
 * incremental sync and then runs. The run fails when every connector's sync failed.
 */
export async function syncEveryConnector(
	deps: SchedulerDeps,
	mode: SyncMode | undefined
): Promise<JobOutcome> {
	const list = await enabledConnectors(deps.db);
	if (list.length === 0) return idle('No enabled connectors.');
	const counts = { succeeded: 0, partial: 0, failed: 0, skipped: 0 };
	const failures: string[] = [];
	await Promise.all(
		list.map(async (connector) => {
			try {
				let sync = await startSync(deps, connector, {
					trigger: 'schedule',
					...(mode ? { mode } : {})
				});
				// The daily reconciliation is not given up for an incremental sync that happens to
				// run (both fire at 03:30): it waits for that one and then runs.
				if (!sync.started && mode === 'full' && sync.run.job !== 'sync.full') {
					await waitForRun(deps.db, sync.run.id, FULL_SYNC_WAIT_MS);
					sync = await startSync(deps, connector, { trigger: 'schedule', mode });
				}
				if (!sync.started) {
					counts.skipped++;
					return;
				}
				const report = await sync.report;
				if (!report || report.status === 'failed') {
					counts.failed++;
					failures.push(`${connector.name}: ${report?.error ?? 'the sync did not finish'}`);
				} else {
					counts.succeeded++;
					if (report.status === 'partial') counts.partial++;
				}
			} catch (error) {
				counts.failed++;
				failures.push(`${connector.name}: ${safeErrorMessage(error)}`);
				log.error({ connectorId: connector.id, err: error }, 'scheduled sync failed to start');
			}
		})
	);
	const status = overallStatus(counts);
	const message =
		`Synced ${counts.succeeded} of ${list.length} connectors` +
		(counts.skipped > 0 ? ` (${counts.skipped} already syncing)` : '') +
		(counts.failed > 0 ? `; ${counts.failed} failed` : '');
	return {
		status,
		message: status === 'skipped' ? 'Every connector was already syncing.' : message,
		result: { connectors: list.length, ...counts },
		...(status === 'failed' ? { error: `Every sync failed. ${failures.join('; ')}` } : {})
	};
}

/** The outcome of one pass over every connector, where a null result is a failed connector. */
function passOutcome<T>(
	results: (T | null)[],
	summary: (done: T[]) => { message: string; result: Record<string, unknown>; idle: boolean }
): JobOutcome {
	const done = results.filter((r): r is T => r !== null);
	const failed = results.length - done.length;
	if (results.length === 0) return idle('No enabled connectors.');
	const { message, result, idle: nothing } = summary(done);
	const status = overallStatus({ succeeded: done.length, failed, skipped: 0 });
	return {
		status,
		message: failed > 0 ? `${message}; ${failed} of ${results.length} connectors failed` : message,
		result: { ...result, connectors: results.length, failed, ...(nothing ? { idle: true } : {}) },
		...(status === 'failed'
			? { error: 'It failed for every connector; the log has the details.' }
			: {})
	};
}

/**
 * The jobs, in the order the dashboard lists them. Sweeps are not here: each connector's sweeps
 * run on their own schedules (`sweep_schedules`, sweep-schedules.ts).
 */
export const JOB_REGISTRY: readonly RegisteredJob[] = [
	{
		name: 'sync',
		defaultPattern: '*/15 * * * *',
		description: 'Sync what changed in every library',
		handler: (deps) => syncEveryConnector(deps, undefined)
	},
	{
		name: 'sync-full',
		defaultPattern: '30 3 * * *',
		description: 'Full reconciliation of every library',
		handler: (deps) => syncEveryConnector(deps, 'full')
	},
	{
		name: 'dispatch',
		defaultPattern: '* * * * *',
		description: 'Send what the throttle allows',
		handler: async (deps) =>
			passOutcome(await cycleAll(deps), (done) => {
				const sent = done.reduce((n, r) => n + r.dispatch.sent, 0);
				const searches = done.reduce((n, r) => n + r.dispatch.searches, 0);
				const finished = done.reduce((n, r) => n + r.tracking.finished, 0);
				return {
					message: `Sent ${sent} commands (${searches} searches); ${finished} finished`,
					result: { sent, searches, finished },
					idle: sent === 0 && finished === 0
				};
			})
	},
	{
		name: 'track-commands',
		defaultPattern: '*/15 * * * * *',
		description: 'Follow sent commands to their outcome',
		handler: async (deps) =>
			passOutcome(await trackAll(deps), (done) => {
				const checked = done.reduce((n, r) => n + r.checked, 0);
				const finished = done.reduce((n, r) => n + r.finished, 0);
				return {
					message: `Checked ${checked} commands; ${finished} finished`,
					result: { checked, finished },
					idle: checked === 0
				};
			})
	},
	{
		name: 'health',
		defaultPattern: '*/5 * * * *',
		description: 'Check every connector’s health',
		handler: async (deps) =>
			passOutcome(await checkAll(deps), (done) => {
				const healthy = done.filter((r) => r.state === 'healthy').length;
				return {
					message: `${healthy} of ${done.length} connectors healthy`,
					result: { healthy },
					idle: false
				};
			})
	},
	{
		name: 'backup',
		defaultPattern: '* * * * *',
		description: 'Make the scheduled database backup when it is due (Settings → Database)',
		handler: async (deps) => {
			const outcome = await scheduledBackupTick({
				db: deps.db,
				dir: backupsDir(deps.dataDir),
				clock: deps.clock ?? (() => new Date())
			});
			switch (outcome) {
				case 'success':
					return { message: 'Made the scheduled backup.', result: { outcome } };
				case 'failed':
					return { status: 'failed', error: 'The scheduled backup failed (see its run).' };
				case 'busy':
					return { status: 'skipped', message: 'A backup was already running.' };
				case 'invalid_schedule':
					return idle('The backup schedule is not valid; fix it in Settings → Database.');
				case 'disabled':
					return idle('Scheduled backups are off.');
				case 'not_due':
					return idle('No backup is due.');
			}
		}
	},
	{
		name: 'analytics.rollup',
		defaultPattern: '5 * * * *',
		description: 'Roll up today’s and yesterday’s analytics per connector',
		handler: (deps) => rollupJob({ db: deps.db, clock: deps.clock ?? (() => new Date()) })
	},
	{
		name: 'db.prune',
		defaultPattern: '15 4 * * *',
		description: 'Prune expired sessions, old history, events and job runs',
		handler: (deps, ctx) =>
			pruneJob({
				db: deps.db,
				uploadsDir: uploadsDir(deps.dataDir),
				clock: deps.clock ?? (() => new Date())
			})(ctx)
	},
	{
		name: 'db.vacuum',
		defaultPattern: '45 4 * * 0',
		description: 'VACUUM (ANALYZE) every table',
		handler: (deps, ctx) => vacuumJob({ db: deps.db })(ctx)
	},
	{
		name: 'notifications.route',
		defaultPattern: '*/10 * * * * *',
		description: 'Turn new events into notifications, send what is due and retry failed ones',
		handler: (deps) => routeJob(deps)
	}
];

/** The registered job named `name`, or undefined. */
export function registeredJob(name: string): RegisteredJob | undefined {
	return JOB_REGISTRY.find((job) => job.name === name);
}
