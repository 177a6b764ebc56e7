/**
 * Throttle profiles: how fast Comradarr may search through one connector.
 */
import { boolean, integer, pgTable, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';

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
	/** Searches per UTC day; a search is one episode or movie in a command, one per SeasonSearch. */
	dailySearchBudget: integer('daily_search_budget').notNull(),
	/** An item searched is not searched again for this many hours. */
	searchCooldownHours: integer('search_cooldown_hours').notNull(),
	createdAt: timestamptz('created_at').notNull().defaultNow()
});

export type ThrottleProfile = typeof throttleProfiles.$inferSelect;
