import { describe, expect, it } from 'vitest';
import { allowance } from './throttle';
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
