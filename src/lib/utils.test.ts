import { describe, expect, it } from 'vitest';
import { formatDateTime } from './utils';

describe('formatDateTime', () => {
	it('shows an instant in the time zone of Settings → General, whatever the runtime’s zone', () => {
		const at = new Date('2026-11-20T23:30:00.000Z');
		expect(formatDateTime(at, 'UTC')).toBe('Nov 20, 2026, 11:30:00 PM');
		expect(formatDateTime(at, 'Europe/Berlin')).toBe('Nov 21, 2026, 12:30:00 AM');
		expect(formatDateTime(at, 'America/New_York')).toBe('Nov 20, 2026, 6:30:00 PM');
	});
});
