/**
 * Connectors: one row per configured *arr instance, its sync bookkeeping and health history.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { jsonb, timestamptz } from './columns';
import { throttleProfiles } from './throttle';
import type { ConnectorType } from '../../../connector-types';

// Defined once beside the UI's labels (pure, so the browser's forms can use the list too).
export { CONNECTOR_TYPES, type ConnectorType } from '../../../connector-types';

export const HEALTH_STATES = ['unknown', 'healthy', 'degraded', 'unhealthy', 'offline'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** One entry of the app's `GET /api/v3/health` (HealthResource). */
export interface AppHealthItem {
	source: string | null;
	type: string;
	message: string;
	wikiUrl: string | null;
}

export const connectors = pgTable(
	'connectors',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		type: varchar('type', { length: 16 }).$type<ConnectorType>().notNull(),
		name: varchar('name', { length: 100 }).notNull(),
		/** Base URL including any URL base, without a trailing slash (e.g. `http://nas:8989/sonarr`). */
		url: varchar('url', { length: 500 }).notNull(),
		/** AES-256-GCM ciphertext of the *arr API key (see crypto/secrets.ts); never sent to a client. */
		apiKeyEncrypted: text('api_key_encrypted').notNull(),
		/** Last 4 characters of the key, the only part the UI and API ever show. */
		apiKeyHint: varchar('api_key_hint', { length: 4 }).notNull(),
		enabled: boolean('enabled').notNull().default(true),
		/** From `GET /api/v3/system/status`: `appName` and `version`. */
		appName: varchar('app_name', { length: 50 }),
		appVersion: varchar('app_version', { length: 50 }),
		health: varchar('health', { length: 16 }).$type<HealthState>().notNull().default('unknown'),
		healthReason: text('health_reason'),
		healthCheckedAt: timestamptz('health_checked_at'),
		consecutiveFailures: integer('consecutive_failures').notNull().default(0),
		/** The app's own health warnings from `GET /api/v3/health` at the last check. */
		appHealth: jsonb<AppHealthItem[]>('app_health')
			.notNull()
			.default(sql`'[]'::jsonb`),
		/**
		 * sha256 (hex) of the secret the app's "Connect → Webhook" sends (POST /webhooks/{id});
		 * null until one is generated. The secret itself is shown once and never stored.
		 */
		webhookSecretHash: varchar('webhook_secret_hash', { length: 64 }),
		webhookSecretCreatedAt: timestamptz('webhook_secret_created_at'),
		/** Request timeout for calls to this instance, in ms. */
		timeoutMs: integer('timeout_ms').notNull().default(30_000),
		/** Accept a self-signed certificate (off by default; the UI warns). */
		skipTlsVerify: boolean('skip_tls_verify').notNull().default(false),
		throttleProfileId: integer('throttle_profile_id').references(() => throttleProfiles.id, {
			onDelete: 'set null'
		}),
		/** Season-pack decision settings (spec "Configurable Thresholds"). */
		seasonPackEnabled: boolean('season_pack_enabled').notNull().default(true),
		/** A fully aired season missing at least this share (%) of its episodes gets one SeasonSearch. */
		seasonPackThresholdPct: integer('season_pack_threshold_pct').notNull().default(50),
		/**
		 * A fully aired season missing more than this many episodes gets a pack even below the
		 * threshold; null = off. Default 1, with `seasonPackMinEpisodes` 2: every fully aired season
		 * missing two or more episodes is one SeasonSearch (one indexer query instead of one per
		 * episode). The 5 and 3 acquired 9,164 items for 14,907 searches in the
		 * effectiveness benchmark, these 11,367 for 14,910 (tests/bench/RESULTS.md, 2026-12-02).
		 */
		maxEpisodesBeforePack: integer('max_episodes_before_pack').default(1),
		/** A season missing fewer than this many episodes never gets a pack (default 2, see above). */
		seasonPackMinEpisodes: integer('season_pack_min_episodes').notNull().default(2),
		/** A season pack is not repeated for the same season within this many hours. */
		seasonPackCooldownHours: integer('season_pack_cooldown_hours').notNull().default(168),
		/** An item searched waits this many hours before its next search; null = the throttle profile's. */
		searchCooldownHours: integer('search_cooldown_hours'),
		/**
		 * Backpressure: no dispatch while the app's download queue (`GET /api/v3/queue/status`
		 * `totalCount`) holds more than this many items; null = off.
		 */
		downloadQueueLimit: integer('download_queue_limit').default(20),
		/** Only series/movies carrying one of these *arr tag ids are searched; empty = all. */
		includeTagIds: jsonb<number[]>('include_tag_ids')
			.notNull()
			.default(sql`'[]'::jsonb`),
		/** Series/movies carrying any of these *arr tag ids are never searched. */
		excludeTagIds: jsonb<number[]>('exclude_tag_ids')
			.notNull()
			.default(sql`'[]'::jsonb`),
		/**
		 * Opt-in third search type: files whose `customFormatScore` is below their quality profile's
		 * `cutoffFormatScore` while `upgradeAllowed`.
		 */
		customFormatUpgrades: boolean('custom_format_upgrades').notNull().default(false),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		updatedAt: timestamptz('updated_at').notNull().defaultNow()
	},
	(t) => [uniqueIndex('connectors_name_unique').on(sql`lower(${t.name})`)]
);

export type Connector = typeof connectors.$inferSelect;
export type NewConnector = typeof connectors.$inferInsert;

/** One row per connector: the state of its mirror. */
export const syncState = pgTable('sync_state', {
	connectorId: integer('connector_id')
		.primaryKey()
		.references(() => connectors.id, { onDelete: 'cascade' }),
	lastSyncAt: timestamptz('last_sync_at'),
	lastSuccessAt: timestamptz('last_success_at'),
	lastStatus: varchar('last_status', { length: 16 }),
	lastError: text('last_error'),
	runningSince: timestamptz('running_since'),
	/** End of the last successful full reconciliation (every series' episodes, every movie). */
	lastFullSyncAt: timestamptz('last_full_sync_at'),
	/**
	 * Start of the last successful sync of either kind: the next incremental sync asks
	 * `GET /api/v3/history/since?date=` from here.
	 */
	lastSyncStartedAt: timestamptz('last_sync_started_at')
});

export const SYNC_MODES = ['incremental', 'full'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const SYNC_RUN_STATUSES = ['running', 'success', 'partial', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** One row per sync run (history shown on the connector page). */
export const syncRuns = pgTable(
	'sync_runs',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		status: varchar('status', { length: 16 }).$type<SyncRunStatus>().notNull(),
		mode: varchar('mode', { length: 16 }).$type<SyncMode>().notNull().default('full'),
		/** The job run that did it (`job_runs.id`), when it ran as a job. */
		jobRunId: integer('job_run_id'),
		startedAt: timestamptz('started_at').notNull(),
		finishedAt: timestamptz('finished_at'),
		durationMs: integer('duration_ms'),
		seriesCount: integer('series_count').notNull().default(0),
		episodeCount: integer('episode_count').notNull().default(0),
		movieCount: integer('movie_count').notNull().default(0),
		/** Items that failed validation and were skipped. */
		skippedCount: integer('skipped_count').notNull().default(0),
		/** Items gone from the *arr app and removed from the mirror. */
		removedCount: integer('removed_count').notNull().default(0),
		/** Items new to the mirror / changed in it. */
		addedCount: integer('added_count').notNull().default(0),
		updatedCount: integer('updated_count').notNull().default(0),
		/** HTTP requests made to the app, retries included. */
		requestCount: integer('request_count').notNull().default(0),
		/** Mirror and search-state rows inserted, updated or deleted. */
		rowsWritten: integer('rows_written').notNull().default(0),
		error: text('error')
	},
	(t) => [index('sync_runs_connector_started_idx').on(t.connectorId, t.startedAt)]
);

/** Health state changes, newest last. */
export const healthEvents = pgTable(
	'health_events',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		fromState: varchar('from_state', { length: 16 }).$type<HealthState>().notNull(),
		toState: varchar('to_state', { length: 16 }).$type<HealthState>().notNull(),
		reason: text('reason'),
		at: timestamptz('at').notNull().defaultNow()
	},
	(t) => [index('health_events_connector_at_idx').on(t.connectorId, t.at)]
);
