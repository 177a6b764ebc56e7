/**
 * Local calendar days as `YYYY-MM-DD` strings: the day of an instant in an IANA time zone (the
 * General time zone of Settings, for roll-ups, trends and date filters), and day arithmetic.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The local calendar day (`YYYY-MM-DD`) of instant `at` in IANA zone `timeZone`; one formatter
 * per zone is kept. @throws RangeError for an unknown zone.
 */
export function localDay(at: Date, timeZone: string): string {
	let format = formats.get(timeZone);
	if (!format) {
		// en-CA formats as YYYY-MM-DD.
		format = new Intl.DateTimeFormat('en-CA', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit'
		});
		formats.set(timeZone, format);
	}
	return format.format(at);
}

const DAY_MS = 86_400_000;

/** `day` (`YYYY-MM-DD`) shifted by `n` calendar days (negative: earlier). */
export function addDays(day: string, n: number): string {
	const t = Date.parse(`${day}T00:00:00Z`) + n * DAY_MS;
	return new Date(t).toISOString().slice(0, 10);
}
