/**
 * The Prometheus registry behind `/metrics`: process metrics (process.ts), the *arr request
 * histogram and errors this process saw (arr-requests.ts), and the state read from PostgreSQL at
 * scrape time (collectors.ts), plus two metrics about the scrape itself:
 * `comradarr_metrics_collector_success{collector}` (1/0) and
 * `comradarr_metrics_collector_duration_seconds{collector}`.
 *
 * A scrape never throws because of a collector: each runs on its own, a failure is logged and
 * shows as success 0. A collector that takes longer than {@link COLLECTOR_TIMEOUT_MS} counts as
 * failed for that scrape, and is not started again until its query has returned (a struggling
 * database gets one query per collector, not one per scrape). Scrapes of one registry run one at
 * a time (the counters' bookkeeping in monotonic.ts reads and writes shared state).
 */
import { Gauge, Registry, type Metric } from 'prom-client';
import type { Database } from '../../db';
import { moduleLogger } from '../../logger';
import type { StartupHook } from '../../runtime';
import { arrRequestMetrics } from './arr-requests';
import { createDbCollectors, type Collector, type ScrapeContext } from './collectors';
import { processMetrics } from './process';
import './token';

const log = moduleLogger('metrics');

/** The text exposition format Prometheus scrapes (`text/plain; version=0.0.4; charset=utf-8`). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * A collector that has not finished after this long is reported failed for the scrape (its query
 * goes on; Prometheus' default scrape timeout is 10 s, Bun's idle timeout as well).
 */
export const COLLECTOR_TIMEOUT_MS = 5_000;

/** Collectors run at once in a scrape (each holds one pooled connection at a time). */
export const COLLECTOR_CONCURRENCY = 3;

export interface MetricsRegistry {
	readonly registry: Registry;
	/** Collects everything and renders it in the text exposition format. Never rejects. */
	scrape(): Promise<string>;
}

/**
 * Builds a registry over `db`.
 * @param deps.clock the time "today" is counted from (searches today)
 */
export function createMetricsRegistry(deps: {
	db: Database;
	clock: () => Date;
	/** Default {@link COLLECTOR_TIMEOUT_MS}. */
	collectorTimeoutMs?: number;
}): MetricsRegistry {
	const timeoutMs = deps.collectorTimeoutMs ?? COLLECTOR_TIMEOUT_MS;
	const registry = new Registry();
	const arr = arrRequestMetrics();
	const db = createDbCollectors();
	const success = new Gauge({
		name: 'comradarr_metrics_collector_success',
		help: '1 when the collector read its values from the database in this scrape, 0 when it failed (see the log).',
		labelNames: ['collector'] as const,
		registers: []
	});
	const duration = new Gauge({
		name: 'comradarr_metrics_collector_duration_seconds',
		help: 'How long the collector took in this scrape, seconds.',
		labelNames: ['collector'] as const,
		registers: []
	});
	const metrics: Metric[] = [
		...processMetrics(),
		arr.duration,
		arr.errors,
		...db.metrics,
		success,
		duration
	];
	for (const metric of metrics) registry.registerMetric(metric);

	/** Collectors whose run has not finished (one that timed out may still be waiting). */
	const running = new Set<string>();
	const runOne = async (collector: Collector, ctx: ScrapeContext) => {
		const started = performance.now();
		let timer: ReturnType<typeof setTimeout> | undefined;
		try {
			// A slow query is never started a second time while the first still waits.
			if (running.has(collector.name)) throw new Error('still running since an earlier scrape');
			running.add(collector.name);
			const work = collector.run(ctx).finally(() => running.delete(collector.name));
			const timeout = new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
			});
			await Promise.race([work, timeout]);
			success.set({ collector: collector.name }, 1);
		} catch (error) {
			collector.failed();
			success.set({ collector: collector.name }, 0);
			log.warn({ err: error, collector: collector.name }, 'metrics collector failed');
		} finally {
			clearTimeout(timer);
		}
		duration.set({ collector: collector.name }, (performance.now() - started) / 1000);
	};

	let queue: Promise<unknown> = Promise.resolve();
	const collect = async (): Promise<string> => {
		const ctx: ScrapeContext = { db: deps.db, now: deps.clock(), connectors: null, channels: null };
		await runOne(db.inventory, ctx);
		if (ctx.connectors) arr.retain(new Set(ctx.connectors.map((c) => c.id)));
		// A few at a time: a scrape must not take most of the pool (10) from the jobs.
		const pending = [...db.collectors];
		const worker = async () => {
			for (let next = pending.shift(); next; next = pending.shift()) await runOne(next, ctx);
		};
		await Promise.all(Array.from({ length: COLLECTOR_CONCURRENCY }, worker));
		try {
			return await registry.metrics();
		} catch (error) {
			// Only a metric's own collect() could throw here (none of ours do); answer the rest.
			log.error({ err: error }, 'rendering the metrics failed');
			return '';
		}
	};

	return {
		registry,
		scrape() {
			const next = queue.then(collect, collect);
			queue = next.catch(() => undefined);
			return next;
		}
	};
}

interface Holder {
	registry?: MetricsRegistry;
}

const holder: Holder = ((globalThis as { __comradarrMetrics?: Holder }).__comradarrMetrics ??= {});

/** The process's registry over the app's database (created on first use). */
export function appMetrics(db: Database): MetricsRegistry {
	holder.registry ??= createMetricsRegistry({ db, clock: () => new Date() });
	return holder.registry;
}

/**
 * A `StartupHook`: starts the process metrics and the *arr request listener at start-up (so the
 * first scrape sees what happened before it) and registers the token's SIGHUP reloader.
 */
export const startMetrics: StartupHook = async (runtime) => {
	appMetrics(runtime.db);
};
