/**
 * The content mirror: what each *arr app holds, and at what quality.
 *
 * Column names keep the *arr field names (Sonarr/Radarr API v3 resources). `arr_id` is the id in
 * the *arr app; `id` is ours. Every table is unique on `(connector_id, arr_id)` and cascades from
 * its connector, so deleting a connector removes its mirror and, through the search registry's
 * foreign keys, its search state.
 */
import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	index,
	integer,
	pgTable,
	smallint,
	text,
	uniqueIndex,
	varchar
} from 'drizzle-orm/pg-core';
import { jsonb, timestamptz } from './columns';
import { connectors } from './connectors';

/** Sonarr/Whisparr v2 series (SeriesResource). */
export const series = pgTable(
	'series',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		arrId: integer('arr_id').notNull(),
		title: text('title').notNull(),
		sortTitle: text('sort_title'),
		/** continuing | ended | upcoming | deleted */
		status: varchar('status', { length: 20 }),
		/** standard | daily | anime */
		seriesType: varchar('series_type', { length: 20 }),
		monitored: boolean('monitored').notNull(),
		year: integer('year'),
		tvdbId: integer('tvdb_id'),
		imdbId: varchar('imdb_id', { length: 20 }),
		tmdbId: integer('tmdb_id'),
		qualityProfileId: integer('quality_profile_id'),
		/** Tag ids (TagResource.id, see quality.ts `tags`), in the app's order. */
		tags: jsonb<number[]>('tags')
			.notNull()
			.default(sql`'[]'::jsonb`),
		added: timestamptz('added'),
		syncedAt: timestamptz('synced_at').notNull().defaultNow(),
		/**
		 * SHA-256 (hex) of the app's episode and episode-file lists of this series, as the mirror last
		 * wrote its episodes from them (sonarr/client.ts `listEpisodes`, with its format version). A
		 * sync that gets the same digest back has nothing to parse or compare for the series. Null
		 * when the episodes were last written from anything else, or with unreadable items skipped.
		 */
		episodesDigest: varchar('episodes_digest', { length: 64 })
	},
	(t) => [
		uniqueIndex('series_connector_arr_unique').on(t.connectorId, t.arrId),
		index('series_connector_profile_idx').on(t.connectorId, t.qualityProfileId),
		/** Title search that tolerates typos and accents (pg_trgm; `comradarr_unaccent`, see the migration). */
		/** The content browser's title order (a page is read off the index). */
		index('series_sort_title_idx').on(sql`coalesce(${t.sortTitle}, lower(${t.title}))`, t.id),
		index('series_title_trgm_idx').using(
			'gin',
			sql`comradarr_unaccent(lower(${t.title})) extensions.gin_trgm_ops`
		)
	]
);

/**
 * Series whose episodes and files must be re-read: new, changed (fields or season statistics), in
 * the app's history since the last sync, or using a quality profile that changed. Sync bookkeeping,
 * not mirror: a row is inserted in the transaction that noticed the change and deleted in the one
 * that wrote the series' episodes, so a sync interrupted in between leaves it for the next one.
 */
export const seriesSyncPending = pgTable(
	'series_sync_pending',
	{
		seriesId: integer('series_id')
			.primaryKey()
			.references(() => series.id, { onDelete: 'cascade' }),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		/** new | changed | history | profile */
		reason: varchar('reason', { length: 16 }).notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow()
	},
	(t) => [index('series_sync_pending_connector_idx').on(t.connectorId)]
);

/** Seasons with SeasonStatisticsResource aggregates. */
export const seasons = pgTable(
	'seasons',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		seriesId: integer('series_id')
			.notNull()
			.references(() => series.id, { onDelete: 'cascade' }),
		seasonNumber: integer('season_number').notNull(),
		monitored: boolean('monitored').notNull(),
		episodeFileCount: integer('episode_file_count').notNull().default(0),
		episodeCount: integer('episode_count').notNull().default(0),
		totalEpisodeCount: integer('total_episode_count').notNull().default(0),
		/** Set while an episode of the season is still to air: the season is not fully aired. */
		nextAiring: timestamptz('next_airing'),
		previousAiring: timestamptz('previous_airing'),
		/** Bytes (SeasonStatisticsResource.sizeOnDisk): changes when a file is replaced in place. */
		sizeOnDisk: bigint('size_on_disk', { mode: 'number' }).notNull().default(0),
		syncedAt: timestamptz('synced_at').notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('seasons_series_number_unique').on(t.seriesId, t.seasonNumber),
		// The dashboard's completion rings sum the statistics per series: an index-only read.
		index('seasons_series_stats_idx').on(
			t.seriesId,
			t.connectorId,
			t.episodeCount,
			t.episodeFileCount
		)
	]
);

/** Episodes (EpisodeResource) with their file's quality state (EpisodeFileResource). */
export const episodes = pgTable(
	'episodes',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		seriesId: integer('series_id')
			.notNull()
			.references(() => series.id, { onDelete: 'cascade' }),
		arrId: integer('arr_id').notNull(),
		seasonNumber: integer('season_number').notNull(),
		episodeNumber: integer('episode_number'),
		title: text('title'),
		airDateUtc: timestamptz('air_date_utc'),
		/** Minutes; Sonarr counts an episode as aired once airDateUtc + runtime has passed. */
		runtime: smallint('runtime').notNull().default(0),
		monitored: boolean('monitored').notNull(),
		hasFile: boolean('has_file').notNull(),
		episodeFileId: integer('episode_file_id'),
		/** Quality name of the file (e.g. `HDTV-720p`), null without a file. */
		quality: varchar('quality', { length: 50 }),
		qualityCutoffNotMet: boolean('quality_cutoff_not_met').notNull().default(false),
		/** EpisodeFileResource.customFormatScore; null without a file. */
		customFormatScore: integer('custom_format_score'),
		/** Sonarr ≥ 4.0.9 only; null when absent or never searched. */
		lastSearchTime: timestamptz('last_search_time'),
		syncedAt: timestamptz('synced_at').notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('episodes_connector_arr_unique').on(t.connectorId, t.arrId),
		index('episodes_gap_idx')
			.on(t.connectorId, t.airDateUtc)
			.where(sql`${t.hasFile} = false and ${t.monitored} = true`),
		index('episodes_upgrade_idx')
			.on(t.connectorId)
			.where(
				sql`${t.hasFile} = true and ${t.qualityCutoffNotMet} = true and ${t.monitored} = true`
			),
		index('episodes_series_season_idx').on(t.seriesId, t.seasonNumber)
	]
);

/** Radarr movies (MovieResource) with their file's quality state. */
export const movies = pgTable(
	'movies',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		arrId: integer('arr_id').notNull(),
		title: text('title').notNull(),
		sortTitle: text('sort_title'),
		year: integer('year'),
		/** tba | announced | inCinemas | released | deleted */
		status: varchar('status', { length: 20 }),
		monitored: boolean('monitored').notNull(),
		hasFile: boolean('has_file').notNull(),
		movieFileId: integer('movie_file_id'),
		quality: varchar('quality', { length: 50 }),
		qualityCutoffNotMet: boolean('quality_cutoff_not_met').notNull().default(false),
		/** MovieFileResource.customFormatScore; null without a file. */
		customFormatScore: integer('custom_format_score'),
		qualityProfileId: integer('quality_profile_id'),
		/** Tag ids (TagResource.id). */
		tags: jsonb<number[]>('tags')
			.notNull()
			.default(sql`'[]'::jsonb`),
		minimumAvailability: varchar('minimum_availability', { length: 20 }),
		/** Radarr's own `isAvailable` (minimum availability reached). */
		isAvailable: boolean('is_available').notNull().default(false),
		tmdbId: integer('tmdb_id'),
		imdbId: varchar('imdb_id', { length: 20 }),
		/** Whisparr v3 only: `movie` or `scene`. */
		itemType: varchar('item_type', { length: 10 }),
		releaseDate: timestamptz('release_date'),
		/** Radarr ≥ 5.10 only. */
		lastSearchTime: timestamptz('last_search_time'),
		added: timestamptz('added'),
		syncedAt: timestamptz('synced_at').notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('movies_connector_arr_unique').on(t.connectorId, t.arrId),
		index('movies_gap_idx')
			.on(t.connectorId)
			.where(sql`${t.hasFile} = false and ${t.monitored} = true`),
		index('movies_upgrade_idx')
			.on(t.connectorId)
			.where(
				sql`${t.hasFile} = true and ${t.qualityCutoffNotMet} = true and ${t.monitored} = true`
			),
		index('movies_sort_title_idx').on(sql`coalesce(${t.sortTitle}, lower(${t.title}))`, t.id),
		// The dashboard's completion rings: monitored movies with a file or released, index-only.
		index('movies_monitored_file_idx')
			.on(t.connectorId, t.hasFile, t.isAvailable)
			.where(sql`${t.monitored} = true`),
		index('movies_title_trgm_idx').using(
			'gin',
			sql`comradarr_unaccent(lower(${t.title})) extensions.gin_trgm_ops`
		)
	]
);

export type Series = typeof series.$inferSelect;
export type Season = typeof seasons.$inferSelect;
export type Episode = typeof episodes.$inferSelect;
export type Movie = typeof movies.$inferSelect;
export type SeriesSyncPending = typeof seriesSyncPending.$inferSelect;
