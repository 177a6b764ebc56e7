import { clsx, type ClassValue } from 'clsx';
import { twMerge } from 'tailwind-merge';

/**
 * Joins class names and resolves Tailwind conflicts (`cn('px-2', 'px-4')` → `'px-4'`).
 * tailwind-merge only knows Tailwind spellings: pass `px-4`, never UnoCSS shorthands like `p4`.
 */
export function cn(...inputs: ClassValue[]): string {
	return twMerge(clsx(inputs));
}

/** Props of a bits-ui component without its `child` snippet (we always render our own element). */
export type WithoutChild<T> = T extends { child?: unknown } ? Omit<T, 'child'> : T;
/** Props of a bits-ui component without its `children` snippet. */
export type WithoutChildren<T> = T extends { children?: unknown } ? Omit<T, 'children'> : T;
export type WithoutChildrenOrChild<T> = WithoutChildren<WithoutChild<T>>;
/** Adds a bindable `ref` to the element a component renders. */
export type WithElementRef<T, U extends HTMLElement = HTMLElement> = T & { ref?: U | null };

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
	['year', 365 * 24 * 60 * 60 * 1000],
	['month', 30 * 24 * 60 * 60 * 1000],
	['week', 7 * 24 * 60 * 60 * 1000],
	['day', 24 * 60 * 60 * 1000],
	['hour', 60 * 60 * 1000],
	['minute', 60 * 1000],
	['second', 1000]
];

// One formatter per process: constructing Intl formatters is comparatively expensive.
// The locale is fixed so server-rendered and hydrated text agree.
const relativeFormatter = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const absoluteFormatters = new Map<string, Intl.DateTimeFormat>();

/** Coerces a `Date`, an ISO string or null to a valid `Date`, or null when it is missing or unparsable. */
export function toDate(value: Date | string | null | undefined): Date | null {
	if (value === null || value === undefined || value === '') {
		return null;
	}
	const date = value instanceof Date ? value : new Date(value);
	return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Formats `date` relative to `now` in short English: "now", "3 min. ago", "in 2 hr.", "yesterday".
 * Differences under 10 seconds read as "now".
 */
export function formatRelativeTime(date: Date, now: Date | number = Date.now()): string {
	const diff = date.getTime() - (typeof now === 'number' ? now : now.getTime());
	if (Math.abs(diff) < 10_000) {
		return relativeFormatter.format(0, 'second');
	}
	for (const [unit, ms] of RELATIVE_UNITS) {
		if (Math.abs(diff) >= ms || unit === 'second') {
			return relativeFormatter.format(Math.round(diff / ms), unit);
		}
	}
	return relativeFormatter.format(0, 'second');
}

/**
 * Formats an absolute date and time, e.g. "Nov 20, 2026, 10:31:02 PM", in `timeZone` (Settings →
 * General, `page.data.timeZone`; the same on the server and in the browser, so the rendered page
 * and the hydrated one agree), or in the runtime's own zone when none is given.
 */
export function formatDateTime(date: Date, timeZone?: string): string {
	const key = timeZone ?? '';
	let formatter = absoluteFormatters.get(key);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en', {
			dateStyle: 'medium',
			timeStyle: 'medium',
			...(timeZone ? { timeZone } : {})
		});
		absoluteFormatters.set(key, formatter);
	}
	return formatter.format(date);
}
