/**
 * Words and times of the Schedules page. Run times are shown in the app's time zone (Settings →
 * General, `page.data.timeZone`), the same on the server and in the browser.
 */
import cronstrue from 'cronstrue';
import type { SweepType } from '$lib/types/schedules';

/** The cron expression in words (cronstrue, 24-hour clock), or null when cronstrue cannot read it. */
export function describeCron(expression: string): string | null {
	try {
		return cronstrue.toString(expression, {
			use24HourTimeFormat: true,
			throwExceptionOnParseError: true
		});
	} catch {
		return null;
	}
}

export const SWEEP_TYPE_LABELS: Record<SweepType, string> = {
	gaps: 'Gaps',
	upgrades: 'Upgrades',
	both: 'Gaps and upgrades'
};

/**
 * Classes of a sweep type's colour (timeline marks and legend). Literal class names so UnoCSS
 * finds them in this file's text.
 */
export const SWEEP_TYPE_COLOURS: Record<SweepType, string> = {
	gaps: 'bg-sky-500',
	upgrades: 'bg-violet-500',
	both: 'bg-emerald-500'
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "Thu, Dec 3, 03:15" in `timeZone` (24-hour clock, as the descriptions). */
export function formatRunTime(date: Date | string, timeZone: string): string {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en', {
			weekday: 'short',
			month: 'short',
			day: 'numeric',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
			timeZone
		});
		formatters.set(timeZone, formatter);
	}
	return formatter.format(typeof date === 'string' ? new Date(date) : date);
}

/** The IANA zones this browser knows, for the time zone field's suggestions. */
export function timeZones(): string[] {
	try {
		return Intl.supportedValuesOf('timeZone');
	} catch {
		return ['UTC'];
	}
}
