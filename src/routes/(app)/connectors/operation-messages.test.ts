import { describe, expect, it } from 'vitest';
import { describeHealthCheck, describeSweep } from './operation-messages';

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
