/**
 * The analytics query (`GET /api/v1/analytics`, its CSV export and the `/analytics` page's URL):
 * a range of local days and an optional connector. Parameters arrive as strings; an empty string
 * means "not set".
 */
import * as v from 'valibot';
import { ANALYTICS_EXPORTS } from '../types/analytics';

/** Longest range (days, inclusive): the roll-ups' retention, two years. */
export const MAX_RANGE_DAYS = 731;

/** The range presets of the date-range picker (days, today included). */
export const RANGE_PRESETS = [7, 30, 90] as const;
export const DEFAULT_RANGE_DAYS = 30;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is a real calendar day `YYYY-MM-DD`. */
export function isDay(value: string): boolean {
	if (!DAY.test(value)) return false;
	const t = Date.parse(`${value}T00:00:00Z`);
	return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === value;
}

/** Days from `from` to `to`, both included. */
export function rangeLength(from: string, to: string): number {
	return (
		Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
	);
}

const empty = (value: unknown) => (value === '' ? undefined : value);

const day = (name: string) =>
	v.optional(
		v.pipe(
			v.unknown(),
			v.transform(empty),
			v.optional(v.pipe(v.string(), v.check(isDay, `Enter ${name} as a date, YYYY-MM-DD.`)))
		)
	);

export const AnalyticsQuerySchema = v.pipe(
	v.object({
		from: day('the first day'),
		to: day('the last day'),
		connectorId: v.optional(
			v.pipe(
				v.unknown(),
				v.transform(empty),
				v.optional(
					v.pipe(
						v.string(),
						v.regex(/^\d{1,9}$/, 'Pick a connector by its id.'),
						v.transform(Number),
						v.minValue(1, 'Pick a connector by its id.')
					)
				)
			)
		)
	}),
	v.forward(
		v.check((q) => !q.from || !q.to || q.from <= q.to, 'The first day must not be after the last.'),
		['to']
	),
	v.forward(
		v.check(
			(q) => !q.from || !q.to || rangeLength(q.from, q.to) <= MAX_RANGE_DAYS,
			`Pick at most ${MAX_RANGE_DAYS} days (two years).`
		),
		['from']
	)
);
export type AnalyticsQueryInput = v.InferOutput<typeof AnalyticsQuerySchema>;

export const AnalyticsExportSchema = v.object({
	table: v.picklist(ANALYTICS_EXPORTS, `Pick one of: ${ANALYTICS_EXPORTS.join(', ')}.`)
});
