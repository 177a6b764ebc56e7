/**
 * Priority overrides: the user's boosts (or demotions) of what gets searched first, in points added
 * to an item's score (services/queue/prioritizer.ts). One row per target:
 * - a connector (all of `series_id`, `episode_id`, `movie_id` null): every item of that connector;
 * - a series: every episode of it (inherited);
 * - an episode or a movie: that item.
 * An item's override is the sum of those that apply to it. Rows go with their target (cascade).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';
import { connectors } from './connectors';
import { episodes, movies, series } from './content';

/** Largest boost or demotion a user may set (points; an item's base score is 100). */
export const MAX_PRIORITY_OVERRIDE = 10_000;

export const priorityOverrides = pgTable(
	'priority_overrides',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		seriesId: integer('series_id').references(() => series.id, { onDelete: 'cascade' }),
		episodeId: integer('episode_id').references(() => episodes.id, { onDelete: 'cascade' }),
		movieId: integer('movie_id').references(() => movies.id, { onDelete: 'cascade' }),
		/** Points added to the score (negative demotes), |delta| ≤ MAX_PRIORITY_OVERRIDE. */
		delta: integer('delta').notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		updatedAt: timestamptz('updated_at').notNull().defaultNow()
	},
	(t) => [
		check(
			'priority_overrides_one_target',
			sql`(${t.seriesId} is not null)::int + (${t.episodeId} is not null)::int + (${t.movieId} is not null)::int <= 1`
		),
		check('priority_overrides_delta_range', sql`abs(${t.delta}) <= 10000`),
		uniqueIndex('priority_overrides_connector_unique')
			.on(t.connectorId)
			.where(sql`${t.seriesId} is null and ${t.episodeId} is null and ${t.movieId} is null`),
		index('priority_overrides_connector_idx').on(t.connectorId),
		uniqueIndex('priority_overrides_series_unique').on(t.seriesId),
		uniqueIndex('priority_overrides_episode_unique').on(t.episodeId),
		uniqueIndex('priority_overrides_movie_unique').on(t.movieId)
	]
);

export type PriorityOverride = typeof priorityOverrides.$inferSelect;
