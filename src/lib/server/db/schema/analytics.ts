/**
 * Analytics: per-connector daily roll-ups (written by the `analytics.rollup` job from the events,
 * search history, request and mirror tables; kept past the history retention, default 2 years)
 * and the hourly *arr request statistics the HTTP client records (response time and errors per
 * connector), which the roll-up reads and `/metrics` may expose.
 */
import {
	bigint,
	date,
	index,
	integer,
	pgTable,
	primaryKey,
	real,
	varchar
} from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';
import { connectors } from './connectors';

/**
 * One row per connector and local calendar day (the General time zone). Flow counts (`*Found`,
 * `searches*`, `grabs`, `acquisitions`, `upgrades`, `exhausted`, `arr*`) are recomputed from their
 * sources whenever the day is rolled up again, so a re-run is idempotent. Level columns (`queueDepth`,
 * `gapsOpen`, `upgradeCandidates`, `itemsTotal`, `itemsComplete`) are a snapshot taken while the day
 * is current; once the day is over a re-run keeps them (the past level cannot be re-read).
 */
export const analyticsDaily = pgTable(
	'analytics_daily',
	{
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		/** Local calendar day (YYYY-MM-DD) in the time zone stored in `timezone`. */
		day: date('day', { mode: 'string' }).notNull(),
		/** Gaps (missing episodes/movies) newly found by sweeps that day. */
		gapsFound: integer('gaps_found').notNull().default(0),
		/** Upgrade candidates newly found by sweeps that day. */
		upgradesFound: integer('upgrades_found').notNull().default(0),
		/** Search commands sent (request-queue rows whose POST was accepted). */
		searchesSent: integer('searches_sent').notNull().default(0),
		/** Items those commands searched (a season pack counts its episodes). */
		itemsSearched: integer('items_searched').notNull().default(0),
		/** Commands that finished with at least one grab. */
		grabs: integer('grabs').notNull().default(0),
		/** Commands that finished (completed or failed); the success rate is grabs / finished. */
		searchesFinished: integer('searches_finished').notNull().default(0),
		acquisitions: integer('acquisitions').notNull().default(0),
		upgrades: integer('upgrades').notNull().default(0),
		exhausted: integer('exhausted').notNull().default(0),
		queueDepth: integer('queue_depth').notNull().default(0),
		gapsOpen: integer('gaps_open').notNull().default(0),
		upgradeCandidates: integer('upgrade_candidates').notNull().default(0),
		/** Monitored items (episodes or movies) and those with a file: completion = complete / total. */
		itemsTotal: integer('items_total').notNull().default(0),
		itemsComplete: integer('items_complete').notNull().default(0),
		arrRequests: integer('arr_requests').notNull().default(0),
		arrErrors: integer('arr_errors').notNull().default(0),
		/** Mean *arr response time that day, ms; null without requests. */
		arrResponseMsAvg: real('arr_response_ms_avg'),
		arrResponseMsMax: integer('arr_response_ms_max'),
		computedAt: timestamptz('computed_at').notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.connectorId, t.day] }),
		index('analytics_daily_day_idx').on(t.day)
	]
);

/**
 * *arr HTTP requests per connector and UTC hour, as the connector client saw them (every attempt,
 * retries included). `errors` counts attempts that failed (network, timeout, HTTP ≥ 400).
 */
export const arrRequestStats = pgTable(
	'arr_request_stats',
	{
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		/** Start of the UTC hour. */
		hour: timestamptz('hour').notNull(),
		requests: integer('requests').notNull().default(0),
		errors: integer('errors').notNull().default(0),
		/** Sum of response times, ms (mean = totalMs / requests). */
		totalMs: bigint('total_ms', { mode: 'number' }).notNull().default(0),
		maxMs: integer('max_ms').notNull().default(0)
	},
	(t) => [
		primaryKey({ columns: [t.connectorId, t.hour] }),
		index('arr_request_stats_hour_idx').on(t.hour)
	]
);

/**
 * Files in the mirror per connector and quality name, as the roll-up last counted them (a level:
 * replaced on every run that covers the current day). The analytics view reads this instead of
 * scanning every episode on each page load.
 */
export const analyticsQuality = pgTable(
	'analytics_quality',
	{
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		/** The file's quality name (`Bluray-1080p`); `Unknown` when the app named none. */
		quality: varchar('quality', { length: 50 }).notNull(),
		episodeFiles: integer('episode_files').notNull().default(0),
		movieFiles: integer('movie_files').notNull().default(0),
		computedAt: timestamptz('computed_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.connectorId, t.quality] })]
);

export type AnalyticsDay = typeof analyticsDaily.$inferSelect;
