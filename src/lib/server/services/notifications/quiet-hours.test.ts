import { describe, expect, it } from 'vitest';
import { passesQuietHours, quietState } from './quiet-hours';

const berlin = (start: string, end: string) => ({ start, end, timezone: 'Europe/Berlin' });

describe('quietState', () => {
	it('holds from start (inclusive) to end (exclusive), wrapping midnight', () => {
		const q = berlin('22:00', '07:00');
		// 21:59 Berlin (UTC+1 in December) is not quiet; 22:00 is, until 07:00 next morning.
		expect(quietState(q, new Date('2026-12-02T20:59:00Z'), 'UTC')).toEqual({ quiet: false });
		expect(quietState(q, new Date('2026-12-02T21:00:00Z'), 'UTC')).toEqual({
			quiet: true,
			endsAt: new Date('2026-12-03T06:00:00Z')
		});
		expect(quietState(q, new Date('2026-12-03T05:59:00Z'), 'UTC')).toEqual({
			quiet: true,
			endsAt: new Date('2026-12-03T06:00:00Z')
		});
		expect(quietState(q, new Date('2026-12-03T06:00:00Z'), 'UTC')).toEqual({ quiet: false });
	});

	it('keeps wall-clock times across a DST change (spring forward in Berlin, 29 March 2026)', () => {
		// 01:00–03:00 local: the night clocks jump 02:00 → 03:00 the quiet hours end at 03:00 CEST
		// = 01:00 UTC, one real hour after they began at 01:00 CET = 00:00 UTC.
		const q = berlin('01:00', '03:00');
		expect(quietState(q, new Date('2026-03-29T00:30:00Z'), 'UTC')).toEqual({
			quiet: true,
			endsAt: new Date('2026-03-29T01:00:00Z')
		});
		// An end inside the skipped hour (02:30) ends them at the first minute after it, 03:00 CEST.
		expect(quietState(berlin('01:00', '02:30'), new Date('2026-03-29T00:30:00Z'), 'UTC')).toEqual({
			quiet: true,
			endsAt: new Date('2026-03-29T01:00:00Z')
		});
	});

	it('uses the app zone when the channel names none', () => {
		const q = { start: '09:00', end: '10:00', timezone: '' };
		expect(quietState(q, new Date('2026-12-02T08:30:00Z'), 'Europe/Berlin')).toEqual({
			quiet: true,
			endsAt: new Date('2026-12-02T09:00:00Z')
		});
	});

	it('treats null, equal and invalid times and unknown zones as no quiet hours', () => {
		const at = new Date('2026-12-02T23:00:00Z');
		expect(quietState(null, at, 'UTC')).toEqual({ quiet: false });
		expect(quietState(berlin('07:00', '07:00'), at, 'UTC')).toEqual({ quiet: false });
		expect(quietState(berlin('25:00', '07:00'), at, 'UTC')).toEqual({ quiet: false });
		expect(
			quietState({ start: '00:00', end: '23:59', timezone: 'Mars/Olympus' }, at, 'UTC')
		).toEqual({ quiet: false });
	});
});

describe('passesQuietHours', () => {
	it('lets errors through unless errorsPassThrough is false', () => {
		expect(passesQuietHours(berlin('22:00', '07:00'), 'error')).toBe(true);
		expect(passesQuietHours(berlin('22:00', '07:00'), 'warning')).toBe(false);
		expect(
			passesQuietHours({ ...berlin('22:00', '07:00'), errorsPassThrough: false }, 'error')
		).toBe(false);
	});
});
