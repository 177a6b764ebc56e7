/**
 * The Schedules editor's cron builder: four shapes people ask for without writing cron, and the
 * conversion between them and a five-field cron expression (minute hour day-of-month month
 * day-of-week, as croner reads it: https://croner.56k.guru/usage/pattern/).
 *
 * "Every N minutes / hours" offers only the N that divide the hour / the day evenly: cron's `*\/7`
 * restarts at every hour (…:49, :56, :00, :07), so "every 7 minutes" would not be what it says.
 * Pure functions, the same in the browser and on the server.
 */

/** Steps that divide an hour evenly (minutes). */
export const MINUTE_STEPS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] as const;
/** Steps that divide a day evenly (hours). */
export const HOUR_STEPS = [1, 2, 3, 4, 6, 8, 12] as const;
/** Day-of-week numbers as cron has them: 0 = Sunday … 6 = Saturday. */
export const WEEKDAYS = [
	{ value: 1, short: 'Mon', long: 'Monday' },
	{ value: 2, short: 'Tue', long: 'Tuesday' },
	{ value: 3, short: 'Wed', long: 'Wednesday' },
	{ value: 4, short: 'Thu', long: 'Thursday' },
	{ value: 5, short: 'Fri', long: 'Friday' },
	{ value: 6, short: 'Sat', long: 'Saturday' },
	{ value: 0, short: 'Sun', long: 'Sunday' }
] as const;

/**
 * What the builder can express. Times are wall-clock in the schedule's time zone: `hour` 0–23,
 * `minute` 0–59; `days` are cron day-of-week numbers (0 = Sunday), at least one.
 */
export type BuilderSpec =
	| { kind: 'minutes'; every: number }
	| { kind: 'hours'; every: number; minute: number }
	| { kind: 'daily'; hour: number; minute: number }
	| { kind: 'weekly'; days: number[]; hour: number; minute: number };

export type BuilderKind = BuilderSpec['kind'];

/** A new schedule's builder state: daily at 03:00. */
export const DEFAULT_SPEC: BuilderSpec = { kind: 'daily', hour: 3, minute: 0 };

const isInt = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/**
 * What is wrong with a builder state, per field (`every`, `minute`, `hour`, `days`); empty when
 * it is valid. Messages are for the user.
 */
export function validateSpec(spec: BuilderSpec): Partial<Record<string, string>> {
	const errors: Partial<Record<string, string>> = {};
	switch (spec.kind) {
		case 'minutes':
			if (!(MINUTE_STEPS as readonly number[]).includes(spec.every)) {
				errors.every = `Choose one of ${MINUTE_STEPS.join(', ')} minutes.`;
			}
			break;
		case 'hours':
			if (!(HOUR_STEPS as readonly number[]).includes(spec.every)) {
				errors.every = `Choose one of ${HOUR_STEPS.join(', ')} hours.`;
			}
			if (!isInt(spec.minute, 0, 59)) errors.minute = 'The minute is a whole number from 0 to 59.';
			break;
		case 'daily':
		case 'weekly':
			if (!isInt(spec.hour, 0, 23)) errors.hour = 'The hour is a whole number from 0 to 23.';
			if (!isInt(spec.minute, 0, 59)) errors.minute = 'The minute is a whole number from 0 to 59.';
			if (spec.kind === 'weekly') {
				if (spec.days.length === 0) errors.days = 'Choose at least one day.';
				else if (spec.days.some((d) => !isInt(d, 0, 6))) errors.days = 'Unknown day of the week.';
			}
			break;
	}
	return errors;
}

/**
 * The cron expression of a builder state.
 * @example toCron({ kind: 'daily', hour: 3, minute: 15 }) → '15 3 * * *'
 * @example toCron({ kind: 'weekly', days: [5, 1], hour: 22, minute: 0 }) → '0 22 * * 1,5'
 * @throws RangeError when the state is not valid (see `validateSpec`).
 */
export function toCron(spec: BuilderSpec): string {
	const errors = validateSpec(spec);
	const first = Object.values(errors)[0];
	if (first) throw new RangeError(first);
	switch (spec.kind) {
		case 'minutes':
			return spec.every === 1 ? '* * * * *' : `*/${spec.every} * * * *`;
		case 'hours':
			return spec.every === 1 ? `${spec.minute} * * * *` : `${spec.minute} */${spec.every} * * *`;
		case 'daily':
			return `${spec.minute} ${spec.hour} * * *`;
		case 'weekly': {
			const days = [...new Set(spec.days)].sort((a, b) => a - b);
			// Every day of the week is simply daily.
			return `${spec.minute} ${spec.hour} * * ${days.length === 7 ? '*' : days.join(',')}`;
		}
	}
}

/** A plain number field ("0", "15"; no leading "+", no "07" beyond two digits). */
function plainNumber(field: string, min: number, max: number): number | null {
	if (!/^\d{1,2}$/.test(field)) return null;
	const n = Number(field);
	return n >= min && n <= max ? n : null;
}

/** `*` or `*\/N` → N (1 for `*`), else null. */
function step(field: string): number | null {
	if (field === '*') return 1;
	const m = /^\*\/(\d{1,2})$/.exec(field);
	return m ? Number(m[1]) : null;
}

const DAY_NAMES: Record<string, number> = {
	sun: 0,
	mon: 1,
	tue: 2,
	wed: 3,
	thu: 4,
	fri: 5,
	sat: 6
};

/** A day-of-week field of numbers, names and ranges (`1-5`, `MON,WED`, `7` = Sunday) → days. */
function weekdays(field: string): number[] | null {
	const day = (token: string): number | null => {
		const named = DAY_NAMES[token.toLowerCase()];
		if (named !== undefined) return named;
		const n = plainNumber(token, 0, 7);
		return n === null ? null : n % 7;
	};
	const days = new Set<number>();
	for (const part of field.split(',')) {
		const range = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)$/.exec(part);
		if (range) {
			const from = day(range[1]!);
			// `5-7` ends on Sunday written as 7: keep the range's end before taking it modulo 7.
			const rawTo = range[2]!;
			const to = /^\d+$/.test(rawTo) ? plainNumber(rawTo, 0, 7) : day(rawTo);
			if (from === null || to === null || to < from) return null;
			for (let d = from; d <= to; d++) days.add(d % 7);
		} else {
			const d = day(part);
			if (d === null) return null;
			days.add(d);
		}
	}
	return [...days].sort((a, b) => a - b);
}

/**
 * The builder state of a cron expression, or null when the builder cannot show it (a day of the
 * month, a month, seconds, a step that does not divide the hour / day, a list of minutes…).
 * `toCron(fromCron(e))` is `e` written the builder's way (e.g. `0 3 * * 1-5` → `0 3 * * 1,2,3,4,5`).
 * @example fromCron('15 3 * * *') → { kind: 'daily', hour: 3, minute: 15 }
 * @example fromCron('0 0 1 * *') → null
 */
export function fromCron(expression: string): BuilderSpec | null {
	const fields = expression.trim().split(/\s+/);
	if (fields.length !== 5) return null;
	const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
	if (dom !== '*' || month !== '*') return null;

	const minuteStep = step(min);
	if (minuteStep !== null) {
		if (hour !== '*' || dow !== '*') return null;
		const spec: BuilderSpec = { kind: 'minutes', every: minuteStep };
		return Object.keys(validateSpec(spec)).length === 0 ? spec : null;
	}
	const minute = plainNumber(min, 0, 59);
	if (minute === null) return null;

	const hourStep = step(hour);
	if (hourStep !== null) {
		if (dow !== '*') return null;
		const spec: BuilderSpec = { kind: 'hours', every: hourStep, minute };
		return Object.keys(validateSpec(spec)).length === 0 ? spec : null;
	}
	const h = plainNumber(hour, 0, 23);
	if (h === null) return null;
	if (dow === '*') return { kind: 'daily', hour: h, minute };
	const days = weekdays(dow);
	if (!days || days.length === 0) return null;
	if (days.length === 7) return { kind: 'daily', hour: h, minute };
	return { kind: 'weekly', days, hour: h, minute };
}

/** "03:15" from an hour and a minute (for `<input type="time">`). */
export function formatTime(hour: number, minute: number): string {
	return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** `{ hour, minute }` from "HH:MM" (as `<input type="time">` gives it), or null. */
export function parseTime(value: string): { hour: number; minute: number } | null {
	const m = /^(\d{2}):(\d{2})$/.exec(value.trim());
	if (!m) return null;
	const hour = Number(m[1]);
	const minute = Number(m[2]);
	return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}
