/**
 * Query and path parameters of `/api/v1/schedules/…`, parsed the same way by every route.
 */
import * as v from 'valibot';
import { SCHEDULE_LIMITS } from '../../../types/schedules';
import { ScheduleError } from './sweep-schedules';

/** `params.id` as a positive integer. @throws ScheduleError 404 `schedules.not_found` */
export function scheduleIdParam(raw: string | undefined): number {
	const id = Number(raw);
	if (!raw || !/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) {
		throw new ScheduleError('schedules.not_found', `Schedule ${raw ?? ''} does not exist.`, {
			status: 404
		});
	}
	return id;
}

const Count = v.optional(
	v.pipe(
		v.string(),
		v.regex(/^\d+$/, 'count must be a whole number.'),
		v.transform(Number),
		v.minValue(1, 'count must be at least 1.'),
		v.maxValue(SCHEDULE_LIMITS.nextRunsMax, `count must be at most ${SCHEDULE_LIMITS.nextRunsMax}.`)
	),
	'5'
);

const From = v.optional(
	v.pipe(
		v.string(),
		v.check((s) => !Number.isNaN(Date.parse(s)), 'from must be an ISO 8601 date-time.'),
		v.transform((s) => new Date(s))
	)
);

/** `?count=&from=` of next-runs (count 1–20, default 5; from default now). */
export const NextRunsQuery = v.object({ count: Count, from: From });

/** `?cron=&timezone=&count=&from=&kind=` of the editor's preview. */
export const PreviewQuery = v.object({
	cron: v.string('cron is required.'),
	timezone: v.string('timezone is required.'),
	count: Count,
	from: From,
	/** `built-in` checks a built-in job's pattern (no once-a-minute floor). */
	kind: v.optional(v.picklist(['sweep', 'built-in'], 'kind must be sweep or built-in.'), 'sweep')
});

/** The query string as an object (the last value of a repeated key). */
export function queryOf(url: URL): Record<string, string> {
	return Object.fromEntries(url.searchParams);
}

/** `?from=&days=` of the timeline (days 1–31, default 7; from default now). */
export const TimelineQuery = v.object({
	from: From,
	days: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d+$/, 'days must be a whole number.'),
			v.transform(Number),
			v.minValue(1, 'days must be at least 1.'),
			v.maxValue(
				SCHEDULE_LIMITS.timelineMaxDays,
				`days must be at most ${SCHEDULE_LIMITS.timelineMaxDays}.`
			)
		),
		'7'
	)
});
