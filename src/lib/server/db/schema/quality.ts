/**
 * What each *arr app's quality settings are, mirrored for the features that judge files (upgrade
 * candidates, the content browser): quality profiles and tags.
 *
 * Sonarr/Radarr/Whisparr `GET /api/v3/qualityprofile` (QualityProfileResource) and `GET /api/v3/tag`
 * (TagResource). Unique on `(connector_id, arr_id)`; cascades from the connector.
 */
import { boolean, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';
import { connectors } from './connectors';

/** QualityProfileResource: the fields that decide whether a file is wanted as an upgrade. */
export const qualityProfiles = pgTable(
	'quality_profiles',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		arrId: integer('arr_id').notNull(),
		name: text('name').notNull(),
		upgradeAllowed: boolean('upgrade_allowed').notNull(),
		/** A quality id or a quality group id of the profile's items. */
		cutoff: integer('cutoff').notNull(),
		cutoffFormatScore: integer('cutoff_format_score').notNull().default(0),
		minFormatScore: integer('min_format_score').notNull().default(0),
		syncedAt: timestamptz('synced_at').notNull().defaultNow()
	},
	(t) => [uniqueIndex('quality_profiles_connector_arr_unique').on(t.connectorId, t.arrId)]
);

/** TagResource; series and movies carry the ids in their `tags` column. */
export const tags = pgTable(
	'tags',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		arrId: integer('arr_id').notNull(),
		label: text('label').notNull(),
		syncedAt: timestamptz('synced_at').notNull().defaultNow()
	},
	(t) => [uniqueIndex('tags_connector_arr_unique').on(t.connectorId, t.arrId)]
);

export type QualityProfile = typeof qualityProfiles.$inferSelect;
export type Tag = typeof tags.$inferSelect;
