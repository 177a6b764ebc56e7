/**
 * Idempotent defaults written at every start-up: the built-in throttle profile presets.
 *
 * "Moderate" is the default (issue #2): at most 5 commands in any rolling 60 s window, at most 10
 * items per command, at most 500 searches per day, 24 h before an item is searched again.
 */
import { throttleProfiles } from './schema';
import type { DbOrTx } from './index';

export const THROTTLE_PRESETS = [
	{
		name: 'Conservative',
		maxCommandsPerWindow: 2,
		windowSeconds: 60,
		maxItemsPerCommand: 5,
		dailySearchBudget: 200,
		searchCooldownHours: 48,
		isDefault: false
	},
	{
		name: 'Moderate',
		maxCommandsPerWindow: 5,
		windowSeconds: 60,
		maxItemsPerCommand: 10,
		dailySearchBudget: 500,
		searchCooldownHours: 24,
		isDefault: true
	},
	{
		name: 'Aggressive',
		maxCommandsPerWindow: 10,
		windowSeconds: 60,
		maxItemsPerCommand: 20,
		dailySearchBudget: 1500,
		searchCooldownHours: 12,
		isDefault: false
	}
] as const;

/** Inserts the presets that are missing; never overwrites a user's edits. */
export async function seedDefaults(db: DbOrTx): Promise<void> {
	await db
		.insert(throttleProfiles)
		.values(THROTTLE_PRESETS.map((p) => ({ ...p, isPreset: true })))
		.onConflictDoNothing({ target: throttleProfiles.name });
}
