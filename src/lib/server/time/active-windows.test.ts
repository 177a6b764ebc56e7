import { describe, expect, it } from 'vitest';
import { activeWindowState, insideActiveWindows, parseClockTime } from './active-windows';

const at = (iso: string) => new Date(iso);

describe('active windows', () => {
	it('parses HH:MM and refuses anything else', () => {
		expect(parseClockTime('00:00')).toBe(0);
		expect(parseClockTime('07:30')).toBe(450);
		expect(parseClockTime('23:59')).toBe(1439);
		for (const bad of ['24:00', '7:30', '12:60', '', '12:00:00']) {
			expect(parseClockTime(bad), bad).toBeNull();
		}
	});

	it('is always inside without windows (or with only unparsable ones)', () => {
		expect(activeWindowState([], at('2026-11-20T12:00:00Z'), 'UTC')).toEqual({ inside: true });
		expect(
			insideActiveWindows([{ start: 'x', end: '07:00' }], at('2026-11-20T12:00:00Z'), 'UTC')
		).toBe(true);
	});

	it('holds a same-day window from its start (inclusive) to its end (exclusive)', () => {
		const w = [{ start: '01:00', end: '07:00' }];
		expect(insideActiveWindows(w, at('2026-11-20T00:59:59Z'), 'UTC')).toBe(false);
		expect(insideActiveWindows(w, at('2026-11-20T01:00:00Z'), 'UTC')).toBe(true);
		expect(insideActiveWindows(w, at('2026-11-20T06:59:59Z'), 'UTC')).toBe(true);
		expect(insideActiveWindows(w, at('2026-11-20T07:00:00Z'), 'UTC')).toBe(false);
		// After it closes, it opens again tomorrow at 01:00.
		expect(activeWindowState(w, at('2026-11-20T07:00:00Z'), 'UTC')).toEqual({
			inside: false,
			opensAt: at('2026-11-21T01:00:00Z')
		});
		// Before it opens, today.
		expect(activeWindowState(w, at('2026-11-20T00:10:30Z'), 'UTC')).toEqual({
			inside: false,
			opensAt: at('2026-11-20T01:00:00Z')
		});
	});

	it('wraps midnight when the end is before the start, in the local time zone', () => {
		const w = [{ start: '22:00', end: '06:00' }];
		// Berlin in winter is UTC+1: 22:00 local = 21:00Z, 06:00 local = 05:00Z.
		const tz = 'Europe/Berlin';
		expect(insideActiveWindows(w, at('2026-11-20T20:59:00Z'), tz)).toBe(false);
		expect(insideActiveWindows(w, at('2026-11-20T21:00:00Z'), tz)).toBe(true);
		expect(insideActiveWindows(w, at('2026-11-20T23:30:00Z'), tz)).toBe(true); // 00:30 local
		expect(insideActiveWindows(w, at('2026-11-21T04:59:00Z'), tz)).toBe(true);
		expect(insideActiveWindows(w, at('2026-11-21T05:00:00Z'), tz)).toBe(false);
		expect(activeWindowState(w, at('2026-11-21T05:00:00Z'), tz)).toEqual({
			inside: false,
			opensAt: at('2026-11-21T21:00:00Z')
		});
		// The same instants in UTC are different answers: the zone is what counts.
		expect(insideActiveWindows(w, at('2026-11-20T21:30:00Z'), 'UTC')).toBe(false);
	});

	it('opens at the earliest of several windows', () => {
		const w = [
			{ start: '13:00', end: '14:00' },
			{ start: '09:15', end: '09:45' }
		];
		expect(activeWindowState(w, at('2026-11-20T08:00:00Z'), 'UTC')).toEqual({
			inside: false,
			opensAt: at('2026-11-20T09:15:00Z')
		});
		expect(activeWindowState(w, at('2026-11-20T10:00:00Z'), 'UTC')).toEqual({
			inside: false,
			opensAt: at('2026-11-20T13:00:00Z')
		});
		expect(activeWindowState(w, at('2026-11-20T14:00:00Z'), 'UTC')).toEqual({
			inside: false,
			opensAt: at('2026-11-21T09:15:00Z')
		});
	});

	it('keeps clock times across a daylight-saving change', () => {
		const tz = 'Europe/Berlin';
		const w = [{ start: '01:00', end: '07:00' }];
		// The evening before clocks spring forward (2026-03-29 02:00 → 03:00): 01:00 is still +01:00.
		expect(activeWindowState(w, at('2026-03-28T20:00:00Z'), tz)).toEqual({
			inside: false,
			opensAt: at('2026-03-29T00:00:00Z')
		});
		// 07:00 local that morning is already +02:00 = 05:00Z: the window closes then.
		expect(insideActiveWindows(w, at('2026-03-29T04:59:00Z'), tz)).toBe(true);
		expect(insideActiveWindows(w, at('2026-03-29T05:00:00Z'), tz)).toBe(false);
		// From the closing the next opening is 01:00 +02:00 = 23:00Z (a day of 23 hours).
		expect(activeWindowState(w, at('2026-03-29T05:00:00Z'), tz)).toEqual({
			inside: false,
			opensAt: at('2026-03-29T23:00:00Z')
		});
		// Clocks fall back (2026-10-25 03:00 → 02:00): 01:00 that night is still +02:00.
		expect(activeWindowState(w, at('2026-10-24T12:00:00Z'), tz)).toEqual({
			inside: false,
			opensAt: at('2026-10-24T23:00:00Z')
		});
	});

	it('opens a window whose start the clocks skip at the first minute that exists', () => {
		// 02:30 does not exist in Berlin on 2026-03-29; the window is open from 03:00 (+02:00) = 01:00Z.
		const w = [{ start: '02:30', end: '04:00' }];
		expect(activeWindowState(w, at('2026-03-28T23:00:00Z'), 'Europe/Berlin')).toEqual({
			inside: false,
			opensAt: at('2026-03-29T01:00:00Z')
		});
	});

	it('opens a window whose start happens twice at its first occurrence', () => {
		// 02:30 happens at 00:30Z (+02:00) and again at 01:30Z (+01:00) on 2026-10-25.
		const w = [{ start: '02:30', end: '02:45' }];
		expect(activeWindowState(w, at('2026-10-24T22:00:00Z'), 'Europe/Berlin')).toEqual({
			inside: false,
			opensAt: at('2026-10-25T00:30:00Z')
		});
	});
});

describe('local clock time', () => {
	it('writes the wall clock of the zone as HH:MM', async () => {
		const { localClockTime } = await import('./active-windows');
		expect(localClockTime(at('2026-11-20T13:05:59Z'), 'UTC')).toBe('13:05');
		expect(localClockTime(at('2026-11-20T23:30:00Z'), 'Europe/Berlin')).toBe('00:30');
		expect(localClockTime(at('2026-07-20T23:30:00Z'), 'Europe/Berlin')).toBe('01:30');
	});
});
