/** Formatting of the analytics view's values (browser locale; days are calendar days). */

const dayFormat = new Intl.DateTimeFormat(undefined, {
	day: 'numeric',
	month: 'short',
	timeZone: 'UTC'
});
const longDayFormat = new Intl.DateTimeFormat(undefined, {
	weekday: 'short',
	day: 'numeric',
	month: 'short',
	year: 'numeric',
	timeZone: 'UTC'
});
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A calendar day `YYYY-MM-DD` as the instant its chart point sits at (UTC midnight). */
export function dayDate(day: string): Date {
	return new Date(`${day}T00:00:00Z`);
}

/** "3 Dec" */
export function formatDay(day: string | Date): string {
	return dayFormat.format(typeof day === 'string' ? dayDate(day) : day);
}

/** "Thu, 3 Dec 2026" */
export function formatLongDay(day: string | Date): string {
	return longDayFormat.format(typeof day === 'string' ? dayDate(day) : day);
}

/** A count, or "—" for none. */
export function formatNumber(value: unknown): string {
	return typeof value === 'number' && Number.isFinite(value) ? integer.format(value) : '—';
}

/** A 0..1 ratio as "42.5 %", or "—". */
export function formatRatio(value: unknown): string {
	return typeof value === 'number' && Number.isFinite(value)
		? `${decimal.format(value * 100)} %`
		: '—';
}

/** A percentage 0..100 as "42.5 %", or "—". */
export function formatPercent(value: unknown): string {
	return typeof value === 'number' && Number.isFinite(value) ? `${decimal.format(value)} %` : '—';
}

/** Milliseconds as "120 ms", or "—". */
export function formatMs(value: unknown): string {
	return typeof value === 'number' && Number.isFinite(value) ? `${integer.format(value)} ms` : '—';
}

/** An ISO instant as a local date and time, or "—". */
export function formatInstant(iso: string | null): string {
	if (!iso) return '—';
	return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
