/**
 * Quiet hours of a channel: local times ("HH:MM", 24 h) during which it sends nothing but (unless
 * `errorsPassThrough === false`) errors; what arrives meanwhile is held and sent as one digest
 * when they end.
 *
 * `start` inclusive, `end` exclusive, in `timezone` (IANA; an empty zone uses the app's, Settings
 * → General). `end < start` wraps midnight (22:00–07:00). `start = end` means no quiet hours (a
 * whole quiet day would hold everything for ever). The computation is the complement of an active
 * window (time/active-windows.ts), so it inherits its DST handling: the quiet hours keep their
 * wall-clock times, and an end that does not exist that night (clocks spring forward over it)
 * ends them at the first local minute after it that does.
 */
import { activeWindowState, parseClockTime } from '$lib/server/time/active-windows';
import type { QuietHours } from '$lib/types/notifications';

/** Where an instant stands against a channel's quiet hours. */
export type QuietState = { quiet: false } | { quiet: true; endsAt: Date };

/**
 * Whether `at` lies inside `quiet` and, if so, when the quiet hours end.
 * @param fallbackZone the app's time zone, used when `quiet.timezone` is empty
 * @returns `{quiet: false}` for null, equal or unparsable times and an unknown time zone (a bad
 *   row must never hold a channel's messages for ever; the API validates them)
 */
export function quietState(
	quiet: QuietHours | null | undefined,
	at: Date,
	fallbackZone: string
): QuietState {
	if (!quiet) return { quiet: false };
	const start = parseClockTime(quiet.start);
	const end = parseClockTime(quiet.end);
	if (start === null || end === null || start === end) return { quiet: false };
	try {
		// Not quiet = the window from `end` to `start`; quiet hours end when that window opens.
		const state = activeWindowState(
			[{ start: quiet.end, end: quiet.start }],
			at,
			quiet.timezone || fallbackZone
		);
		return state.inside ? { quiet: false } : { quiet: true, endsAt: state.opensAt };
	} catch (error) {
		if (error instanceof RangeError) return { quiet: false };
		throw error;
	}
}

/** Whether an event of `severity` is sent during the quiet hours `quiet` (errors, by default). */
export function passesQuietHours(quiet: QuietHours, severity: string): boolean {
	return severity === 'error' && quiet.errorsPassThrough !== false;
}
