import { describe, expect, it } from 'vitest';
import { REGISTRY_STATES } from '../../db/schema';
import {
	DEFAULT_COOLDOWN_RULES,
	INDEXER_ERROR_SHARE,
	NO_RESULTS_CAP_FACTOR,
	PAUSE_CONNECTOR,
	REGISTRY_TRANSITIONS,
	afterSearch,
	canTransition,
	cooldownFor,
	outcomeSources,
	type CooldownRules
} from './registry-states';

const HOUR = 3_600_000;
const rules: CooldownRules = { ...DEFAULT_COOLDOWN_RULES, baseHours: 24 };
/** The no-results wait set to 0: "nothing found" starts at the standard cooldown. */
const standard: CooldownRules = { ...rules, noResultsHours: 0 };
const searchedAt = new Date('2026-06-01T10:00:00Z');
const finishedAt = new Date('2026-06-01T10:05:00Z');

describe('registry transitions', () => {
	it('allow exactly the edges of the state machine and no self-loops', () => {
		expect(REGISTRY_TRANSITIONS).toEqual({
			pending: ['queued', 'exhausted'],
			queued: ['searching', 'pending', 'cooldown', 'exhausted'],
			searching: ['cooldown', 'exhausted', 'pending'],
			cooldown: ['pending', 'queued', 'exhausted'],
			exhausted: ['pending']
		});
		for (const s of REGISTRY_STATES) expect(canTransition(s, s)).toBe(false);
		expect(canTransition('exhausted', 'queued')).toBe(false);
		expect(canTransition('pending', 'searching')).toBe(false);
	});

	it('finish an outcome only from queued or searching', () => {
		expect(outcomeSources().sort()).toEqual(['queued', 'searching']);
	});
});

describe('cooldownFor', () => {
	it('waits the base after a grab and after a timeout, whatever the attempts', () => {
		for (const attempts of [0, 3, 9]) {
			expect(cooldownFor(null, attempts, rules)).toBe(24 * HOUR);
			expect(cooldownFor('timeout', attempts, rules)).toBe(24 * HOUR);
		}
	});

	it('grows "nothing found" and app errors by the multiplier per attempt, up to the cap', () => {
		expect([0, 1, 2, 3, 4].map((a) => cooldownFor('app_error', a, rules))).toEqual(
			[24, 48, 96, 168, 168].map((h) => h * HOUR)
		);
		expect([0, 1, 2, 3, 4].map((a) => cooldownFor('no_results', a, standard))).toEqual(
			[24, 48, 96, 168, 168].map((h) => h * HOUR)
		);
		// The multiplier is the rules' (a throttle profile's backoff), not a constant.
		expect(cooldownFor('no_results', 2, { ...standard, multiplier: 3 })).toBe(168 * HOUR);
		expect(cooldownFor('no_results', 1, { ...standard, multiplier: 3 })).toBe(72 * HOUR);
		expect(cooldownFor('no_results', 1, { ...standard, multiplier: 1 })).toBe(24 * HOUR);
	});

	it('starts "nothing found" at the no-results wait (30 days), growing to three times it', () => {
		expect(DEFAULT_COOLDOWN_RULES.noResultsHours).toBe(30 * 24);
		expect(NO_RESULTS_CAP_FACTOR).toBe(3);
		expect([0, 1, 2, 3, 9].map((a) => cooldownFor('no_results', a, rules))).toEqual(
			[720, 1440, 2160, 2160, 2160].map((h) => h * HOUR)
		);
		// A short one is still capped by the general cap when that is longer: 2 d, 4 d, 7 d.
		expect(
			[0, 1, 2, 3].map((a) => cooldownFor('no_results', a, { ...rules, noResultsHours: 48 }))
		).toEqual([48, 96, 168, 168].map((h) => h * HOUR));
		// Only "nothing found": a grab, a timeout and an app error keep the standard cooldown.
		expect(cooldownFor(null, 0, rules)).toBe(24 * HOUR);
		expect(cooldownFor('timeout', 0, rules)).toBe(24 * HOUR);
		expect(cooldownFor('app_error', 0, rules)).toBe(24 * HOUR);
	});

	it('gives an indexer error a quarter of the wait and a quarter of the cap', () => {
		expect(INDEXER_ERROR_SHARE).toBe(1 / 4);
		expect([0, 1, 2, 3, 5].map((a) => cooldownFor('indexer_error', a, rules))).toEqual(
			[6, 12, 24, 42, 42].map((h) => h * HOUR)
		);
	});

	it('never cools an item down for a rate limit: the connector pauses instead', () => {
		expect(cooldownFor('rate_limited', 0, rules)).toBe(PAUSE_CONNECTOR);
		expect(cooldownFor('rate_limited', 7, rules)).toBe(PAUSE_CONNECTOR);
	});

	it('caps even the base when the base is above the cap', () => {
		expect(cooldownFor(null, 0, { ...rules, baseHours: 500 })).toBe(168 * HOUR);
	});
});

describe('afterSearch', () => {
	it('moves a searched item to cooldown, counting the attempt, from the search start', () => {
		expect(afterSearch('no_results', 2, searchedAt, finishedAt, standard)).toEqual({
			state: 'cooldown',
			attempts: 3,
			nextEligibleAt: new Date(searchedAt.getTime() + 96 * HOUR),
			pauseConnector: false
		});
	});

	it('exhausts an item on its max-th attempt, not before', () => {
		expect(afterSearch('no_results', 8, searchedAt, finishedAt, rules).state).toBe('cooldown');
		const last = afterSearch('no_results', 9, searchedAt, finishedAt, rules);
		expect(last.state).toBe('exhausted');
		expect(last.attempts).toBe(10);
		expect(afterSearch(null, 0, searchedAt, finishedAt, { ...rules, maxAttempts: 1 }).state).toBe(
			'exhausted'
		);
	});

	it('returns a rate-limited item to pending at once without counting an attempt', () => {
		expect(afterSearch('rate_limited', 4, searchedAt, finishedAt, rules)).toEqual({
			state: 'pending',
			attempts: 4,
			nextEligibleAt: finishedAt,
			pauseConnector: true
		});
	});

	it('waits longer after each of ten searches that found nothing, then gives up', () => {
		let attempts = 0;
		let at = searchedAt;
		const waits: number[] = [];
		let state = 'pending';
		for (let i = 0; i < 10; i++) {
			const next = afterSearch('no_results', attempts, at, at, standard);
			waits.push(next.nextEligibleAt.getTime() - at.getTime());
			attempts = next.attempts;
			state = next.state;
			at = next.nextEligibleAt;
		}
		expect(state).toBe('exhausted');
		expect(attempts).toBe(10);
		for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]!);
		expect(waits[1]).toBeGreaterThan(waits[0]!);
		expect(Math.max(...waits)).toBe(168 * HOUR);
	});
});
