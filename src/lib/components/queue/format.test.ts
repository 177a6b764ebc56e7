import { describe, expect, it } from 'vitest';
import type { BatchScore } from '$lib/types/search-score';
import {
	estimateText,
	formatPoints,
	pageCount,
	pageWindow,
	pauseText,
	scoreBreakdown
} from './format';

describe('page links', () => {
	it('counts pages, at least one', () => {
		expect(pageCount(0, 50)).toBe(1);
		expect(pageCount(50, 50)).toBe(1);
		expect(pageCount(51, 50)).toBe(2);
	});

	it('shows the first, the last and two either side of the current page, with gaps', () => {
		expect(pageWindow(1, 1)).toEqual([1]);
		expect(pageWindow(1, 5)).toEqual([1, 2, 3, 4, 5]);
		expect(pageWindow(6, 20)).toEqual([1, 'gap', 4, 5, 6, 7, 8, 'gap', 20]);
		// A gap of a single page shows that page instead.
		expect(pageWindow(4, 20)).toEqual([1, 2, 3, 4, 5, 6, 'gap', 20]);
		expect(pageWindow(20, 20)).toEqual([1, 'gap', 18, 19, 20]);
	});
});

const score: BatchScore = {
	perQuery: 412.345,
	queries: 1,
	expectedAcquired: 4.5,
	items: 9,
	rule: 'season pack: fully aired, 9 of 10 missing',
	averageItem: {
		base: 100,
		gapOverUpgrade: 50,
		contentAge: 12.25,
		missingDuration: 0,
		neverSearched: 30,
		leastRecentlySearched: 20,
		failurePenalty: -20,
		override: 0,
		total: 192.25
	}
};

describe('score breakdown', () => {
	it('lists the batch figures and each averaged item part, signed', () => {
		const { batch, item } = scoreBreakdown(score);
		expect(batch).toEqual([
			{ label: 'Points per query', value: '412.3' },
			{ label: 'Queries', value: '1' },
			{ label: 'Expected acquired', value: '4.50' },
			{ label: 'Items', value: '9' },
			{ label: 'Rule', value: 'season pack: fully aired, 9 of 10 missing' }
		]);
		expect(item.map((l) => `${l.label} ${l.value}`)).toEqual([
			'Base 100',
			'Gap over upgrade +50',
			'Content age +12.3',
			'Missing duration 0',
			'Never searched +30',
			'Least recently searched +20',
			'Failure penalty -20',
			'Override 0',
			'Average item score 192.3'
		]);
	});

	it('formats points with thousands separators and one decimal', () => {
		expect(formatPoints(1350)).toBe('1,350');
		expect(formatPoints(-0.04)).toBe('-0');
	});
});

describe('estimated dispatch', () => {
	const now = new Date('2026-12-02T12:00:00Z');
	it('says when, and which throttle limit it waits for', () => {
		expect(estimateText({ at: now, reason: 'ready' }, now)).toBe('Next dispatch');
		expect(estimateText({ at: null, reason: 'paused' }, now)).toBe('Paused');
		expect(estimateText({ at: null, reason: 'budget' }, now)).toBe('Not within the daily budget');
		expect(
			estimateText({ at: new Date(now.getTime() + 6 * 3_600_000), reason: 'outside_window' }, now)
		).toMatch(/\(active hours\)$/);
		expect(
			estimateText(
				{ at: new Date(now.getTime() + 5 * 60_000).toISOString(), reason: 'window' },
				now
			)
		).toBe('in 5 min. (throttle window)');
		expect(
			estimateText({ at: new Date(now.getTime() + 14 * 3_600_000), reason: 'budget' }, now)
		).toBe('in 14 hr. (daily budget)');
	});
});

describe('pauses', () => {
	const at = (d: Date) => d.toISOString();
	it('tells a user’s pause from one Comradarr set, with its reason and end', () => {
		expect(
			pauseText({ connectorId: null, connectorName: null, until: null, reason: null }, at)
		).toBe('Paused for every connector by a user');
		expect(
			pauseText(
				{
					connectorId: 3,
					connectorName: 'Sonarr',
					until: '2026-12-02T13:00:00.000Z',
					reason: 'rate limited by the app (HTTP 429)'
				},
				at
			)
		).toBe(
			'Sonarr paused by Comradarr: rate limited by the app (HTTP 429) — until 2026-12-02T13:00:00.000Z'
		);
	});
});
