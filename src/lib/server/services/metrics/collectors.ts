/**
 * The metrics read from PostgreSQL at scrape time: everything that is state shared by every
 * replica (the request queue, search state, budgets, job runs, deliveries, events, sync runs), so
 * each replica exports the same values (deduplicate with `max without(instance)`, not `sum`).
 *
 * Each collector is one or two grouped queries over indexed columns; a collector that fails is
 * reported by `comradarr_metrics_collector_success{collector}` = 0 and leaves the others alone (its
 * gauges are dropped for that scrape, its counters keep their last values).
 *
 * Labels are bounded: `connector_id` (names live on `comradarr_connector_info`, so renaming a
 * connector does not break its series), `channel_id` (likewise `comradarr_notification_channel_info`),
 * and fixed vocabularies (queue and registry states, search types, command names, outcomes, job
 * names, delivery statuses). Never an item id.
 */
import { sql } from 'drizzle-orm';
import { Counter, Gauge, type Metric } from 'prom-client';
import type { Database } from '../../db';
import {
	HEALTH_STATES,
	REGISTRY_STATES,
	SEARCH_COMMANDS,
	SEARCH_OUTCOMES,
	SEARCH_TYPES
} from '../../db/schema';
import { zonedDayStart } from '../../time/day-start';
import { getSettings } from '../settings/settings-service';
import { MonotonicTotals, type CountRow, type Labels } from './monotonic';

/** What every collector of one scrape sees. */
export interface ScrapeContext {
	db: Database;
	now: Date;
	/** The connectors and channels that exist (null when reading them failed this scrape). */
	connectors: readonly { id: number; type: string }[] | null;
	channels: readonly { id: number }[] | null;
}

/** One named unit of collection; `run` sets its metrics or throws (the registry catches). */
export interface Collector {
	name: string;
	run(ctx: ScrapeContext): Promise<void>;
	/** Called instead of `run`'s effects when it threw: drop what would be stale. */
	failed(): void;
}

/** Request-queue rows that are still live, by state (finished rows are history). */
const QUEUE_STATES = ['pending', 'sending', 'sent'] as const;
/** Finished job-run statuses: a run enters one of them once and never leaves it. */
const FINISHED_RUN_STATUSES = ['success', 'partial', 'failed', 'skipped'] as const;
/** Claimed commands: what the daily budget counts (services/queue/throttle.ts). */
const BUDGET_COUNTED = ['sending', 'sent', 'completed', 'failed'] as const;

function list(values: readonly string[]) {
	return sql.join(
		values.map((v) => sql`${v}`),
		sql`, `
	);
}

function gauge<T extends string>(name: string, help: string, labelNames: readonly T[]): Gauge<T> {
	return new Gauge({ name, help, labelNames: [...labelNames], registers: [] });
}

/** A counter whose values come from {@link MonotonicTotals}. */
class DbCounter<T extends string> {
	readonly metric: Counter<T>;
	readonly totals = new MonotonicTotals();
	constructor(name: string, help: string, labelNames: readonly T[]) {
		this.metric = new Counter({ name, help, labelNames: [...labelNames], registers: [] });
	}

	/** Takes fresh counts and writes the totals into the counter. */
	set(rows: readonly CountRow[], keep: (labels: Labels) => boolean): void {
		this.totals.update(rows, keep);
		this.metric.reset();
		for (const { labels, value } of this.totals.entries()) {
			this.metric.inc(labels as Partial<Record<T, string>>, value);
		}
	}
}

/** Keeps a label set while its connector exists (or while the connector list is unknown). */
function connectorAlive(ctx: ScrapeContext): (labels: Labels) => boolean {
	if (!ctx.connectors) return () => true;
	const ids = new Set(ctx.connectors.map((c) => String(c.id)));
	return (labels) => labels.connector_id === undefined || ids.has(labels.connector_id);
}

function channelAlive(ctx: ScrapeContext): (labels: Labels) => boolean {
	if (!ctx.channels) return () => true;
	const ids = new Set(ctx.channels.map((c) => String(c.id)));
	return (labels) => labels.channel_id === undefined || ids.has(labels.channel_id);
}

/** All DB-backed metrics and the collectors that fill them. */
export function createDbCollectors(): {
	metrics: Metric[];
	/** Runs first: the connectors and channels the others read from the context. */
	inventory: Collector;
	collectors: Collector[];
} {
	const connectorInfo = gauge(
		'comradarr_connector_info',
		'Always 1: a configured *arr connector, its name and type (join on connector_id).',
		['connector_id', 'connector', 'type', 'enabled']
	);
	const connectorHealth = gauge(
		'comradarr_connector_health_state',
		"1 for the connector's current health state (unknown, healthy, degraded, unhealthy, offline), 0 for the others.",
		['connector_id', 'state']
	);
	const channelInfo = gauge(
		'comradarr_notification_channel_info',
		'Always 1: a configured notification channel, its name and type (join on channel_id).',
		['channel_id', 'channel', 'type', 'enabled']
	);
	const queueDepth = gauge(
		'comradarr_request_queue_depth',
		'Search commands in the request queue by state: pending (waiting), sending (claimed, POST under way), sent (running in the app).',
		['connector_id', 'state']
	);
	const queueSearches = gauge(
		'comradarr_request_queue_searches',
		'Searches (episodes or movies; 1 per season pack) in the request queue by state.',
		['connector_id', 'state']
	);
	const registryItems = gauge(
		'comradarr_search_registry_items',
		'Wanted items (gaps and upgrade candidates) by search type and search state.',
		['connector_id', 'search_type', 'state']
	);
	const searchesToday = gauge(
		'comradarr_searches_today',
		"Searches claimed since local midnight (Settings → General time zone), counted against the connector's daily budget.",
		['connector_id']
	);
	const searchBudget = gauge(
		'comradarr_searches_daily_budget',
		"The daily search budget of the connector's throttle profile.",
		['connector_id']
	);
	const jobRunsRunning = gauge(
		'comradarr_job_runs_running',
		'Job runs queued or running now, by job.',
		['job']
	);
	const jobRuns = new DbCounter(
		'comradarr_job_runs_total',
		'Finished job runs by job and status (success, partial, failed, skipped), from the retained job history.',
		['job', 'status']
	);
	const deliveries = new DbCounter(
		'comradarr_notification_deliveries_total',
		'Notification delivery attempts by channel and status (sent, failed), test notifications included.',
		['channel_id', 'status']
	);
	const acquisitions = new DbCounter(
		'comradarr_acquisitions_total',
		'Episodes and movies that gained a file while mirrored (item.acquired events).',
		['connector_id', 'kind']
	);
	const upgrades = new DbCounter(
		'comradarr_upgrades_total',
		'Episode and movie files that met the cutoff or were replaced by another quality (item.upgraded events).',
		['connector_id', 'kind']
	);
	const commandsSent = new DbCounter(
		'comradarr_commands_sent_total',
		'Search commands the *arr app accepted, by command name.',
		['connector_id', 'command']
	);
	const commandsFinished = new DbCounter(
		'comradarr_commands_finished_total',
		'Search commands finished, by command name and outcome (completed, failed, unknown); includes commands the app refused.',
		['connector_id', 'command', 'outcome']
	);
	const syncRuns = new DbCounter(
		'comradarr_sync_runs_total',
		'Finished library syncs by mode (full, incremental) and status (success, partial, failed).',
		['connector_id', 'mode', 'status']
	);
	const syncRows = new DbCounter(
		'comradarr_sync_rows_written_total',
		'Mirror and search-state rows inserted, updated or deleted by syncs.',
		['connector_id', 'mode']
	);
	const syncSeconds = new DbCounter(
		'comradarr_sync_duration_seconds_total',
		'Time spent in finished syncs, seconds (divide by comradarr_sync_runs_total for the mean).',
		['connector_id', 'mode']
	);
	const syncLastDuration = gauge(
		'comradarr_sync_last_duration_seconds',
		'Duration of the last finished sync of each mode, seconds.',
		['connector_id', 'mode']
	);
	const syncLastRows = gauge(
		'comradarr_sync_last_rows_written',
		'Rows written by the last finished sync of each mode.',
		['connector_id', 'mode']
	);
	const syncLastFinished = gauge(
		'comradarr_sync_last_finished_timestamp_seconds',
		'When the last sync of each mode finished, Unix time in seconds.',
		['connector_id', 'mode']
	);
	const syncLastSuccess = gauge(
		'comradarr_sync_last_success',
		'1 when the last finished sync of each mode succeeded (fully or partly), 0 when it failed.',
		['connector_id', 'mode']
	);

	const collectors: Collector[] = [
		{
			name: 'request_queue',
			async run(ctx) {
				const rows = await ctx.db.execute<{
					connector_id: number;
					status: string;
					commands: number;
					searches: number;
				}>(sql`
					select connector_id, status, count(*)::int as commands,
					       coalesce(sum(search_count), 0)::int as searches
					from request_queue where status in (${list(QUEUE_STATES)})
					group by connector_id, status`);
				queueDepth.reset();
				queueSearches.reset();
				for (const c of ctx.connectors ?? []) {
					for (const state of QUEUE_STATES) {
						queueDepth.set({ connector_id: String(c.id), state }, 0);
						queueSearches.set({ connector_id: String(c.id), state }, 0);
					}
				}
				for (const r of rows) {
					const labels = { connector_id: String(r.connector_id), state: r.status };
					queueDepth.set(labels, r.commands);
					queueSearches.set(labels, r.searches);
				}
			},
			failed() {
				queueDepth.reset();
				queueSearches.reset();
			}
		},
		{
			name: 'search_registry',
			async run(ctx) {
				// search_registry_connector_type_state_idx: an index-only count.
				const rows = await ctx.db.execute<{
					connector_id: number;
					search_type: string;
					state: string;
					n: number;
				}>(sql`
					select connector_id, search_type, state, count(*)::int as n
					from search_registry group by connector_id, search_type, state`);
				registryItems.reset();
				for (const c of ctx.connectors ?? []) {
					for (const searchType of SEARCH_TYPES) {
						for (const state of REGISTRY_STATES) {
							registryItems.set({ connector_id: String(c.id), search_type: searchType, state }, 0);
						}
					}
				}
				for (const r of rows) {
					registryItems.set(
						{ connector_id: String(r.connector_id), search_type: r.search_type, state: r.state },
						r.n
					);
				}
			},
			failed: () => registryItems.reset()
		},
		{
			name: 'search_budget',
			async run(ctx) {
				const { general } = await getSettings(ctx.db, ctx.now.getTime());
				const dayStart = zonedDayStart(ctx.now, general.timeZone).toISOString();
				// request_queue_claimed_idx (connector_id, claimed_at) per connector; the profile
				// fallback is throttle.ts `profileFor`'s (the default profile, else the first).
				const rows = await ctx.db.execute<{ id: number; budget: number | null; today: number }>(
					sql`
					select c.id, coalesce(p.daily_search_budget, d.daily_search_budget) as budget,
					       (select coalesce(sum(q.search_count), 0)::int from request_queue q
					        where q.connector_id = c.id and q.claimed_at >= ${dayStart}::timestamptz
					          and q.status in (${list(BUDGET_COUNTED)})) as today
					from connectors c
					left join throttle_profiles p on p.id = c.throttle_profile_id
					left join lateral (
						select daily_search_budget from throttle_profiles
						order by is_default desc, id limit 1
					) d on true`
				);
				searchesToday.reset();
				searchBudget.reset();
				for (const r of rows) {
					const labels = { connector_id: String(r.id) };
					searchesToday.set(labels, r.today);
					if (r.budget !== null) searchBudget.set(labels, r.budget);
				}
			},
			failed() {
				searchesToday.reset();
				searchBudget.reset();
			}
		},
		{
			name: 'job_runs',
			async run(ctx) {
				const rows = await ctx.db.execute<{ job: string; status: string; n: number }>(sql`
					select job, status, count(*)::int as n from job_runs
					where status in (${list([...FINISHED_RUN_STATUSES, 'queued', 'running'])})
					group by job, status`);
				jobRuns.set(
					rows
						.filter((r) => (FINISHED_RUN_STATUSES as readonly string[]).includes(r.status))
						.map((r) => ({ labels: { job: r.job, status: r.status }, value: r.n })),
					() => true
				);
				jobRunsRunning.reset();
				const running = new Map<string, number>();
				for (const r of rows) {
					running.set(r.job, running.get(r.job) ?? 0);
					if (r.status === 'queued' || r.status === 'running') {
						running.set(r.job, running.get(r.job)! + r.n);
					}
				}
				for (const [job, n] of running) jobRunsRunning.set({ job }, n);
			},
			failed: () => jobRunsRunning.reset()
		},
		{
			name: 'notification_deliveries',
			async run(ctx) {
				const rows = await ctx.db.execute<{ channel_id: number; status: string; n: number }>(sql`
					select channel_id, status, count(*)::int as n from notification_deliveries
					group by channel_id, status`);
				deliveries.set(
					rows.map((r) => ({
						labels: { channel_id: String(r.channel_id), status: r.status },
						value: r.n
					})),
					channelAlive(ctx)
				);
			},
			failed: () => undefined
		},
		{
			name: 'events',
			async run(ctx) {
				// events_type_created_idx. An episode event names every episode of one series
				// (`subject.episodeIds`); a movie event is one movie.
				const items = await ctx.db.execute<{
					connector_id: number;
					type: string;
					kind: string;
					n: number;
				}>(sql`
					select connector_id, type, coalesce(payload ->> 'kind', 'unknown') as kind,
					       sum(coalesce(jsonb_array_length(subject -> 'episodeIds'), 1))::int as n
					from events
					where type in ('item.acquired', 'item.upgraded') and connector_id is not null
					group by connector_id, type, kind`);
				const commands = await ctx.db.execute<{
					connector_id: number;
					type: string;
					command: string;
					outcome: string | null;
					n: number;
				}>(sql`
					select connector_id, type, payload ->> 'command' as command,
					       case when type = 'search.completed' then payload ->> 'outcome' end as outcome,
					       count(*)::int as n
					from events
					where type in ('search.sent', 'search.completed') and connector_id is not null
					  and payload ->> 'command' in (${list(SEARCH_COMMANDS)})
					group by connector_id, type, command, outcome`);
				const alive = connectorAlive(ctx);
				const of = (type: string) =>
					items
						.filter((r) => r.type === type)
						.map((r) => ({
							labels: { connector_id: String(r.connector_id), kind: r.kind },
							value: r.n
						}));
				acquisitions.set(of('item.acquired'), alive);
				upgrades.set(of('item.upgraded'), alive);
				commandsSent.set(
					commands
						.filter((r) => r.type === 'search.sent')
						.map((r) => ({
							labels: { connector_id: String(r.connector_id), command: r.command },
							value: r.n
						})),
					alive
				);
				commandsFinished.set(
					commands
						.filter(
							(r) =>
								r.type === 'search.completed' &&
								(SEARCH_OUTCOMES as readonly (string | null)[]).includes(r.outcome)
						)
						.map((r) => ({
							labels: {
								connector_id: String(r.connector_id),
								command: r.command,
								outcome: r.outcome!
							},
							value: r.n
						})),
					alive
				);
			},
			failed: () => undefined
		},
		{
			name: 'sync_runs',
			async run(ctx) {
				const totals = await ctx.db.execute<{
					connector_id: number;
					mode: string;
					status: string;
					n: number;
					rows_written: number;
					ms: number;
				}>(sql`
					select connector_id, mode, status, count(*)::int as n,
					       coalesce(sum(rows_written), 0)::bigint as rows_written,
					       coalesce(sum(duration_ms), 0)::bigint as ms
					from sync_runs where finished_at is not null
					group by connector_id, mode, status`);
				// sync_runs_connector_started_idx: the newest finished run of each connector and mode.
				const last = await ctx.db.execute<{
					connector_id: number;
					mode: string;
					status: string;
					duration_ms: number | null;
					rows_written: number;
					finished_at: string | Date;
				}>(sql`
					select c.id as connector_id, m.mode, r.status, r.duration_ms, r.rows_written,
					       r.finished_at
					from connectors c
					cross join (values ('full'), ('incremental')) as m(mode)
					join lateral (
						select status, duration_ms, rows_written, finished_at from sync_runs
						where connector_id = c.id and mode = m.mode and finished_at is not null
						order by started_at desc limit 1
					) r on true`);
				const alive = connectorAlive(ctx);
				syncRuns.set(
					totals.map((r) => ({
						labels: { connector_id: String(r.connector_id), mode: r.mode, status: r.status },
						value: r.n
					})),
					alive
				);
				const byMode = new Map<string, { labels: Labels; rows: number; ms: number }>();
				for (const r of totals) {
					const key = `${r.connector_id}:${r.mode}`;
					const entry = byMode.get(key) ?? {
						labels: { connector_id: String(r.connector_id), mode: r.mode },
						rows: 0,
						ms: 0
					};
					entry.rows += Number(r.rows_written);
					entry.ms += Number(r.ms);
					byMode.set(key, entry);
				}
				const entries = [...byMode.values()];
				syncRows.set(
					entries.map((e) => ({ labels: e.labels, value: e.rows })),
					alive
				);
				syncSeconds.set(
					entries.map((e) => ({ labels: e.labels, value: e.ms / 1000 })),
					alive
				);
				for (const g of [syncLastDuration, syncLastRows, syncLastFinished, syncLastSuccess]) {
					g.reset();
				}
				for (const r of last) {
					const labels = { connector_id: String(r.connector_id), mode: r.mode };
					if (r.duration_ms !== null) syncLastDuration.set(labels, r.duration_ms / 1000);
					syncLastRows.set(labels, r.rows_written);
					syncLastFinished.set(labels, new Date(r.finished_at).getTime() / 1000);
					syncLastSuccess.set(labels, r.status === 'failed' ? 0 : 1);
				}
			},
			failed() {
				for (const g of [syncLastDuration, syncLastRows, syncLastFinished, syncLastSuccess]) {
					g.reset();
				}
			}
		}
	];

	return {
		metrics: [
			connectorInfo,
			connectorHealth,
			channelInfo,
			queueDepth,
			queueSearches,
			registryItems,
			searchesToday,
			searchBudget,
			jobRunsRunning,
			jobRuns.metric,
			deliveries.metric,
			acquisitions.metric,
			upgrades.metric,
			commandsSent.metric,
			commandsFinished.metric,
			syncRuns.metric,
			syncRows.metric,
			syncSeconds.metric,
			syncLastDuration,
			syncLastRows,
			syncLastFinished,
			syncLastSuccess
		],
		inventory: inventoryCollector({ connectorInfo, connectorHealth, channelInfo }),
		collectors
	};
}

/**
 * The connectors and channels (the info metrics and the health state). Runs before the others,
 * which read `ctx.connectors` / `ctx.channels` from it.
 */
function inventoryCollector(metrics: {
	connectorInfo: Gauge<'connector_id' | 'connector' | 'type' | 'enabled'>;
	connectorHealth: Gauge<'connector_id' | 'state'>;
	channelInfo: Gauge<'channel_id' | 'channel' | 'type' | 'enabled'>;
}): Collector {
	const { connectorInfo, connectorHealth, channelInfo } = metrics;
	return {
		name: 'inventory',
		async run(ctx) {
			const [connectorRows, channelRows] = await Promise.all([
				ctx.db.execute<{
					id: number;
					name: string;
					type: string;
					enabled: boolean;
					health: string;
				}>(sql`select id, name, type, enabled, health from connectors order by id`),
				ctx.db.execute<{ id: number; name: string; type: string; enabled: boolean }>(
					sql`select id, name, type, enabled from notification_channels order by id`
				)
			]);
			connectorInfo.reset();
			connectorHealth.reset();
			channelInfo.reset();
			for (const c of connectorRows) {
				const id = String(c.id);
				connectorInfo.set(
					{ connector_id: id, connector: c.name, type: c.type, enabled: String(c.enabled) },
					1
				);
				for (const state of HEALTH_STATES) {
					connectorHealth.set({ connector_id: id, state }, c.health === state ? 1 : 0);
				}
			}
			for (const c of channelRows) {
				channelInfo.set(
					{ channel_id: String(c.id), channel: c.name, type: c.type, enabled: String(c.enabled) },
					1
				);
			}
			ctx.connectors = connectorRows.map((c) => ({ id: c.id, type: c.type }));
			ctx.channels = channelRows.map((c) => ({ id: c.id }));
		},
		failed() {
			connectorInfo.reset();
			connectorHealth.reset();
			channelInfo.reset();
		}
	};
}
