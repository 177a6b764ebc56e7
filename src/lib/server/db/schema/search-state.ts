/**
 * Search state: what Comradarr has done about each gap and upgrade candidate.
 *
 * - `search_registry`: one row per item (episode or movie) and search type, created when discovery
 *   first finds it wanted; deleted when the item is no longer wanted (it gained a file / met the
 *   cutoff) or leaves the mirror (cascade).
 * - `request_queue`: the prioritised commands waiting to be sent, each linked to the registry rows it
 *   searches through `request_queue_items`. A row is recorded (`sending`) before its command is
 *   POSTed, so a crash never double-sends or loses it (see services/queue/recovery.ts).
 * - `search_history`: append-only outcome of every command sent.
 */
import { sql } from 'drizzle-orm';
import {
	check,
	index,
	integer,
	pgTable,
	primaryKey,
	smallint,
	text,
	uniqueIndex,
	varchar
} from 'drizzle-orm/pg-core';
import { jsonb, timestamptz } from './columns';
import { connectors } from './connectors';
import { episodes, movies, series } from './content';
import { sweepSchedules } from './schedules';
import type { BatchScore } from '../../../types/search-score';

export const SEARCH_TYPES = ['gap', 'upgrade'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const REGISTRY_STATES = ['pending', 'queued', 'searching', 'cooldown', 'exhausted'] as const;
export type RegistryState = (typeof REGISTRY_STATES)[number];

/**
 * Why a search did not acquire its items; each has its own cooldown rule
 * (services/queue/registry-states.ts `cooldownFor`). Decided in services/queue/outcome.ts:
 * `no_results` a completed command that grabbed nothing; `indexer_error` a failed command whose
 * message names an indexer; `rate_limited` HTTP 429 or a rate-limit failure; `timeout` a command
 * that did not finish within the tracking timeout; `app_error` anything else.
 */
export const FAILURE_CATEGORIES = [
	'no_results',
	'indexer_error',
	'rate_limited',
	'timeout',
	'app_error'
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export const searchRegistry = pgTable(
	'search_registry',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/**
		 * The item's connector, copied from the episode or movie when discovery inserts the row. No
		 * foreign key of its own: the item's key already ties the row to a connector that exists and
		 * removes it with that connector (connector → series/movies → episodes, all cascading), and
		 * a per-row key check cost 150 ms of every 50,000 rows a sweep inserts (tests/bench/queue.ts).
		 */
		connectorId: integer('connector_id').notNull(),
		episodeId: integer('episode_id').references(() => episodes.id, { onDelete: 'cascade' }),
		movieId: integer('movie_id').references(() => movies.id, { onDelete: 'cascade' }),
		/**
		 * The episode's series (null for a movie): copied from `episodes.series_id` when discovery
		 * inserts the row (an episode never changes series), so the content browser can filter and
		 * count series by search state without joining 500,000 episodes. No foreign key, for the
		 * reason given at `connectorId`: the episode's key removes the row with its series.
		 */
		seriesId: integer('series_id'),
		searchType: varchar('search_type', { length: 10 }).$type<SearchType>().notNull(),
		state: varchar('state', { length: 12 }).$type<RegistryState>().notNull().default('pending'),
		attempts: smallint('attempts').notNull().default(0),
		priority: integer('priority').notNull().default(0),
		lastSearchedAt: timestamptz('last_searched_at'),
		nextEligibleAt: timestamptz('next_eligible_at').notNull().defaultNow(),
		failureCategory: varchar('failure_category', { length: 20 }).$type<FailureCategory>(),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		updatedAt: timestamptz('updated_at').notNull().defaultNow()
	},
	(t) => [
		check('search_registry_one_item', sql`(${t.episodeId} is null) <> (${t.movieId} is null)`),
		check(
			'search_registry_episode_series',
			sql`(${t.episodeId} is null) = (${t.seriesId} is null)`
		),
		// Partial: a row holds an episode or a movie, never both, so each row enters one of the two
		// (a full index held a null entry for every row of the other kind; 70,000 index writes of a
		// sweep into an empty registry).
		uniqueIndex('search_registry_episode_unique')
			.on(t.episodeId, t.searchType)
			.where(sql`${t.episodeId} is not null`),
		uniqueIndex('search_registry_movie_unique')
			.on(t.movieId, t.searchType)
			.where(sql`${t.movieId} is not null`),
		index('search_registry_state_eligible_idx').on(t.state, t.nextEligibleAt),
		index('search_registry_connector_type_state_idx').on(t.connectorId, t.searchType, t.state),
		/** The content browser's per-series flags and counts, read from the index alone. */
		index('search_registry_series_idx')
			.on(t.seriesId, t.searchType, t.state)
			.where(sql`${t.seriesId} is not null`)
	]
);

/**
 * Per-item totals of the search registry, one row per series (over its episodes' rows) or movie
 * that has or had registry rows: how many rows are gaps, upgrades, queued, searching, in cooldown
 * or exhausted, and the latest `last_searched_at`. The content browser counts and sorts by these
 * instead of grouping the whole registry on every page view (issue 11 §9).
 *
 * Maintained by PostgreSQL, not by the application: statement-level triggers on `search_registry`
 * (migration 20261203170521_search_item_summary) add each statement's changes as deltas
 * (`+1` per new row, `-1` per old row), so concurrent writers never overwrite each other's counts.
 * `last_searched_at` only moves forward with deltas; a statement that lowers or clears an item's
 * last search (clear search state) recomputes it from the registry. Rows whose counts reach zero
 * are kept (they count as "nothing wanted"). Derived data: left out of built-in backups and rebuilt
 * by the triggers when the registry is restored.
 */
export const searchItemSummary = pgTable(
	'search_item_summary',
	{
		/** `series` or `movie`. */
		kind: varchar('kind', { length: 6 }).$type<'series' | 'movie'>().notNull(),
		/** `series.id` or `movies.id` (no foreign key: the registry's cascade keeps it in step). */
		itemId: integer('item_id').notNull(),
		connectorId: integer('connector_id').notNull(),
		/** Registry rows of the item, all types and states. */
		entries: integer('entries').notNull().default(0),
		gaps: integer('gaps').notNull().default(0),
		upgrades: integer('upgrades').notNull().default(0),
		queued: integer('queued').notNull().default(0),
		searching: integer('searching').notNull().default(0),
		cooldown: integer('cooldown').notNull().default(0),
		exhausted: integer('exhausted').notNull().default(0),
		lastSearchedAt: timestamptz('last_searched_at')
	},
	(t) => [
		primaryKey({ columns: [t.kind, t.itemId] }),
		index('search_item_summary_connector_idx').on(t.connectorId, t.kind)
	]
);

export const SEARCH_COMMANDS = ['EpisodeSearch', 'SeasonSearch', 'MoviesSearch'] as const;
export type SearchCommandName = (typeof SEARCH_COMMANDS)[number];

export const REQUEST_STATUSES = [
	'pending',
	'sending',
	'sent',
	'completed',
	'failed',
	'cancelled'
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** The body POSTed to `/api/v3/command`, exactly. */
export type SearchCommandBody =
	| { name: 'EpisodeSearch'; episodeIds: number[] }
	| { name: 'SeasonSearch'; seriesId: number; seasonNumber: number }
	| { name: 'MoviesSearch'; movieIds: number[] };

export const REQUEST_ORIGINS = ['sweep', 'manual'] as const;
export type RequestOrigin = (typeof REQUEST_ORIGINS)[number];

export const requestQueue = pgTable(
	'request_queue',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		command: varchar('command', { length: 20 }).$type<SearchCommandName>().notNull(),
		searchType: varchar('search_type', { length: 10 }).$type<SearchType>().notNull(),
		payload: jsonb<SearchCommandBody>('payload').notNull(),
		/** Searches this command costs against the daily budget (items; 1 for a SeasonSearch). */
		searchCount: integer('search_count').notNull(),
		priority: integer('priority').notNull(),
		/** How `priority` was reached (services/queue/prioritizer.ts `BatchScore`); null on rows from before it. */
		score: jsonb<BatchScore>('score'),
		/** Human summary shown in the queue, e.g. `Show — S02 (season pack)`. */
		label: text('label').notNull(),
		seriesId: integer('series_id').references(() => series.id, { onDelete: 'cascade' }),
		seasonNumber: integer('season_number'),
		status: varchar('status', { length: 12 }).$type<RequestStatus>().notNull().default('pending'),
		/**
		 * `sweep`: built by a sweep, rebuilt by the next one. `manual`: a user's "search now" or a
		 * priority the user set in the queue; sweeps keep it (and do not queue its items again).
		 */
		origin: varchar('origin', { length: 8 }).$type<RequestOrigin>().notNull().default('sweep'),
		/** The sweep schedule whose run queued this row (its throttle profile override applies). */
		sweepScheduleId: integer('sweep_schedule_id').references(() => sweepSchedules.id, {
			onDelete: 'set null'
		}),
		scheduledAt: timestamptz('scheduled_at').notNull().defaultNow(),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		/** Set when a dispatcher claims the row, before the POST: counts against the throttle window. */
		claimedAt: timestamptz('claimed_at'),
		sentAt: timestamptz('sent_at'),
		arrCommandId: integer('arr_command_id'),
		/** Sonarr's CommandStatus: queued|started|completed|failed|aborted|cancelled|orphaned. */
		commandStatus: varchar('command_status', { length: 12 }),
		message: text('message'),
		finishedAt: timestamptz('finished_at'),
		error: text('error')
	},
	(t) => [
		index('request_queue_dispatch_idx')
			.on(t.connectorId, t.priority, t.scheduledAt)
			.where(sql`${t.status} = 'pending'`),
		index('request_queue_status_idx').on(t.status),
		index('request_queue_claimed_idx').on(t.connectorId, t.claimedAt)
	]
);

export const requestQueueItems = pgTable(
	'request_queue_items',
	{
		requestId: integer('request_id')
			.notNull()
			.references(() => requestQueue.id, { onDelete: 'cascade' }),
		registryId: integer('registry_id')
			.notNull()
			.references(() => searchRegistry.id, { onDelete: 'cascade' })
	},
	(t) => [
		primaryKey({ columns: [t.requestId, t.registryId] }),
		index('request_queue_items_registry_idx').on(t.registryId)
	]
);

export const SEARCH_OUTCOMES = ['completed', 'failed', 'unknown'] as const;
export type SearchOutcome = (typeof SEARCH_OUTCOMES)[number];

export const searchHistory = pgTable(
	'search_history',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		requestId: integer('request_id'),
		command: varchar('command', { length: 20 }).$type<SearchCommandName>().notNull(),
		searchType: varchar('search_type', { length: 10 }).$type<SearchType>().notNull(),
		searchCount: integer('search_count').notNull(),
		label: text('label').notNull(),
		payload: jsonb<SearchCommandBody>('payload').notNull(),
		arrCommandId: integer('arr_command_id'),
		outcome: varchar('outcome', { length: 12 }).$type<SearchOutcome>().notNull(),
		commandStatus: varchar('command_status', { length: 12 }),
		/** The command's `message`, e.g. "2 reports downloaded". */
		message: text('message'),
		sentAt: timestamptz('sent_at'),
		finishedAt: timestamptz('finished_at').notNull().defaultNow(),
		durationMs: integer('duration_ms')
	},
	(t) => [index('search_history_connector_finished_idx').on(t.connectorId, t.finishedAt)]
);

export type RegistryEntry = typeof searchRegistry.$inferSelect;
export type QueuedRequest = typeof requestQueue.$inferSelect;
export type HistoryEntry = typeof searchHistory.$inferSelect;
