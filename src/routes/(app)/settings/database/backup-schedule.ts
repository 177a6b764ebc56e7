/**
 * The scheduled-backup form (enabled, cron, retention): its valibot schema, used by the server
 * action and, through superforms' client adapter, in the browser. The limits are those of the
 * `backup` settings section (settings-service.ts), which validates again when it stores.
 */
import { Cron } from 'croner';
import * as v from 'valibot';

/** Why `pattern` is not a usable schedule, or null. */
export function cronProblem(pattern: string, timeZone = 'UTC'): string | null {
	const fields = pattern.trim().split(/\s+/).filter(Boolean).length;
	if (fields !== 5 && fields !== 6) {
		return 'Use 5 fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * *).';
	}
	try {
		const cron = new Cron(pattern.trim(), { paused: true, timezone: timeZone });
		const next = cron.nextRun();
		cron.stop();
		return next ? null : 'This schedule never runs.';
	} catch {
		return 'Not a valid cron expression (minute hour day-of-month month day-of-week).';
	}
}

/** The next `count` runs of `pattern` in `timeZone` (empty when it is invalid). */
export function upcomingRuns(pattern: string, timeZone: string, count = 3): Date[] {
	if (cronProblem(pattern, timeZone)) return [];
	const cron = new Cron(pattern.trim(), { paused: true, timezone: timeZone });
	const runs = cron.nextRuns(count);
	cron.stop();
	return runs;
}

export const RETENTION = { min: 1, max: 365 } as const;

export const backupScheduleSchema = v.object({
	enabled: v.boolean(),
	schedule: v.pipe(
		v.string(),
		v.trim(),
		v.minLength(1, 'Enter a cron expression.'),
		v.rawCheck(({ dataset, addIssue }) => {
			if (!dataset.typed) return;
			const problem = cronProblem(dataset.value);
			if (problem) addIssue({ message: problem });
		})
	),
	retention: v.pipe(
		v.number('Enter a number.'),
		v.integer('Whole numbers only.'),
		v.minValue(RETENTION.min, `Keep at least ${RETENTION.min} backup.`),
		v.maxValue(RETENTION.max, `At most ${RETENTION.max} backups.`)
	)
});
