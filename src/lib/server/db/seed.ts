/**
 * Idempotent defaults written at every start-up: the built-in throttle profile presets.
 *
 * Issue 9's presets (read-only: users copy one to make their own):
 * - Conservative: 2 commands per rolling 60 s, ≤ 5 items per command, 100 searches per local day;
 * - Moderate (the default): 5 per 60 s, ≤ 10 items, 500 per day;
 * - Aggressive: 15 per 60 s, ≤ 20 items, 2,000 per day.
 * All allow 2 commands in flight (the *arr apps run at most 3 at once) and pause 15 min after a 429.
 */
import { sql } from 'drizzle-orm';
import { throttleProfiles } from './schema';
import type { DbOrTx } from './index';

export const THROTTLE_PRESETS = [
	{
		name: 'Conservative',
		maxCommandsPerWindow: 2,
		windowSeconds: 60,
		maxItemsPerCommand: 5,
		dailySearchBudget: 100,
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
		maxCommandsPerWindow: 15,
		windowSeconds: 60,
		maxItemsPerCommand: 20,
		dailySearchBudget: 2000,
		searchCooldownHours: 12,
		isDefault: false
	}
] as const;

/**
 * Inserts the presets, or brings existing presets to these figures (presets are read-only, so
 * there are no user edits to keep). Which profile is the default is the user's choice: it is set
 * only on insert.
 */
export async function seedDefaults(db: DbOrTx): Promise<void> {
	await db
		.insert(throttleProfiles)
		.values(THROTTLE_PRESETS.map((p) => ({ ...p, isPreset: true })))
		.onConflictDoUpdate({
			target: throttleProfiles.name,
			set: {
				isPreset: true,
				maxCommandsPerWindow: sql`excluded.max_commands_per_window`,
				windowSeconds: sql`excluded.window_seconds`,
				maxItemsPerCommand: sql`excluded.max_items_per_command`,
				dailySearchBudget: sql`excluded.daily_search_budget`,
				searchCooldownHours: sql`excluded.search_cooldown_hours`
			},
			// A user's own profile that happens to carry a preset's name stays untouched.
			setWhere: sql`${throttleProfiles.isPreset}`
		});
}
