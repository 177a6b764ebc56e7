/**
 * Formatting a log line's time for the Logs page, in the General time zone (`page.data.timeZone`,
 * the same on the server and in the browser, so the rendered page and the hydrated one agree).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** "22:31:02.123": the time of day to the millisecond, 24-hour clock. */
export function formatLogTime(iso: string, timeZone?: string): string {
	const key = timeZone ?? '';
	let formatter = formatters.get(key);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-GB', {
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			fractionalSecondDigits: 3,
			hourCycle: 'h23',
			...(timeZone ? { timeZone } : {})
		});
		formatters.set(key, formatter);
	}
	return formatter.format(new Date(iso));
}
