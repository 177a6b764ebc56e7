/**
 * The wire shape of a background job run (`GET /api/v1/jobs/{id}`), shared by the server and the
 * components that follow a run. Times are ISO 8601 strings.
 */

/** `queued` and `running` are live; the others are final. */
export type JobRunStatus = 'queued' | 'running' | 'success' | 'partial' | 'failed' | 'skipped';

export interface JobRunView {
	id: number;
	/** Dotted job name: `db.vacuum`, `db.prune`, `db.backup`, `db.restore`… */
	job: string;
	status: JobRunStatus;
	/** `manual` (a user started it), `schedule` or `webhook`. */
	trigger: string;
	/** The connector a per-connector run (a sync) works on, else null. */
	connectorId: number | null;
	/** The step now running (`series`, `episodes`, `movies`…), null when the job has none. */
	phase: string | null;
	/** Units done of `total` in this phase; null when not counted. */
	done: number | null;
	total: number | null;
	/** 0–1 when the job can tell, null while unknown. */
	progress: number | null;
	/** What the job is doing now, or its summary when done, for the user. */
	message: string | null;
	/** The job's own summary (counts, file name…), when done. */
	result: Record<string, unknown> | null;
	/** Why it failed, for the user (never a stack trace, SQL text or secret). */
	error: string | null;
	createdAt: string;
	startedAt: string | null;
	finishedAt: string | null;
}

/** True while the run may still change. */
export function isLive(status: JobRunStatus): boolean {
	return status === 'queued' || status === 'running';
}
