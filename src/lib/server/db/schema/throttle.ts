/**
 * Throttle profiles: how fast Comradarr may search through one connector.
 */
import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, real, varchar } from 'drizzle-orm/pg-core';
import { jsonb, timestamptz } from './columns';

/** A local time-of-day window ("HH:MM", 24 h, Settings → General time zone); end < start wraps midnight. */
export interface ActiveWindow {
	start: string;
	end: string;
}

export const throttleProfiles = pgTable('throttle_profiles', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: varchar('name', { length: 50 }).notNull().unique(),
	/** Built-in presets cannot be deleted. */
	isPreset: boolean('is_preset').notNull().default(false),
	isDefault: boolean('is_default').notNull().default(false),
	/** At most this many commands in any rolling window of `windowSeconds`. */
	maxCommandsPerWindow: integer('max_commands_per_window').notNull(),
	windowSeconds: integer('window_seconds').notNull(),
	/** At most this many episodes/movies in one EpisodeSearch/MoviesSearch command. */
	maxItemsPerCommand: integer('max_items_per_command').notNull(),
	/**
	 * Searches per local day (Settings → General time zone, resets at local midnight); a search is
	 * one episode or movie in a command, one per SeasonSearch.
	 */
	dailySearchBudget: integer('daily_search_budget').notNull(),
	/** An item searched is not searched again for this many hours. */
	searchCooldownHours: integer('search_cooldown_hours').notNull(),
	/** At most this many of our commands running in the app at once (the *arr apps run ≤ 3). */
	maxInFlight: integer('max_in_flight').notNull().default(2),
	/** After a 429 / rate-limit failure the connector's dispatch pauses this many seconds. */
	errorCooldownSeconds: integer('error_cooldown_seconds').notNull().default(900),
	/** Each further search of an item that found nothing waits this many times longer (≥ 1). */
	backoffMultiplier: real('backoff_multiplier').notNull().default(2),
	/** Dispatch only inside these local windows; empty = any time. */
	activeWindows: jsonb<ActiveWindow[]>('active_windows')
		.notNull()
		.default(sql`'[]'::jsonb`),
	createdAt: timestamptz('created_at').notNull().defaultNow()
});

export type ThrottleProfile = typeof throttleProfiles.$inferSelect;
