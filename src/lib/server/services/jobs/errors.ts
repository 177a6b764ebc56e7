/**
 * Errors of the job runner, with stable codes (mapped to HTTP by routes/api and the pages).
 */
import { DomainError } from '../../errors';

/**
 * A failure whose message is written for the user and stored on the run as is ("The file is not
 * a Comradarr backup: …"). Anything else a job throws is recorded as a generic failure and logged.
 */
export class JobError extends DomainError {
	constructor(message: string, options?: ErrorOptions) {
		super('jobs.failed', message, { status: 400, cause: options?.cause });
		this.name = 'JobError';
	}
}

/** A second start of a job that is already running (→ 409). */
export class JobConflictError extends DomainError {
	constructor(
		readonly job: string,
		/** The run in progress, when known (this process or the database says so). */
		readonly runningId: number | null
	) {
		super('jobs.already_running', `${jobLabel(job)} is already running; wait for it to finish.`, {
			status: 409
		});
		this.name = 'JobConflictError';
	}
}

/** A start refused because a restore holds the database (→ 503). */
export class MaintenanceError extends DomainError {
	constructor() {
		super('maintenance.restore', 'A restore is in progress; try again when it has finished.', {
			status: 503
		});
		this.name = 'MaintenanceError';
	}
}

const LABELS: Record<string, string> = {
	'db.vacuum': 'Vacuum',
	'db.prune': 'Prune',
	'db.backup': 'A backup',
	'db.restore': 'A restore',
	'content.bulk': 'A bulk action'
};

/**
 * The user-facing name of a job ("Vacuum", "A backup", "Scheduled sweep 5" for
 * `sweep.schedule.5`); the dotted name when unknown.
 */
export function jobLabel(job: string): string {
	const schedule = /^sweep\.schedule\.(\d+)$/.exec(job);
	if (schedule) return `Scheduled sweep ${schedule[1]}`;
	return LABELS[job] ?? job;
}
