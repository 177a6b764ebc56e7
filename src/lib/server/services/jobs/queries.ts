/**
 * Reading job runs for the API and the pages: newest first, paged by id.
 */
import { and, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { jobRuns } from '$lib/server/db/schema';
import type { JobRunStatus, JobRunView } from '$lib/types/jobs';
import { liveRun, toJobView } from './runner';

/** Most runs one page returns. */
export const MAX_PAGE = 100;

export interface JobRunPage {
	runs: JobRunView[];
	/** Pass as `before` for the next (older) page; null on the last page. */
	nextBefore: number | null;
}

/**
 * Runs newest first.
 * @param query.job only this job (exact dotted name)
 * @param query.state only runs in this state (`running` includes `queued`)
 * @param query.connectorId only runs of this connector (its syncs)
 * @param query.limit 1–100 (clamped), default 20
 * @param query.before only runs with a smaller id (the previous page's `nextBefore`)
 */
export async function listJobRuns(
	db: DbOrTx,
	query: {
		job?: string | undefined;
		state?: JobRunStatus | undefined;
		connectorId?: number | undefined;
		limit?: number | undefined;
		before?: number | undefined;
	} = {}
): Promise<JobRunPage> {
	const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(query.limit ?? 20)));
	const conditions: SQL[] = [];
	if (query.job) conditions.push(eq(jobRuns.job, query.job));
	if (query.state) {
		conditions.push(
			query.state === 'running'
				? inArray(jobRuns.status, ['queued', 'running'])
				: eq(jobRuns.status, query.state)
		);
	}
	if (query.connectorId !== undefined) conditions.push(eq(jobRuns.connectorId, query.connectorId));
	if (query.before !== undefined) conditions.push(lt(jobRuns.id, query.before));
	const rows = await db
		.select()
		.from(jobRuns)
		.where(conditions.length > 0 ? and(...conditions) : undefined)
		.orderBy(desc(jobRuns.id))
		.limit(limit + 1);
	const page = rows.slice(0, limit).map((row) => liveRun(row.id) ?? toJobView(row));
	return {
		runs: page,
		nextBefore: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null
	};
}

/** One run (this process's live view when it runs it), or null. */
export async function getJobRun(db: DbOrTx, id: number): Promise<JobRunView | null> {
	const live = liveRun(id);
	if (live) return live;
	const [row] = await db.select().from(jobRuns).where(eq(jobRuns.id, id));
	return row ? toJobView(row) : null;
}

/** The newest run of each of `jobs` (running or finished), for a page that shows their state. */
export async function latestRuns(
	db: DbOrTx,
	jobs: readonly string[]
): Promise<Record<string, JobRunView | null>> {
	const out: Record<string, JobRunView | null> = {};
	for (const job of jobs) {
		const { runs } = await listJobRuns(db, { job, limit: 1 });
		out[job] = runs[0] ?? null;
	}
	return out;
}
