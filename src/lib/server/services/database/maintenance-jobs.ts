/**
 * The two maintenance jobs of Settings → Database:
 * - **Prune** deletes exactly what `PRUNE_RULES` describes (the page shows the same text before
 *   the user confirms): expired sessions, day-old login attempts, month-old finished job runs
 *   (day-old idle ones), stale restore uploads, month-old search history and finished commands,
 *   long-exhausted search state, events past their retention, and notifications (outbox rows
 *   sent, failed or dropped, and delivery attempts) past theirs. It also runs daily on its own.
 * - **Vacuum** runs `VACUUM (ANALYZE)` table by table over the app's schemas, reporting
 *   "Vacuuming episodes (3 of 14)". VACUUM cannot run in a transaction; each table is its own
 *   statement on the pool.
 * Each appends a `maintenance.completed` event `{job, message, result, durationMs}` when done.
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from '$lib/server/db';
import { deleteCounted } from '$lib/server/db/queries/delete-counted';
import { appendEvents, pruneEvents } from '$lib/server/db/queries/events';
import {
	jobRuns,
	loginAttempts,
	notificationDeliveries,
	notificationOutbox,
	requestQueue,
	searchHistory,
	searchRegistry,
	sessions
} from '$lib/server/db/schema';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { ANALYTICS_RETENTION_DAYS, pruneAnalytics } from '$lib/server/services/analytics/rollup';
import type { JobContext, JobOutcome } from '$lib/server/services/jobs';
import { removeStaleUploads } from './uploads';

/** Age limits of Prune (the scheduled `db.prune` and the button of Settings → Database). */
export const PRUNE_RULES = {
	/** Failed and successful login attempts older than this are deleted (hours). */
	loginAttemptHours: 24,
	/** Finished job runs (success, partial, failed, skipped) older than this are deleted (days). */
	jobRunDays: 30,
	/** Finished runs that had nothing to do (`result.idle`, the frequent pollers) (hours). */
	idleJobRunHours: 24,
	/** Restore uploads never completed or used within this time are deleted (hours). */
	uploadHours: 24,
	/** Search history entries finished longer ago than this are deleted (days). */
	searchHistoryDays: 30,
	/** Finished request-queue rows (completed, failed, cancelled) older than this (days). */
	finishedQueueDays: 30,
	/** Search state of items given up on (exhausted) untouched for this long (days). */
	exhaustedDays: 90,
	/** Domain events older than this (days). */
	eventDays: 90,
	/** Finished notifications (sent, failed, dropped) and delivery attempts older than this (days). */
	notificationDays: 30,
	/** Daily analytics roll-ups of days older than this (days; they outlive events and history). */
	analyticsDays: ANALYTICS_RETENTION_DAYS
} as const;

/**
 * What Prune removes, in the words the confirmation dialog shows.
 * @param sessionMaxAgeDays the absolute session lifetime from Settings → Security.
 */
export function pruneDescription(sessionMaxAgeDays: number): string[] {
	return [
		`Sessions that have expired: unused for 7 days, or started more than ${sessionMaxAgeDays} days ago (the session lifetime). Signed-in browsers are not affected.`,
		`Login attempts older than ${PRUNE_RULES.loginAttemptHours} hours (the lockout only looks at the last 15 minutes).`,
		`Finished job runs older than ${PRUNE_RULES.jobRunDays} days, and runs that had nothing to do older than ${PRUNE_RULES.idleJobRunHours} hours (running jobs are kept).`,
		`Restore uploads that were not used within ${PRUNE_RULES.uploadHours} hours.`,
		`Search history older than ${PRUNE_RULES.searchHistoryDays} days, and finished commands of the queue older than ${PRUNE_RULES.finishedQueueDays} days (the daily budget only counts today).`,
		`The search state of items given up on (exhausted) untouched for ${PRUNE_RULES.exhaustedDays} days: the next sweep starts them afresh.`,
		`Events older than ${PRUNE_RULES.eventDays} days.`,
		`Notifications sent, failed or dropped, and logged delivery attempts, older than ${PRUNE_RULES.notificationDays} days (pending ones are kept).`,
		`Daily analytics roll-ups older than ${PRUNE_RULES.analyticsDays} days (2 years).`
	];
}

export interface PruneResult {
	sessions: number;
	loginAttempts: number;
	jobRuns: number;
	uploads: number;
	searchHistory: number;
	queue: number;
	exhausted: number;
	events: number;
	/** Outbox rows and delivery attempts together. */
	notifications: number;
	/** Daily analytics roll-ups. */
	analytics: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Deletes what `PRUNE_RULES` says, one table at a time (each its own statement: a big history
 * never holds one long transaction).
 * @param deps.uploadsDir the restore uploads folder (see uploads.ts)
 */
export async function pruneDatabase(deps: {
	db: Database;
	uploadsDir: string;
	clock: () => Date;
	ctx?: Pick<JobContext, 'progress'>;
}): Promise<PruneResult> {
	const { db, ctx } = deps;
	const now = deps.clock();
	const ago = (ms: number) => new Date(now.getTime() - ms);
	const { security } = await getSettings(db, now.getTime());
	const sessionCutoff = ago(security.sessionMaxAgeDays * DAY_MS);
	const steps = 10;
	const step = (n: number, what: string) =>
		ctx?.progress((n - 1) / steps, `${what} (${n} of ${steps})`);

	step(1, 'Removing expired sessions');
	const removedSessions = await deleteCounted(
		db,
		sessions,
		or(lt(sessions.expiresAt, now), lt(sessions.createdAt, sessionCutoff))!
	);

	step(2, 'Removing old login attempts');
	const removedAttempts = await deleteCounted(
		db,
		loginAttempts,
		lt(loginAttempts.at, ago(PRUNE_RULES.loginAttemptHours * HOUR_MS))
	);

	step(3, 'Removing old job runs');
	const ended = sql`coalesce(${jobRuns.finishedAt}, ${jobRuns.createdAt})`;
	const removedRuns = await deleteCounted(
		db,
		jobRuns,
		and(
			inArray(jobRuns.status, ['success', 'partial', 'failed', 'skipped']),
			or(
				lt(ended, ago(PRUNE_RULES.jobRunDays * DAY_MS)),
				and(
					sql`(${jobRuns.result} ->> 'idle') = 'true'`,
					lt(ended, ago(PRUNE_RULES.idleJobRunHours * HOUR_MS))
				)
			)
		)!
	);

	step(4, 'Removing unused restore uploads');
	const uploads = await removeStaleUploads(deps.uploadsDir, ago(PRUNE_RULES.uploadHours * HOUR_MS));

	step(5, 'Removing old search history');
	const history = await deleteCounted(
		db,
		searchHistory,
		lt(searchHistory.finishedAt, ago(PRUNE_RULES.searchHistoryDays * DAY_MS))
	);

	step(6, 'Removing finished commands');
	const queue = await deleteCounted(
		db,
		requestQueue,
		and(
			inArray(requestQueue.status, ['completed', 'failed', 'cancelled']),
			lt(
				sql`coalesce(${requestQueue.finishedAt}, ${requestQueue.createdAt})`,
				ago(PRUNE_RULES.finishedQueueDays * DAY_MS)
			)
		)!
	);

	step(7, 'Removing the search state of long-exhausted items');
	const exhausted = await deleteCounted(
		db,
		searchRegistry,
		and(
			eq(searchRegistry.state, 'exhausted'),
			lt(searchRegistry.updatedAt, ago(PRUNE_RULES.exhaustedDays * DAY_MS))
		)!
	);

	step(8, 'Removing old events');
	const removedEvents = await pruneEvents(db, ago(PRUNE_RULES.eventDays * DAY_MS));

	step(9, 'Removing old notifications');
	const notificationCutoff = ago(PRUNE_RULES.notificationDays * DAY_MS);
	const deliveries = await deleteCounted(
		db,
		notificationDeliveries,
		lt(notificationDeliveries.createdAt, notificationCutoff)
	);
	const outbox = await deleteCounted(
		db,
		notificationOutbox,
		and(
			inArray(notificationOutbox.status, ['sent', 'failed', 'dropped']),
			lt(
				sql`coalesce(${notificationOutbox.sentAt}, ${notificationOutbox.createdAt})`,
				notificationCutoff
			)
		)!
	);
	step(10, 'Removing old analytics roll-ups');
	const analytics = await pruneAnalytics(db, now);
	return {
		sessions: removedSessions,
		loginAttempts: removedAttempts,
		jobRuns: removedRuns,
		uploads,
		searchHistory: history,
		queue,
		exhausted,
		events: removedEvents,
		notifications: deliveries + outbox,
		analytics
	};
}

/** Prune as a job (`db.prune`): its message says what it removed. */
export function pruneJob(deps: { db: Database; uploadsDir: string; clock: () => Date }) {
	return async (ctx: JobContext): Promise<JobOutcome> => {
		const started = Date.now();
		const result = await pruneDatabase({ ...deps, ctx });
		const total = Object.values(result).reduce((sum, n) => sum + n, 0);
		const message =
			total === 0
				? 'Nothing to prune.'
				: `Removed ${result.sessions} sessions, ${result.loginAttempts} login attempts, ${result.jobRuns} job runs, ${result.uploads} uploads, ${result.searchHistory} history entries, ${result.queue} finished commands, ${result.exhausted} exhausted items, ${result.events} events, ${result.notifications} notification records and ${result.analytics} analytics roll-ups.`;
		await maintenanceCompleted(deps.db, 'db.prune', message, { ...result }, started);
		return { message, result: { ...result } };
	};
}

/** `"schema"."table"` with embedded quotes doubled. */
function qualified(schema: string, table: string): string {
	const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
	return `${quote(schema)}.${quote(table)}`;
}

/** The app's tables (public and drizzle), smallest first so progress moves early. */
async function appTables(db: Database): Promise<{ schema: string; name: string }[]> {
	return (await db.$client`
		select n.nspname as schema, c.relname as name
		from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where c.relkind = 'r' and n.nspname in ('public', 'drizzle')
		order by pg_total_relation_size(c.oid), n.nspname, c.relname`) as {
		schema: string;
		name: string;
	}[];
}

/** Vacuum as a job (`db.vacuum`): `VACUUM (ANALYZE)` table by table. */
export function vacuumJob(deps: { db: Database }) {
	return async (ctx: JobContext): Promise<JobOutcome> => {
		const tables = await appTables(deps.db);
		const started = Date.now();
		for (const [index, table] of tables.entries()) {
			ctx.progress(
				index / tables.length,
				`Vacuuming ${table.name} (${index + 1} of ${tables.length})`
			);
			await deps.db.$client.unsafe(`vacuum (analyze) ${qualified(table.schema, table.name)}`);
		}
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		const message = `Vacuumed and analysed ${tables.length} tables in ${seconds} s.`;
		await maintenanceCompleted(deps.db, 'db.vacuum', message, { tables: tables.length }, started);
		return { message, result: { tables: tables.length } };
	};
}

/** Appends `maintenance.completed` (for notifications) after a maintenance job finished. */
async function maintenanceCompleted(
	db: Database,
	job: 'db.prune' | 'db.vacuum',
	message: string,
	result: Record<string, unknown>,
	startedMs: number
): Promise<void> {
	await appendEvents(db, [
		{
			type: 'maintenance.completed',
			connectorId: null,
			payload: { job, message, result, durationMs: Date.now() - startedMs }
		}
	]);
}
