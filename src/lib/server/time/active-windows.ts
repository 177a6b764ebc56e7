/**
 * Active windows of a throttle profile: the local times of day (Settings → General time zone) in
 * which the dispatcher may send. Pure functions of a window list, an instant and an IANA zone;
 * offsets come from the runtime's Intl time-zone data (see day-start.ts).
 *
 * A window is `{start: "HH:MM", end: "HH:MM"}` (24 h), start inclusive, end exclusive:
 * - `start < end`: that span of every day (`01:00`–`07:00`);
 * - `end < start`: wraps midnight (`22:00`–`06:00` = 22:00 to 06:00 the next morning);
 * - `start = end`: the whole day.
 * No windows = always active. A window whose times do not parse is ignored (the forms and the API
 * validate them; a bad row must not stop dispatch for ever), and a list of only such windows is
 * treated as no windows. Local time is the wall clock: on a daylight-saving day a window keeps its
 * clock times, so `01:00`–`04:00` is two hours long the night clocks spring forward.
 */
import { wallClockMs } from './day-start';

/** A local time-of-day window, "HH:MM" 24 h (the shape of `throttle_profiles.active_windows`). */
export interface TimeWindow {
	start: string;
	end: string;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of an "HH:MM" time (00:00–23:59), or null when it is not one. */
export function parseClockTime(value: string): number | null {
	const match = HH_MM.exec(value);
	return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

interface Span {
	start: number;
	end: number;
}

function spans(windows: readonly TimeWindow[]): Span[] {
	const out: Span[] = [];
	for (const w of windows) {
		const start = parseClockTime(w.start);
		const end = parseClockTime(w.end);
		if (start !== null && end !== null) out.push({ start, end });
	}
	return out;
}

/** The local minute of the day (0–1439) of `at` in `timeZone`. */
function localMinute(at: number, timeZone: string): number {
	const wall = wallClockMs(at, timeZone);
	const ofDay = ((wall % 86_400_000) + 86_400_000) % 86_400_000;
	return Math.floor(ofDay / MINUTE_MS);
}

function spanHolds(span: Span, minute: number): boolean {
	if (span.start === span.end) return true;
	if (span.start < span.end) return minute >= span.start && minute < span.end;
	return minute >= span.start || minute < span.end;
}

function insideSpans(list: readonly Span[], at: number, timeZone: string): boolean {
	if (list.length === 0) return true;
	const minute = localMinute(at, timeZone);
	return list.some((s) => spanHolds(s, minute));
}

/** Whether `now` lies inside one of `windows` in `timeZone` (always true for no windows). */
export function insideActiveWindows(
	windows: readonly TimeWindow[],
	now: Date,
	timeZone: string
): boolean {
	return insideSpans(spans(windows), now.getTime(), timeZone);
}

/**
 * The first instant after `now` at which one of the windows is open, searched to the minute.
 * Where a window's start does not exist that day (the clocks skip it) it opens at the first local
 * minute inside it that does; where it happens twice (clocks fall back) at the first of them.
 */
function firstOpening(list: readonly Span[], now: number, timeZone: string): number {
	const floor = Math.floor(now / MINUTE_MS) * MINUTE_MS;
	let best = Infinity;
	for (const span of list) {
		const delta = (span.start - localMinute(floor, timeZone) + DAY_MINUTES) % DAY_MINUTES;
		for (const days of [0, 1]) {
			let at = floor + (delta + days * DAY_MINUTES || DAY_MINUTES) * MINUTE_MS;
			// Correct for an offset change between now and then (twice: the second settles it).
			for (let i = 0; i < 2; i++) {
				const off = span.start - localMinute(at, timeZone);
				const signed = ((off + DAY_MINUTES + DAY_MINUTES / 2) % DAY_MINUTES) - DAY_MINUTES / 2;
				at += signed * MINUTE_MS;
			}
			if (at <= now || !insideSpans(list, at, timeZone)) continue;
			// In a skipped hour the guess lands past the opening: step back to its first minute.
			for (let i = 0; i < 240; i++) {
				const earlier = at - MINUTE_MS;
				if (earlier <= now || !insideSpans(list, earlier, timeZone)) break;
				at = earlier;
			}
			best = Math.min(best, at);
			break;
		}
	}
	return best;
}

/** Where `now` stands against a profile's active windows. */
export type WindowState = { inside: true } | { inside: false; opensAt: Date };

/**
 * Whether dispatch may happen at `now` under `windows` in `timeZone` and, when not, when the next
 * window opens (for the dispatcher's result and the Queue page's estimate).
 * @param timeZone an IANA zone (Settings → General `timeZone`); throws RangeError for an unknown one
 */
export function activeWindowState(
	windows: readonly TimeWindow[],
	now: Date,
	timeZone: string
): WindowState {
	const list = spans(windows);
	const at = now.getTime();
	if (insideSpans(list, at, timeZone)) return { inside: true };
	const opens = firstOpening(list, at, timeZone);
	// Unreachable for valid spans (every span holds its start minute); kept total for the type.
	return { inside: false, opensAt: new Date(Number.isFinite(opens) ? opens : at + 86_400_000) };
}

/** The local wall-clock time of `at` in `timeZone` as "HH:MM" (24 h), e.g. for "resumes at 14:05". */
export function localClockTime(at: Date, timeZone: string): string {
	const minute = localMinute(at.getTime(), timeZone);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}
