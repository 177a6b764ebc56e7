/**
 * Ranges of local calendar days (`YYYY-MM-DD`, both ends included) for the date-range picker.
 */

export interface DayRange {
	from: string;
	to: string;
}

/** `day` shifted by `n` calendar days. */
export function shiftDay(day: string, n: number): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The `days`-long range ending on `today`. */
export function presetRange(days: number, today: string): DayRange {
	return { from: shiftDay(today, -(days - 1)), to: today };
}

/** The preset (in days) `range` equals, if any. */
export function matchingPreset(
	range: DayRange,
	presets: readonly number[],
	today: string
): number | undefined {
	return presets.find((days) => {
		const preset = presetRange(days, today);
		return preset.from === range.from && preset.to === range.to;
	});
}

/** "3 Nov – 2 Dec 2026" in the browser's locale (days are calendar days, shown as such). */
export function formatRange(range: DayRange, locale?: string): string {
	const format = new Intl.DateTimeFormat(locale, {
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		timeZone: 'UTC'
	});
	const from = new Date(`${range.from}T00:00:00Z`);
	const to = new Date(`${range.to}T00:00:00Z`);
	return format.formatRange(from, to);
}
