import { describe, expect, it } from 'vitest';
import { describeSweepResult, describeSyncProgress, describeSyncReport } from './connector-jobs';

const report = {
	mode: 'incremental' as const,
	status: 'success' as const,
	seriesCount: 12,
	episodeCount: 380,
	movieCount: 0,
	skipped: 0,
	removed: 0,
	added: 0,
	updated: 0,
	seriesUnchanged: 0,
	requests: 2,
	rowsWritten: 0,
	durationMs: 1234,
	error: null
};

describe('describeSyncReport', () => {
	it('names the mode, counts series and episodes with the duration, and says when nothing changed', () => {
		expect(describeSyncReport(report, 'series')).toBe(
			'Incremental sync: 12 series, 380 episodes in 1.2 s; no changes'
		);
	});

	it('says how many series were not re-read because their episode lists were unchanged', () => {
		expect(
			describeSyncReport(
				{ ...report, mode: 'full', seriesUnchanged: 11, episodeCount: 30 },
				'series'
			)
		).toBe(
			'Full sync: 12 series, 30 episodes (episodes of 11 series unchanged since the last read) in 1.2 s; no changes'
		);
	});

	it('counts movies for a movie library, in the singular when there is one', () => {
		expect(
			describeSyncReport({ ...report, mode: 'full', movieCount: 1, durationMs: 400 }, 'movies')
		).toBe('Full sync: 1 movie in 0.4 s; no changes');
	});

	it('lists what changed and what was skipped, so a partial sync is not mistaken for a clean one', () => {
		expect(
			describeSyncReport(
				{ ...report, status: 'partial', added: 1200, updated: 3, removed: 1, skipped: 2 },
				'series'
			)
		).toBe(
			'Incremental sync: 12 series, 380 episodes in 1.2 s; 1,200 added, 3 updated, 1 removed, 2 malformed items skipped'
		);
	});

	it('gives the reason of a failed sync', () => {
		const failed = { ...report, status: 'failed' as const, error: 'Connection refused' };
		expect(describeSyncReport(failed, 'series')).toBe(
			'Incremental sync failed: Connection refused'
		);
	});
});

describe('describeSyncProgress', () => {
	it('says the step and how far it is', () => {
		expect(describeSyncProgress({ phase: 'episodes', done: 120, total: 4000 })).toBe(
			'Reading episodes: 120 of 4,000 series'
		);
		expect(describeSyncProgress({ phase: 'movies', done: 0, total: 1 })).toBe(
			'Reading movies: 0 of 1 movie'
		);
		expect(describeSyncProgress({ phase: 'series', done: 0, total: null })).toBe(
			'Reading the series list…'
		);
	});
});

describe('describeSweepResult', () => {
	const result = {
		skipped: null,
		wanted: { gaps: 1200, upgrades: 30 },
		queuedBatches: 7,
		queuedSearches: 42
	};

	it('reports queued commands and searches and the wanted counts', () => {
		expect(describeSweepResult(result)).toBe(
			'Queued 7 commands (42 searches); 1,200 gaps, 30 upgrade candidates'
		);
	});

	it('uses the singular for one of each', () => {
		const one = { ...result, queuedBatches: 1, queuedSearches: 1 };
		one.wanted = { gaps: 1, upgrades: 1 };
		expect(describeSweepResult(one)).toBe(
			'Queued 1 command (1 search); 1 gap, 1 upgrade candidate'
		);
	});

	it('says why a sweep was skipped', () => {
		expect(describeSweepResult({ ...result, skipped: 'disabled' })).toMatch(/disabled/);
		expect(describeSweepResult({ ...result, skipped: 'paused' })).toMatch(/paused/);
	});
});
