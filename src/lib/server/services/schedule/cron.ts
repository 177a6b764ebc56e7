/**
 * Cron patterns as the schedules use them: validation (croner), the description in words
 * (cronstrue) and the next run times in a time zone.
 *
 * Patterns have 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first,
 * croner's `5-or-6-parts` mode; croner's nicknames (`@hourly`, `@daily`…) are accepted too.
 *
 * Daylight-saving time, as croner 11 computes it (its `fixedTimeRule: "single-value"` default,
 * croner.d.ts `CronOptions.fixedTimeRule`): a fixed-time pattern (one value each in seconds,
 * minutes and hours, e.g. `30 2 * * *`) whose local time falls in the spring-forward gap runs at
 * the first valid time after the gap (02:30 Europe/Berlin on 2026-03-29 runs at 03:00 CEST,
 * 01:00 UTC), and when a local time occurs twice (fall back) it runs once, at the first
 * occurrence (2026-10-25 02:30 CEST, 00:30 UTC). Interval patterns (`30 * * * *`) skip times in
 * the gap and run on both occurrences of a repeated time.
 */
import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import { isTimeZone } from '../../../schemas/settings';
import { SCHEDULE_LIMITS } from '../../../types/schedules';

/** The most next-run times one request may ask for. */
export const NEXT_RUNS_MAX = SCHEDULE_LIMITS.nextRunsMax;

/** The shortest time between two runs of a sweep (seconds): no sweep more than once a minute. */
export const SWEEP_MIN_INTERVAL_SECONDS = SCHEDULE_LIMITS.sweepMinIntervalSeconds;

/** croner options shared by validation, previews and timers. */
const PATTERN_MODE = '5-or-6-parts' as const;

/** croner's nicknames, for cronstrue (which does not read them). */
const NICKNAMES: Record<string, string> = {
	'@yearly': '0 0 1 1 *',
	'@annually': '0 0 1 1 *',
	'@monthly': '0 0 1 * *',
	'@weekly': '0 0 * * 0',
	'@daily': '0 0 * * *',
	'@midnight': '0 0 * * *',
	'@hourly': '0 * * * *'
};

/** A paused croner job for `pattern` in `timeZone`. @throws croner's TypeError/RangeError */
function parse(pattern: string, timeZone: string): Cron {
	return new Cron(pattern.trim(), { paused: true, timezone: timeZone, mode: PATTERN_MODE });
}

/**
 * Why `pattern` is not a usable schedule, or null. Checks that croner parses it, that it fires
 * at all, and (with `minIntervalSeconds`) that no two of its next runs are closer than that.
 * @param timeZone a valid IANA zone (check it first with `isTimeZone`)
 */
export function cronProblem(
	pattern: string,
	timeZone: string,
	options: { minIntervalSeconds?: number } = {}
): string | null {
	const text = pattern.trim();
	if (text === '') return 'Enter a cron expression (e.g. 5 * * * * for hourly at :05).';
	let cron: Cron;
	try {
		cron = parse(text, timeZone);
	} catch (error) {
		const detail = (error instanceof Error ? error.message : String(error)).replace(
			/^CronPattern: /,
			''
		);
		return `Not a valid cron expression: ${detail}. Use 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first.`;
	}
	try {
		// Consecutive runs inside one matching minute show a seconds field with several values.
		const runs = cron.nextRuns(5);
		if (runs.length === 0) return 'This expression never runs.';
		const min = options.minIntervalSeconds;
		if (min !== undefined) {
			for (let i = 1; i < runs.length; i++) {
				const gap = (runs[i]!.getTime() - runs[i - 1]!.getTime()) / 1000;
				if (gap < min) {
					return `This runs more often than once a minute (every ${gap} s); a sweep may run at most once a minute.`;
				}
			}
		}
		return null;
	} finally {
		cron.stop();
	}
}

/** Why `zone` is not a time zone this runtime knows, or null. */
export function timeZoneProblem(zone: string): string | null {
	return isTimeZone(zone)
		? null
		: 'Not a known time zone: use an IANA name such as Europe/Berlin, America/New_York or UTC.';
}

/**
 * The pattern in English words, 24-hour clock ("At 02:30", "At 5 minutes past the hour"), by
 * cronstrue (`toString(expr, { use24HourTimeFormat: true })`, which reads 6 fields as seconds
 * first). Nicknames are expanded first. Falls back to the pattern itself when cronstrue cannot
 * read it.
 */
export function describeCron(pattern: string): string {
	const text = pattern.trim();
	const expanded = NICKNAMES[text.toLowerCase()] ?? text;
	try {
		return cronstrue.toString(expanded, { use24HourTimeFormat: true });
	} catch {
		return text;
	}
}

/**
 * The next `count` (1–`NEXT_RUNS_MAX`, clamped) times `pattern` fires after `from` in `timeZone`.
 * @returns Date instants (UTC), empty for an invalid pattern or zone
 */
export function nextRunTimes(
	pattern: string,
	timeZone: string,
	count: number,
	from: Date = new Date()
): Date[] {
	const n = Math.min(NEXT_RUNS_MAX, Math.max(1, Math.trunc(count)));
	let cron: Cron;
	try {
		cron = parse(pattern, timeZone);
	} catch {
		return [];
	}
	try {
		return cron.nextRuns(n, from);
	} finally {
		cron.stop();
	}
}

/**
 * Every time `pattern` fires in `timeZone` after `from` and before `to`, at most `max`.
 * @returns Date instants (UTC), empty for an invalid pattern or zone; `truncated` when `max` cut
 *   the list short
 */
export function runsBetween(
	pattern: string,
	timeZone: string,
	from: Date,
	to: Date,
	max: number
): { runs: Date[]; truncated: boolean } {
	let cron: Cron;
	try {
		cron = parse(pattern, timeZone);
	} catch {
		return { runs: [], truncated: false };
	}
	try {
		const runs: Date[] = [];
		let at: Date | null = cron.nextRun(from);
		while (at && at < to) {
			if (runs.length >= max) return { runs, truncated: true };
			runs.push(at);
			at = cron.nextRun(at);
		}
		return { runs, truncated: false };
	} finally {
		cron.stop();
	}
}

/** The next time `pattern` fires after `from` in `timeZone`, or null (invalid, none left). */
export function nextRunTime(pattern: string, timeZone: string, from = new Date()): Date | null {
	return nextRunTimes(pattern, timeZone, 1, from)[0] ?? null;
}

/** croner's pattern mode, for the scheduler's live timers (the same reading as validation). */
export const TIMER_MODE = PATTERN_MODE;
