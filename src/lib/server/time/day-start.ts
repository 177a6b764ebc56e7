/**
 * Where a day begins: the daily search budget and the "searches today" figures count the local
 * day of Settings → General's time zone. Pure functions of an instant and an IANA zone; offsets
 * come from the runtime's Intl time-zone data (no library, no I/O).
 */

/** Start of the UTC day containing `now`. */
export function utcDayStart(now: Date): Date {
	return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock date and time of `at` (epoch ms) in `timeZone` (an IANA zone), as if it were UTC
 * (ms): e.g. 12:00Z in Europe/Berlin in winter → the epoch ms of 13:00Z.
 */
export function wallClockMs(at: number, timeZone: string): number {
	let format = wallClocks.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric'
		});
		wallClocks.set(timeZone, format);
	}
	const parts: Record<string, number> = {};
	for (const part of format.formatToParts(at)) parts[part.type] = Number(part.value);
	const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
	return Date.UTC(year, month - 1, day, hour, minute, second) + (at % 1000);
}

/**
 * The first instant of the day containing `now` in `timeZone` (an IANA zone; Settings → General):
 * local midnight, or — on the days a zone skips midnight for daylight saving (e.g.
 * America/Santiago, Asia/Beirut) — the first local time that exists. Offsets come from the
 * runtime's Intl time-zone data.
 */
export function zonedDayStart(now: Date, timeZone: string): Date {
	if (timeZone === 'UTC') return utcDayStart(now);
	const at = now.getTime();
	const wall = wallClockMs(at, timeZone);
	const localMidnight = wall - (((wall % 86_400_000) + 86_400_000) % 86_400_000);
	// An instant whose wall clock is that midnight: the offset at `now`, corrected once by the
	// offset at the first guess (daylight saving between midnight and now). Where midnight is
	// skipped this lands on the first local time that exists.
	let candidate = localMidnight - (wall - at);
	candidate = localMidnight - (wallClockMs(candidate, timeZone) - candidate);
	// Where the clock falls back onto midnight (Cuba: 01:00 → 00:00), midnight happens twice and
	// the guess is the second one: step back while the day has already begun.
	while (wallClockMs(candidate - 15 * 60_000, timeZone) >= localMidnight) candidate -= 15 * 60_000;
	return new Date(candidate);
}
