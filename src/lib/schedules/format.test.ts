import { describe, expect, it } from 'vitest';
import { describeCron, formatRunTime } from './format';

describe('schedule words', () => {
	it('describes a pattern with cronstrue on a 24-hour clock', () => {
		expect(describeCron('15 3 * * *')).toBe('At 03:15');
		expect(describeCron('*/15 * * * *')).toBe('Every 15 minutes');
		expect(describeCron('not a cron')).toBeNull();
	});

	it('shows a run time in the display time zone, 24-hour', () => {
		expect(formatRunTime('2026-03-26T02:15:00.000Z', 'Europe/Berlin')).toBe('Thu, Mar 26, 03:15');
		expect(formatRunTime(new Date('2026-03-26T02:15:00.000Z'), 'UTC')).toBe('Thu, Mar 26, 02:15');
	});
});
