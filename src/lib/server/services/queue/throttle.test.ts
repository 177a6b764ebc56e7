import { describe, expect, it } from 'vitest';
import { allowance, backoffRules } from './throttle';
import { DEFAULT_COOLDOWN_RULES, cooldownFor } from './registry-states';
import type { ThrottleProfile } from '../../db/schema';

const moderate = {
	maxCommandsPerWindow: 5,
	windowSeconds: 60,
	maxItemsPerCommand: 10,
	dailySearchBudget: 500,
	searchCooldownHours: 24
} as ThrottleProfile;

describe('throttle allowance', () => {
	it('allows what is left of the window and the day, never below zero', () => {
		expect(allowance(moderate, { commandsInWindow: 0, searchesToday: 0 })).toEqual({
			commands: 5,
			searches: 500
		});
		expect(allowance(moderate, { commandsInWindow: 3, searchesToday: 480 })).toEqual({
			commands: 2,
			searches: 20
		});
		expect(allowance(moderate, { commandsInWindow: 9, searchesToday: 900 })).toEqual({
			commands: 0,
			searches: 0
		});
	});
});

describe('profile backoff', () => {
	it('grows no_results and app_error waits by the profile’s multiplier, capped', () => {
		const rules = {
			...DEFAULT_COOLDOWN_RULES,
			...backoffRules({ backoffMultiplier: 3 }),
			baseHours: 24,
			noResultsHours: 0
		};
		const hours = (attempts: number, category: 'no_results' | 'app_error') =>
			(cooldownFor(category, attempts, rules) as number) / 3_600_000;
		expect([0, 1, 2].map((a) => hours(a, 'no_results'))).toEqual([24, 72, 168]);
		expect(hours(1, 'app_error')).toBe(72);
		// A timeout or a grab does not grow.
		expect((cooldownFor('timeout', 5, rules) as number) / 3_600_000).toBe(24);
	});

	it('reads a multiplier below 1 (or not a number) as no shrinking', () => {
		expect(backoffRules({ backoffMultiplier: 0.5 })).toEqual({ multiplier: 1 });
		expect(backoffRules({ backoffMultiplier: Number.NaN })).toEqual({ multiplier: 2 });
	});
});
