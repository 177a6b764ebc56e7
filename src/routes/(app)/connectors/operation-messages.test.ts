import { describe, expect, it } from 'vitest';
import { describeHealthCheck, describeSweep, describeSync } from './operation-messages';

const report = {
	status: 'success' as const,
	seriesCount: 12,
	episodeCount: 380,
	movieCount: 0,
	skipped: 0,
	removed: 0,
	durationMs: 1234,
	error: null
};

describe('describeSync', () => {
	it('counts series and episodes for a series library, with the duration in seconds', () => {
		expect(describeSync(report, 'series')).toBe('Synced 12 series, 380 episodes in 1.2 s');
	});

	it('counts movies for a movie library, in the singular when there is one', () => {
		expect(describeSync({ ...report, movieCount: 1, durationMs: 400 }, 'movies')).toBe(
			'Synced 1 movie in 0.4 s'
		);
	});

	it('mentions skipped and removed items so a partial sync is not mistaken for a clean one', () => {
		expect(describeSync({ ...report, status: 'partial', skipped: 2, removed: 1 }, 'series')).toBe(
			'Synced 12 series, 380 episodes in 1.2 s (2 malformed items skipped, 1 item removed)'
		);
	});

	it('gives the reason of a failed sync', () => {
		const failed = { ...report, status: 'failed' as const, error: 'Connection refused' };
		expect(describeSync(failed, 'series')).toBe('Sync failed: Connection refused');
	});
});

describe('describeSweep', () => {
	const result = {
		skipped: null,
		wanted: { gaps: 1200, upgrades: 30 },
		queuedBatches: 7,
		queuedSearches: 42
	};

	it('reports queued commands and searches and the wanted counts', () => {
		expect(describeSweep(result)).toBe(
			'Queued 7 commands (42 searches); 1,200 gaps, 30 upgrade candidates'
		);
	});

	it('uses the singular for one of each', () => {
		const one = { ...result, queuedBatches: 1, queuedSearches: 1 };
		one.wanted = { gaps: 1, upgrades: 1 };
		expect(describeSweep(one)).toBe('Queued 1 command (1 search); 1 gap, 1 upgrade candidate');
	});

	it('says why a sweep was skipped', () => {
		expect(describeSweep({ ...result, skipped: 'disabled' })).toMatch(/disabled/);
		expect(describeSweep({ ...result, skipped: 'paused' })).toMatch(/paused/);
	});
});

describe('describeHealthCheck', () => {
	it('names the state of a healthy connector without a reason', () => {
		expect(describeHealthCheck('healthy', null)).toBe('Health: healthy');
	});

	it("gives the app's own warnings as the reason a connector is degraded", () => {
		expect(describeHealthCheck('degraded', 'Indexers unavailable due to failures: NZBgeek')).toBe(
			'Health: degraded — Indexers unavailable due to failures: NZBgeek'
		);
	});
});
