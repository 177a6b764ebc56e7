import { describe, expect, it } from 'vitest';
import { utcDayStart, zonedDayStart } from './day-start';

const at = (iso: string) => new Date(iso);

describe('where a day begins', () => {
	it('starts the UTC day at midnight UTC', () => {
		expect(utcDayStart(at('2026-11-20T23:59:59.999+05:00')).toISOString()).toBe(
			'2026-11-20T00:00:00.000Z'
		);
		expect(zonedDayStart(at('2026-11-20T18:59:59.999Z'), 'UTC').toISOString()).toBe(
			'2026-11-20T00:00:00.000Z'
		);
	});

	it('starts a zone’s day at its local midnight, whatever its offset', () => {
		for (const [now, zone, start] of [
			// Berlin in winter (+01:00): 00:30 local on the 21st is still the 21st.
			['2026-11-20T23:30:00.000Z', 'Europe/Berlin', '2026-11-20T23:00:00.000Z'],
			['2026-11-20T22:59:59.999Z', 'Europe/Berlin', '2026-11-19T23:00:00.000Z'],
			// Half and quarter hours.
			['2026-11-20T20:00:00.000Z', 'Asia/Kolkata', '2026-11-20T18:30:00.000Z'],
			['2026-11-20T12:00:00.000Z', 'Asia/Kathmandu', '2026-11-19T18:15:00.000Z'],
			// West of UTC, and the two ends of the map.
			['2026-11-21T03:00:00.000Z', 'America/New_York', '2026-11-20T05:00:00.000Z'],
			['2026-11-20T10:30:00.000Z', 'Pacific/Kiritimati', '2026-11-20T10:00:00.000Z'],
			['2026-11-20T10:30:00.000Z', 'Pacific/Pago_Pago', '2026-11-19T11:00:00.000Z']
		] as [string, string, string][]) {
			expect(zonedDayStart(at(now), zone).toISOString(), `${now} in ${zone}`).toBe(start);
		}
	});

	it('counts a day with a daylight-saving change from its real midnight', () => {
		// Berlin springs forward on 2026-03-29 at 02:00 (+01:00 → +02:00): midnight was +01:00.
		expect(zonedDayStart(at('2026-03-29T20:00:00.000Z'), 'Europe/Berlin').toISOString()).toBe(
			'2026-03-28T23:00:00.000Z'
		);
		// … and falls back on 2026-10-25 at 03:00 (+02:00 → +01:00): midnight was +02:00.
		expect(zonedDayStart(at('2026-10-25T20:00:00.000Z'), 'Europe/Berlin').toISOString()).toBe(
			'2026-10-24T22:00:00.000Z'
		);
	});

	it('begins a day whose midnight the zone skips at its first local time', () => {
		// America/Santiago springs forward at 24:00 on Saturday 2026-09-05: the 6th begins 01:00.
		expect(zonedDayStart(at('2026-09-06T12:00:00.000Z'), 'America/Santiago').toISOString()).toBe(
			'2026-09-06T04:00:00.000Z'
		);
	});

	it('begins a day whose midnight happens twice at the first of them', () => {
		// Cuba falls back from 01:00 to 00:00 on 2026-11-01: 00:00–01:00 happens twice.
		expect(zonedDayStart(at('2026-11-01T12:00:00.000Z'), 'America/Havana').toISOString()).toBe(
			'2026-11-01T04:00:00.000Z'
		);
	});
});
