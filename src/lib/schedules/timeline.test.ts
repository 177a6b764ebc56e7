import { describe, expect, it } from 'vitest';
import {
	computeJobRows,
	computeTimeline,
	dayTicks,
	formatGap,
	runsBetween,
	type TimelineSchedule
} from './timeline';

const FROM = new Date('2026-03-25T12:00:00.000Z'); // a Wednesday, four days before Europe's DST change
const HOUR = 60 * 60 * 1000;

function schedule(overrides: Partial<TimelineSchedule> & { id: number }): TimelineSchedule {
	return {
		connectorId: 1,
		connectorName: 'Sonarr',
		sweepType: 'gaps',
		cron: '0 3 * * *',
		timezone: 'UTC',
		enabled: true,
		...overrides
	};
}

describe('timeline', () => {
	it('marks every run of the next 7 days at its instant and place in the window', () => {
		const [row] = computeTimeline([schedule({ id: 1, cron: '15 3 * * *' })], { from: FROM });
		expect(row!.marks.map((m) => m.at.toISOString())).toEqual([
			'2026-03-26T03:15:00.000Z',
			'2026-03-27T03:15:00.000Z',
			'2026-03-28T03:15:00.000Z',
			'2026-03-29T03:15:00.000Z',
			'2026-03-30T03:15:00.000Z',
			'2026-03-31T03:15:00.000Z',
			'2026-04-01T03:15:00.000Z'
		]);
		expect(row!.marks[0]!.offset).toBeCloseTo(15.25 / (7 * 24), 6);
		expect(row!.marks.every((m) => m.scheduleId === 1 && m.sweepType === 'gaps')).toBe(true);
	});

	it("reads the pattern in the schedule's time zone, across the DST change", () => {
		const [row] = computeTimeline(
			[schedule({ id: 1, cron: '30 2 * * *', timezone: 'Europe/Berlin' })],
			{ from: FROM, days: 7 }
		);
		const instants = row!.marks.map((m) => m.at.toISOString());
		// 02:30 CET is 01:30 UTC; on 29 March 02:30 does not exist in Berlin (croner runs at 03:00 CEST).
		expect(instants.slice(0, 3)).toEqual([
			'2026-03-26T01:30:00.000Z',
			'2026-03-27T01:30:00.000Z',
			'2026-03-28T01:30:00.000Z'
		]);
		expect(instants[3]).toBe('2026-03-29T01:00:00.000Z');
		expect(instants[4]).toBe('2026-03-30T00:30:00.000Z');
	});

	it('puts one row per connector, sorted by name, leaving disabled schedules out', () => {
		const rows = computeTimeline(
			[
				schedule({ id: 1, connectorId: 2, connectorName: 'Radarr' }),
				schedule({ id: 2, connectorId: 1, connectorName: 'Lidarr', sweepType: 'upgrades' }),
				schedule({ id: 3, connectorId: 2, connectorName: 'Radarr', cron: '0 15 * * *' }),
				schedule({ id: 4, connectorId: 3, connectorName: 'Whisparr', enabled: false })
			],
			{ from: FROM }
		);
		expect(rows.map((r) => r.connectorName)).toEqual(['Lidarr', 'Radarr']);
		const radarr = rows[1]!;
		expect(radarr.marks).toHaveLength(14);
		// In time order, the two schedules interleaved.
		expect(radarr.marks.slice(0, 3).map((m) => m.scheduleId)).toEqual([3, 1, 3]);
	});

	it('counts runs of two schedules of one connector within five minutes as overlaps', () => {
		const [row] = computeTimeline(
			[
				schedule({ id: 1, cron: '0 3 * * *' }),
				schedule({ id: 2, cron: '4 3 * * *', sweepType: 'upgrades' }),
				schedule({ id: 3, cron: '0 12 * * 1' })
			],
			{ from: FROM }
		);
		expect(row!.overlaps).toBe(7);
		const [apart] = computeTimeline(
			[schedule({ id: 1, cron: '0 3 * * *' }), schedule({ id: 2, cron: '6 3 * * *' })],
			{ from: FROM }
		);
		expect(apart!.overlaps).toBe(0);
		// One schedule's own runs a few minutes apart are its rhythm, not an overlap.
		const [busy] = computeTimeline([schedule({ id: 1, cron: '*/2 * * * *' })], {
			from: FROM,
			days: 1
		});
		expect(busy!.marks.length).toBeGreaterThan(100);
		expect(busy!.overlaps).toBe(0);
	});

	it('measures the longest stretch without a run, from the window start to its end', () => {
		// Sundays 03:00 UTC only: the window starts Wednesday 12:00, the first run is 3 d 15 h later.
		const [row] = computeTimeline([schedule({ id: 1, cron: '0 3 * * 0' })], { from: FROM });
		expect(row!.marks).toHaveLength(1);
		expect(row!.longestGapMs).toBe(3 * 24 * HOUR + 15 * HOUR);
		expect(formatGap(row!.longestGapMs)).toBe('3 d 15 h');
	});

	it('caps the marks of a schedule that runs every few minutes and says so', () => {
		const [row] = computeTimeline([schedule({ id: 9, cron: '*/5 * * * *' })], {
			from: FROM,
			maxMarksPerSchedule: 50
		});
		expect(row!.marks).toHaveLength(50);
		expect(row!.cappedScheduleIds).toEqual([9]);
		const [hourly] = computeTimeline([schedule({ id: 1, cron: '0 * * * *' })], { from: FROM });
		expect(hourly!.marks).toHaveLength(7 * 24);
		expect(hourly!.cappedScheduleIds).toEqual([]);
	});

	it('shows an invalid pattern or time zone as no runs instead of failing the page', () => {
		expect(runsBetween('not cron', 'UTC', FROM, new Date(FROM.getTime() + HOUR), 10)).toEqual([]);
		expect(
			runsBetween('0 * * * *', 'Mars/Olympus', FROM, new Date(FROM.getTime() + HOUR), 10)
		).toEqual([]);
		const [row] = computeTimeline([schedule({ id: 1, cron: 'nope' })], { from: FROM });
		expect(row!.marks).toEqual([]);
		expect(row!.longestGapMs).toBe(7 * 24 * HOUR);
	});

	it('never counts a run at the window start itself', () => {
		const onTheHour = new Date('2026-03-25T03:00:00.000Z');
		expect(
			runsBetween(
				'0 3 * * *',
				'UTC',
				onTheHour,
				new Date(onTheHour.getTime() + 2 * 24 * HOUR),
				10
			).map((d) => d.toISOString())
		).toEqual(['2026-03-26T03:00:00.000Z', '2026-03-27T03:00:00.000Z']);
	});

	it('draws day boundaries at midnight in the display time zone', () => {
		const ticks = dayTicks(FROM, 2, 'America/New_York');
		expect(ticks.map((t) => t.at.toISOString())).toEqual([
			'2026-03-26T04:00:00.000Z',
			'2026-03-27T04:00:00.000Z'
		]);
		expect(ticks[0]!.offset).toBeCloseTo(16 / 48, 6);
	});

	it('gives each enabled built-in job a row of its own, capped like the sweeps', () => {
		const rows = computeJobRows(
			[
				{
					job: 'sync-full',
					description: 'Full',
					cron: '30 3 * * *',
					timezone: 'UTC',
					enabled: true
				},
				{
					job: 'dispatch',
					description: 'Dispatch',
					cron: '* * * * *',
					timezone: 'UTC',
					enabled: true
				},
				{
					job: 'db.vacuum',
					description: 'Vacuum',
					cron: '45 4 * * 0',
					timezone: 'UTC',
					enabled: false
				}
			],
			{ from: FROM, maxMarksPerSchedule: 100 }
		);
		expect(rows.map((r) => r.job)).toEqual(['sync-full', 'dispatch']);
		expect(rows[0]!.marks).toHaveLength(7);
		expect(rows[0]!.marks[0]!.at.toISOString()).toBe('2026-03-26T03:30:00.000Z');
		expect(rows[0]!.capped).toBe(false);
		expect(rows[1]!.marks).toHaveLength(100);
		expect(rows[1]!.capped).toBe(true);
	});
});
