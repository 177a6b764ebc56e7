/**
 * The two maintenance jobs of Settings → Database:
 * - **Prune** deletes exactly what `PRUNE_RULES` describes (the page shows the same text before
 *   the user confirms): expired sessions, login attempts older than a day, finished job runs older
 *   than 30 days, unfinished restore uploads older than a day.
 * - **Vacuum** runs `VACUUM (ANALYZE)` table by table over the app's schemas, reporting
 *   "Vacuuming episodes (3 of 14)". VACUUM cannot run in a transaction; each table is its own
 *   statement on the pool.
 */
import { and, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from '$lib/server/db';
import { jobRuns, loginAttempts, sessions } from '$lib/server/db/schema';
import { getSettings } from '$lib/server/services/settings/settings-service';
import type { JobContext, JobOutcome } from '$lib/server/services/jobs';
import { removeStaleUploads } from './uploads';

/** Age limits of Prune. */
export const PRUNE_RULES = {
	/** Failed and successful login attempts older than this are deleted (hours). */
	loginAttemptHours: 24,
	/** Finished job runs (success, failed, skipped) older than this are deleted (days). */
	jobRunDays: 30,
	/** Restore uploads never completed or used within this time are deleted (hours). */
	uploadHours: 24
} as const;

/**
 * What Prune removes, in the words the confirmation dialog shows.
 * @param sessionMaxAgeDays the absolute session lifetime from Settings → Security.
 */
export function pruneDescription(sessionMaxAgeDays: number): string[] {
	return [
		`Sessions that have expired: unused for 7 days, or started more than ${sessionMaxAgeDays} days ago (the session lifetime). Signed-in browsers are not affected.`,
		`Login attempts older than ${PRUNE_RULES.loginAttemptHours} hours (the lockout only looks at the last 15 minutes).`,
		`Finished job runs older than ${PRUNE_RULES.jobRunDays} days (running jobs are kept).`,
		`Restore uploads that were not used within ${PRUNE_RULES.uploadHours} hours.`
	];
}

export interface PruneResult {
	sessions: number;
	loginAttempts: number;
	jobRuns: number;
	uploads: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Deletes what `PRUNE_RULES` says, one table at a time.
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
	const { security } = await getSettings(db, now.getTime());
	const sessionCutoff = new Date(now.getTime() - security.sessionMaxAgeDays * 24 * HOUR_MS);

	ctx?.progress(0, 'Removing expired sessions (1 of 4)');
	const removedSessions = await db
		.delete(sessions)
		.where(or(lt(sessions.expiresAt, now), lt(sessions.createdAt, sessionCutoff)))
		.returning({ id: sessions.id });

	ctx?.progress(0.25, 'Removing old login attempts (2 of 4)');
	const removedAttempts = await db
		.delete(loginAttempts)
		.where(lt(loginAttempts.at, new Date(now.getTime() - PRUNE_RULES.loginAttemptHours * HOUR_MS)))
		.returning({ id: loginAttempts.id });

	ctx?.progress(0.5, 'Removing old job runs (3 of 4)');
	const removedRuns = await db
		.delete(jobRuns)
		.where(
			and(
				inArray(jobRuns.status, ['success', 'failed', 'skipped']),
				lt(
					sql`coalesce(${jobRuns.finishedAt}, ${jobRuns.createdAt})`,
					new Date(now.getTime() - PRUNE_RULES.jobRunDays * 24 * HOUR_MS)
				)
			)
		)
		.returning({ id: jobRuns.id });

	ctx?.progress(0.75, 'Removing unused restore uploads (4 of 4)');
	const uploads = await removeStaleUploads(
		deps.uploadsDir,
		new Date(now.getTime() - PRUNE_RULES.uploadHours * HOUR_MS)
	);
	return {
		sessions: removedSessions.length,
		loginAttempts: removedAttempts.length,
		jobRuns: removedRuns.length,
		uploads
	};
}

/** Prune as a job (`db.prune`). */
export function pruneJob(deps: { db: Database; uploadsDir: string; clock: () => Date }) {
	return async (ctx: JobContext): Promise<JobOutcome> => {
		const result = await pruneDatabase({ ...deps, ctx });
		const total = result.sessions + result.loginAttempts + result.jobRuns + result.uploads;
		return {
			message:
				total === 0
					? 'Nothing to prune.'
					: `Removed ${result.sessions} sessions, ${result.loginAttempts} login attempts, ${result.jobRuns} job runs and ${result.uploads} uploads.`,
			result: { ...result }
		};
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
		return {
			message: `Vacuumed and analysed ${tables.length} tables in ${seconds} s.`,
			result: { tables: tables.length }
		};
	};
}
