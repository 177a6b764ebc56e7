/**
 * Query-string parsing for the queue and history listings: pagination, ids, enums and dates,
 * with one message per bad parameter.
 *
 * Every parser collects problems into a `fields` record and throws one `ListingQueryError`
 * (400 `validation.failed`, `fields` naming each bad parameter), so a client sees all of its
 * mistakes at once. Absent or empty parameters take their defaults.
 */
import { DomainError } from '../../errors';
import { localDay } from '../../time/calendar-day';
import { zonedDayStart } from '../../time/day-start';

/** Rows per page unless `pageSize` says otherwise. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest `pageSize` accepted. */
export const MAX_PAGE_SIZE = 500;

/** `validation.failed` (400) with one message per bad query parameter. */
export class ListingQueryError extends DomainError {
	constructor(fields: Record<string, string>) {
		const names = Object.keys(fields);
		super(
			'validation.failed',
			`Invalid query parameter${names.length > 1 ? 's' : ''}: ${names.join(', ')}`,
			{
				status: 400,
				fields
			}
		);
		this.name = 'ListingQueryError';
	}
}

/** Problems found so far, by parameter name. */
export type FieldErrors = Record<string, string>;

/** Throws the collected problems, if any. */
export function throwIfInvalid(fields: FieldErrors): void {
	if (Object.keys(fields).length > 0) throw new ListingQueryError(fields);
}

function present(params: URLSearchParams, name: string): string | undefined {
	const value = params.get(name)?.trim();
	return value === undefined || value === '' ? undefined : value;
}

/**
 * An integer parameter within [min, max], or `fallback` when absent.
 * Only plain decimal digits are accepted (no `1e3`, `0x10`, `+5`, `1.0`).
 */
export function readInteger(
	params: URLSearchParams,
	name: string,
	fields: FieldErrors,
	bounds: { min: number; max: number }
): number | undefined {
	const raw = present(params, name);
	if (raw === undefined) return undefined;
	const value = /^-?\d{1,10}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
		fields[name] =
			bounds.max === Number.MAX_SAFE_INTEGER
				? `${name} must be an integer of at least ${bounds.min}`
				: `${name} must be an integer from ${bounds.min} to ${bounds.max}`;
		return undefined;
	}
	return value;
}

/** A positive database id parameter (`connectorId`), or undefined when absent. */
export function readId(
	params: URLSearchParams,
	name: string,
	fields: FieldErrors
): number | undefined {
	return readInteger(params, name, fields, { min: 1, max: 2_147_483_647 });
}

/** `page` (1-based, default 1) and `pageSize` (1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE). */
export function readPagination(
	params: URLSearchParams,
	fields: FieldErrors
): { page: number; pageSize: number } {
	const page = readInteger(params, 'page', fields, { min: 1, max: 1_000_000 }) ?? 1;
	const pageSize =
		readInteger(params, 'pageSize', fields, { min: 1, max: MAX_PAGE_SIZE }) ?? DEFAULT_PAGE_SIZE;
	return { page, pageSize };
}

/** One of `allowed`, or undefined when absent. */
export function readEnum<T extends string>(
	params: URLSearchParams,
	name: string,
	allowed: readonly T[],
	fields: FieldErrors
): T | undefined {
	const raw = present(params, name);
	if (raw === undefined) return undefined;
	if ((allowed as readonly string[]).includes(raw)) return raw as T;
	fields[name] = `${name} must be one of ${allowed.join(', ')}`;
	return undefined;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The first instant of the local calendar day `date` (YYYY-MM-DD) in `timeZone`. */
function startOfLocalDate(date: string, timeZone: string): Date {
	const [, y, m, d] = DATE_ONLY.exec(date) ?? [];
	const noon = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d), 12));
	// UTC noon is on that local date in every zone from −12 to +11; step for the others.
	for (const shift of [0, -1, 1]) {
		const guess = new Date(noon.getTime() + shift * 43_200_000);
		if (localDay(guess, timeZone) === date) return zonedDayStart(guess, timeZone);
	}
	return zonedDayStart(noon, timeZone);
}

/**
 * A date range from `from` / `to`: each an ISO 8601 date-time with an offset
 * (`2026-12-01T10:00:00Z`, `…+01:00`) or a calendar date (`2026-12-01`), which means that whole
 * day in `timeZone` (Settings → General): `from` its first instant, `to` its last.
 * @returns `from` inclusive and `before` exclusive bounds (either may be absent).
 */
export function readDateRange(
	params: URLSearchParams,
	fields: FieldErrors,
	timeZone: string
): { from?: Date; before?: Date } {
	const parse = (name: 'from' | 'to'): Date | undefined => {
		const raw = present(params, name);
		if (raw === undefined) return undefined;
		const dateOnly = DATE_ONLY.exec(raw);
		if (dateOnly) {
			const check = new Date(`${raw}T00:00:00Z`);
			if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== raw) {
				fields[name] = `${name} is not a real calendar date`;
				return undefined;
			}
			const start = startOfLocalDate(raw, timeZone);
			if (name === 'from') return start;
			const next = new Date(
				Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3]) + 1)
			)
				.toISOString()
				.slice(0, 10);
			return startOfLocalDate(next, timeZone);
		}
		const at = DATE_TIME.test(raw) ? new Date(raw) : new Date(NaN);
		if (Number.isNaN(at.getTime())) {
			fields[name] =
				`${name} must be an ISO 8601 date (2026-12-01) or date-time with an offset (2026-12-01T10:00:00Z)`;
			return undefined;
		}
		// A date-time `to` is inclusive: the exclusive bound is one millisecond later.
		return name === 'to' ? new Date(at.getTime() + 1) : at;
	};
	const from = parse('from');
	const before = parse('to');
	if (from && before && before.getTime() <= from.getTime()) {
		fields.to = 'to must not be before from';
	}
	return { ...(from ? { from } : {}), ...(before ? { before } : {}) };
}

/** A free-text parameter of at most `maxLength` characters, or undefined when absent. */
export function readText(
	params: URLSearchParams,
	name: string,
	fields: FieldErrors,
	maxLength: number
): string | undefined {
	const raw = present(params, name);
	if (raw === undefined) return undefined;
	if (raw.length > maxLength) {
		fields[name] = `${name} must be at most ${maxLength} characters`;
		return undefined;
	}
	return raw;
}
