/**
 * Prometheus `/metrics` against a real PostgreSQL, the *arr simulator and Prometheus' own
 * `promtool check metrics` (Debian package `prometheus`): activity is produced the way the app
 * produces it (syncs and sweeps as job runs, dispatch and command tracking, a request that fails,
 * a failed job, notification deliveries), then the scrape is linted by promtool and every metric
 * of issue 12 §4 is compared with what the database and the simulator hold.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { closedPort, startHttpReceiver, type HttpReceiver } from '../helpers/receivers';
import { setDb } from '../../src/lib/server/db';
import {
	notificationChannels,
	throttleProfiles,
	type Connector,
	type NotificationChannelRow
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { createSession } from '../../src/lib/server/auth/session';
import { SESSION_COOKIE } from '../../src/lib/server/auth/session';
import { createUser } from '../../src/lib/server/auth/users';
import { parseAllowedHosts } from '../../src/lib/server/http/allowed-hosts';
import { createGuardHandle } from '../../src/lib/server/http/guard';
import { startJob } from '../../src/lib/server/services/jobs';
import { startSweep, startSync } from '../../src/lib/server/services/connector-jobs';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { trackCommands } from '../../src/lib/server/services/queue/command-tracker';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { zonedDayStart } from '../../src/lib/server/time/day-start';
import { getSettings } from '../../src/lib/server/services/settings/settings-service';
import {
	sealSecrets,
	splitConfig
} from '../../src/lib/server/services/notifications/channel-config';
import { attemptDelivery, testMessage } from '../../src/lib/server/services/notifications';
import { arrRequestMetrics } from '../../src/lib/server/services/metrics/arr-requests';
import {
	DROPPED_DEFAULT_METRICS,
	processMetrics
} from '../../src/lib/server/services/metrics/process';
import {
	createMetricsRegistry,
	METRICS_CONTENT_TYPE
} from '../../src/lib/server/services/metrics/registry';
import {
	metricsStatus,
	readMetricsToken,
	reloadMetricsToken
} from '../../src/lib/server/services/metrics/token';
import { runReloaders } from '../../src/lib/server/reload';
import { GET } from '../../src/routes/metrics/+server';
import { load as aboutLoad } from '../../src/routes/(app)/settings/about/+page.server';

const world = useWorld();
let receiver: HttpReceiver;

beforeAll(() => {
	receiver = startHttpReceiver();
	// As at start-up (registry.ts `startMetrics`): the event-loop monitor samples from now on.
	processMetrics();
});
afterAll(async () => {
	await receiver.close();
});
beforeEach(() => {
	receiver.reset();
	reloadMetricsToken({});
});

// ---------------------------------------------------------------------------------------------
// The text exposition format, read back.

interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

function parse(text: string): Sample[] {
	const samples: Sample[] = [];
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#')) continue;
		const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
		if (!match) throw new Error(`unreadable line: ${line}`);
		const labels: Record<string, string> = {};
		for (const m of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
			labels[m[1]!] = m[2]!;
		}
		samples.push({ name: match[1]!, labels, value: Number(match[4]) });
	}
	return samples;
}

class Scrape {
	readonly samples: Sample[];
	constructor(readonly text: string) {
		this.samples = parse(text);
	}

	/** Samples of `name` whose labels include `labels`. */
	find(name: string, labels: Record<string, string> = {}): Sample[] {
		return this.samples.filter(
			(s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
		);
	}

	/** The sum over the samples `find` returns (0 when none). */
	sum(name: string, labels: Record<string, string> = {}): number {
		return this.find(name, labels).reduce((total, s) => total + s.value, 0);
	}

	/** True when the exposition declares `name` (HELP and TYPE). */
	declares(name: string): boolean {
		return this.text.includes(`# HELP ${name} `) && this.text.includes(`# TYPE ${name} `);
	}
}

async function scrapeNow(
	registry = createMetricsRegistry({ db: world.db, clock: () => new Date() })
) {
	return new Scrape(await registry.scrape());
}

/** Runs `promtool check metrics` on the text (stdin) and returns its exit code and output. */
async function promtool(text: string): Promise<{ code: number; output: string }> {
	const proc = Bun.spawn(['promtool', 'check', 'metrics'], {
		stdin: new TextEncoder().encode(text),
		stdout: 'pipe',
		stderr: 'pipe'
	});
	const [stdout, stderr, code] = await Promise.all([
		new Response(proc.stdout).text(),
		new Response(proc.stderr).text(),
		proc.exited
	]);
	return { code, output: (stdout + stderr).trim() };
}

// ---------------------------------------------------------------------------------------------
// Producing activity the way the app does.

const deps = () => ({ db: world.db, secrets: world.secrets });

async function syncNow(connector: Connector, mode: 'full' | 'incremental' = 'full') {
	const started = await startSync(deps(), connector, { mode });
	const report = await started.report;
	if (!report) throw new Error('the sync did not start');
	return report;
}

async function sweepNow(connector: Connector) {
	const started = await startSweep(deps(), connector, 'both');
	await started.result;
}

async function dispatchAndTrack(connector: Connector) {
	const profile = await profileFor(world.db, connector);
	const client = clientFor(connector, world.secrets);
	await dispatchConnector({ db: world.db, connector, client, profile });
	for (let i = 0; i < 200; i++) {
		await trackCommands({ db: world.db, connector, client, profile });
		const [open] = await world.db.execute<{ n: number }>(sql`
			select count(*)::int as n from request_queue
			where connector_id = ${connector.id} and status in ('sending', 'sent')`);
		if (open!.n === 0) return;
		await Bun.sleep(20);
	}
	throw new Error('commands did not finish');
}

async function addChannel(name: string, url: string): Promise<NotificationChannelRow> {
	const { config, secrets } = splitConfig('webhook', { url, secret: 'hmac secret' });
	const [row] = await world.db
		.insert(notificationChannels)
		.values({
			type: 'webhook',
			name,
			config,
			secretsEncrypted: sealSecrets(secrets, world.secrets),
			batchWindowSeconds: 0
		})
		.returning();
	return row!;
}

async function count(query: ReturnType<typeof sql>): Promise<number> {
	const [row] = await world.db.execute<{ n: number }>(query);
	return Number(row!.n);
}

/** The issue's list (§4), as the metric names that carry it. */
const LISTED = [
	// sync duration and rows written
	'comradarr_sync_last_duration_seconds',
	'comradarr_sync_duration_seconds_total',
	'comradarr_sync_last_rows_written',
	'comradarr_sync_rows_written_total',
	'comradarr_sync_runs_total',
	// queue depth per connector and state
	'comradarr_request_queue_depth',
	'comradarr_search_registry_items',
	// commands sent by name and outcome
	'comradarr_commands_sent_total',
	'comradarr_commands_finished_total',
	// acquisitions and upgrades
	'comradarr_acquisitions_total',
	'comradarr_upgrades_total',
	// searches today vs budget
	'comradarr_searches_today',
	'comradarr_searches_daily_budget',
	// *arr request latency histogram and errors per connector and status
	'comradarr_arr_request_duration_seconds',
	'comradarr_arr_request_errors_total',
	// job runs and failures per job
	'comradarr_job_runs_total',
	// notification deliveries per channel and status
	'comradarr_notification_deliveries_total',
	// process metrics
	'comradarr_process_cpu_seconds_total',
	'comradarr_process_resident_memory_bytes',
	'comradarr_process_start_time_seconds',
	'comradarr_nodejs_eventloop_lag_seconds',
	'comradarr_nodejs_heap_size_used_bytes'
];

describe('the scrape', () => {
	it('passes promtool and carries every listed metric with the values the database and the simulator hold', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const radarr = await world.addConnector('/radarr');
		// The connection tests of createConnector ran without a connector id: not recorded.
		world.sim.clearRequests();
		arrRequestMetrics().reset();
		await world.db
			.update(throttleProfiles)
			.set({ maxCommandsPerWindow: 6, maxInFlight: 100, dailySearchBudget: 5000 })
			.where(eq(throttleProfiles.name, 'Moderate'));

		for (const connector of [sonarr, radarr]) await syncNow(connector);
		for (const connector of [sonarr, radarr]) await sweepNow(connector);
		await dispatchAndTrack(radarr);
		// The simulator gave some searched movies a file: the next sync sees them acquired.
		const lacking = await count(sql`
			select count(*)::int as n from movies where connector_id = ${radarr.id} and not has_file`);
		await syncNow(radarr, 'incremental');
		const acquired =
			lacking -
			(await count(sql`
				select count(*)::int as n from movies where connector_id = ${radarr.id} and not has_file`));
		expect(acquired).toBeGreaterThan(0);

		// A request that fails: the app answers 500 (three attempts: the first and two retries).
		world.sim.instance('/sonarr').setFault('/api/v3/health', { status: 500, times: 3 });
		await expect(
			clientFor(sonarr, world.secrets, { backoffBaseMs: 1 }).getHealth()
		).rejects.toThrow();
		// A job that fails.
		const failing = await startJob({
			db: world.db,
			job: 'test.failing',
			run: () => Promise.reject(new Error('on purpose'))
		});
		expect((await failing.done).status).toBe('failed');
		// Notification deliveries: one delivered, one to a closed port.
		const good = await addChannel('Receiver', `${receiver.url}/hook`);
		const bad = await addChannel('Nowhere', `http://127.0.0.1:${await closedPort()}/hook`);
		for (const channel of [good, bad]) {
			await attemptDelivery(world.db, world.secrets, channel, testMessage(channel.name), {
				outboxId: null,
				attempt: 1,
				eventType: 'test',
				timeoutMs: 2000
			});
		}

		const scrape = await scrapeNow();
		const lint = await promtool(scrape.text);
		expect(lint, lint.output).toEqual({ code: 0, output: '' });

		for (const name of LISTED) expect(scrape.declares(name), name).toBe(true);
		for (const line of scrape.text.split('\n').filter((l) => l.startsWith('# TYPE '))) {
			const name = line.split(' ')[2]!;
			expect(scrape.text, `HELP of ${name}`).toMatch(new RegExp(`# HELP ${name} \\S`));
		}
		for (const dropped of DROPPED_DEFAULT_METRICS) {
			expect(scrape.declares(`comradarr_${dropped}`), dropped).toBe(false);
		}

		const ids = { sonarr: String(sonarr.id), radarr: String(radarr.id) };
		expect(scrape.find('comradarr_connector_info', { connector_id: ids.radarr })).toEqual([
			{
				name: 'comradarr_connector_info',
				labels: {
					connector_id: ids.radarr,
					connector: radarr.name,
					type: 'radarr',
					enabled: 'true'
				},
				value: 1
			}
		]);

		// Queue depth per connector and state: exactly the live rows of the request queue (finished
		// ones are history, not depth), a series for each connector and state.
		expect(
			scrape
				.find('comradarr_request_queue_depth')
				.map((s) => `${s.labels.connector_id}:${s.labels.state}`)
				.sort()
		).toEqual(
			[ids.sonarr, ids.radarr]
				.flatMap((id) => ['pending', 'sending', 'sent'].map((st) => `${id}:${st}`))
				.sort()
		);
		for (const [key, connector] of Object.entries({ sonarr, radarr })) {
			const id = ids[key as keyof typeof ids];
			for (const state of ['pending', 'sending', 'sent']) {
				const rows = await count(sql`
					select count(*)::int as n from request_queue
					where connector_id = ${connector.id} and status = ${state}`);
				expect(
					scrape.sum('comradarr_request_queue_depth', { connector_id: id, state }),
					state
				).toBe(rows);
			}
		}
		expect(
			scrape.sum('comradarr_request_queue_depth', { connector_id: ids.sonarr, state: 'pending' })
		).toBeGreaterThan(0);
		expect(scrape.sum('comradarr_search_registry_items')).toBe(
			await count(sql`select count(*)::int as n from search_registry`)
		);
		expect(
			scrape.sum('comradarr_search_registry_items', {
				connector_id: ids.radarr,
				search_type: 'gap',
				state: 'cooldown'
			})
		).toBe(
			await count(sql`
				select count(*)::int as n from search_registry
				where connector_id = ${radarr.id} and search_type = 'gap' and state = 'cooldown'`)
		);

		// Commands sent: what the simulator received; finished: what the history holds.
		const posts = world.sim.requests.filter(
			(r) => r.instance === '/radarr' && r.method === 'POST' && r.path === '/api/v3/command'
		);
		expect(posts.length).toBe(6);
		expect(scrape.sum('comradarr_commands_sent_total', { connector_id: ids.radarr })).toBe(
			posts.length
		);
		expect(
			scrape.sum('comradarr_commands_sent_total', {
				connector_id: ids.radarr,
				command: 'MoviesSearch'
			})
		).toBe(posts.length);
		expect(scrape.sum('comradarr_commands_sent_total', { connector_id: ids.sonarr })).toBe(0);
		for (const outcome of ['completed', 'failed', 'unknown']) {
			expect(
				scrape.sum('comradarr_commands_finished_total', { connector_id: ids.radarr, outcome }),
				outcome
			).toBe(
				await count(sql`
					select count(*)::int as n from search_history
					where connector_id = ${radarr.id} and outcome = ${outcome}`)
			);
		}
		expect(scrape.sum('comradarr_commands_finished_total')).toBe(posts.length);

		// Acquisitions: the movies that gained a file.
		expect(
			scrape.sum('comradarr_acquisitions_total', { connector_id: ids.radarr, kind: 'movie' })
		).toBe(acquired);
		expect(scrape.declares('comradarr_upgrades_total')).toBe(true);

		// Searches today vs budget.
		const { general } = await getSettings(world.db);
		const dayStart = zonedDayStart(new Date(), general.timeZone).toISOString();
		const today = await count(sql`
			select coalesce(sum(search_count), 0)::int as n from request_queue
			where connector_id = ${radarr.id} and claimed_at >= ${dayStart}::timestamptz`);
		expect(today).toBeGreaterThan(0);
		expect(scrape.sum('comradarr_searches_today', { connector_id: ids.radarr })).toBe(today);
		expect(scrape.sum('comradarr_searches_today', { connector_id: ids.sonarr })).toBe(0);
		expect(scrape.sum('comradarr_searches_daily_budget', { connector_id: ids.radarr })).toBe(5000);

		// *arr requests: every attempt the simulator answered, and the three 500s.
		for (const [base, id] of [
			['/sonarr', ids.sonarr],
			['/radarr', ids.radarr]
		] as const) {
			const received = world.sim.requests.filter((r) => r.instance === base);
			expect(
				scrape.sum('comradarr_arr_request_duration_seconds_count', { connector_id: id }),
				base
			).toBe(received.length);
			expect(
				scrape.sum('comradarr_arr_request_duration_seconds_bucket', {
					connector_id: id,
					le: '+Inf'
				})
			).toBe(received.length);
		}
		expect(
			scrape.find('comradarr_arr_request_errors_total').map((s) => [s.labels, s.value])
		).toEqual([[{ connector_id: ids.sonarr, status: '500' }, 3]]);
		expect(
			scrape.sum('comradarr_arr_request_duration_seconds_sum', { connector_id: ids.radarr })
		).toBeGreaterThan(0);

		// Job runs and failures per job.
		expect(scrape.sum('comradarr_job_runs_total', { job: 'sync.full', status: 'success' })).toBe(2);
		expect(
			scrape.sum('comradarr_job_runs_total', { job: 'sync.incremental', status: 'success' })
		).toBe(1);
		expect(scrape.sum('comradarr_job_runs_total', { job: 'sweep', status: 'success' })).toBe(2);
		expect(scrape.sum('comradarr_job_runs_total', { job: 'test.failing', status: 'failed' })).toBe(
			1
		);
		expect(scrape.sum('comradarr_job_runs_total')).toBe(
			await count(sql`select count(*)::int as n from job_runs`)
		);

		// Notification deliveries per channel and status.
		expect(
			scrape.find('comradarr_notification_deliveries_total').map((s) => [s.labels, s.value])
		).toEqual([
			[{ channel_id: String(good.id), status: 'sent' }, 1],
			[{ channel_id: String(bad.id), status: 'failed' }, 1]
		]);
		expect(receiver.requests).toHaveLength(1);

		// Sync duration and rows written: the last runs' own figures.
		const [last] = await world.db.execute<{ duration_ms: number; rows_written: number }>(sql`
			select duration_ms, rows_written from sync_runs
			where connector_id = ${radarr.id} and mode = 'full' order by started_at desc limit 1`);
		const labels = { connector_id: ids.radarr, mode: 'full' };
		expect(scrape.sum('comradarr_sync_last_duration_seconds', labels)).toBeCloseTo(
			last!.duration_ms / 1000,
			6
		);
		expect(scrape.sum('comradarr_sync_last_rows_written', labels)).toBe(last!.rows_written);
		expect(last!.rows_written).toBeGreaterThan(150);
		expect(scrape.sum('comradarr_sync_rows_written_total', { connector_id: ids.radarr })).toBe(
			await count(sql`
				select sum(rows_written)::int as n from sync_runs where connector_id = ${radarr.id}`)
		);
		expect(scrape.sum('comradarr_sync_runs_total', { connector_id: ids.radarr })).toBe(2);
		expect(scrape.sum('comradarr_sync_last_success', labels)).toBe(1);

		// Process metrics that mean something under Bun.
		expect(scrape.sum('comradarr_process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
		expect(scrape.sum('comradarr_process_cpu_seconds_total')).toBeGreaterThan(0);
		expect(scrape.sum('comradarr_nodejs_heap_size_used_bytes')).toBeGreaterThan(2 ** 20);
		expect(scrape.sum('comradarr_nodejs_external_memory_bytes')).toBeGreaterThan(0);
		const lagMax = scrape.sum('comradarr_nodejs_eventloop_lag_max_seconds');
		expect(lagMax).toBeGreaterThan(0);
		expect(lagMax).toBeLessThan(60);
		expect(scrape.sum('comradarr_nodejs_eventloop_lag_min_seconds')).toBeLessThanOrEqual(lagMax);
		expect(Number.isFinite(scrape.sum('comradarr_nodejs_eventloop_lag_mean_seconds'))).toBe(true);
		const started = scrape.sum('comradarr_process_start_time_seconds');
		expect(Math.abs(started - Date.now() / 1000)).toBeLessThan(3600);
		expect(scrape.find('comradarr_build_info')[0]?.labels.bun_version).toBe(Bun.version);

		// Every collector succeeded.
		const collectors = scrape.find('comradarr_metrics_collector_success');
		expect(collectors.length).toBeGreaterThanOrEqual(8);
		expect(collectors.filter((s) => s.value !== 1)).toEqual([]);
	});

	it('answers with the rest when one collector fails', async () => {
		await world.addConnector('/radarr');
		await world.db.execute(sql`alter table sync_runs rename to sync_runs_away`);
		let scrape: Scrape;
		try {
			scrape = await scrapeNow();
		} finally {
			await world.db.execute(sql`alter table sync_runs_away rename to sync_runs`);
		}
		expect(scrape.sum('comradarr_metrics_collector_success', { collector: 'sync_runs' })).toBe(0);
		expect(scrape.sum('comradarr_metrics_collector_success', { collector: 'request_queue' })).toBe(
			1
		);
		expect(scrape.find('comradarr_request_queue_depth')).toHaveLength(3);
		expect(scrape.find('comradarr_sync_last_rows_written')).toEqual([]);
		expect((await promtool(scrape.text)).code).toBe(0);
	});

	it('gives up on a collector whose query waits, and never starts it twice meanwhile', async () => {
		await world.addConnector('/radarr');
		const registry = createMetricsRegistry({
			db: world.db,
			clock: () => new Date(),
			collectorTimeoutMs: 300
		});
		let release!: () => void;
		let locked!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const lockTaken = new Promise<void>((resolve) => (locked = resolve));
		const holder = world.db.transaction(async (tx) => {
			await tx.execute(sql`lock table sync_runs in access exclusive mode`);
			locked();
			await gate;
		});
		const waiting = () =>
			count(sql`
				select count(*)::int as n from pg_stat_activity
				where wait_event_type = 'Lock' and query like '%from sync_runs%'`);
		try {
			await lockTaken;
			const first = await scrapeNow(registry);
			expect(first.sum('comradarr_metrics_collector_success', { collector: 'sync_runs' })).toBe(0);
			expect(first.sum('comradarr_metrics_collector_success', { collector: 'request_queue' })).toBe(
				1
			);
			expect(first.find('comradarr_request_queue_depth')).toHaveLength(3);
			const second = await scrapeNow(registry);
			expect(second.sum('comradarr_metrics_collector_success', { collector: 'sync_runs' })).toBe(0);
			expect(await waiting()).toBe(1);
		} finally {
			release();
			await holder;
		}
		await Bun.sleep(50);
		const after = await scrapeNow(registry);
		expect(after.sum('comradarr_metrics_collector_success', { collector: 'sync_runs' })).toBe(1);
	});

	it('drops the series of a deleted connector', async () => {
		const radarr = await world.addConnector('/radarr');
		const sonarr = await world.addConnector('/sonarr');
		const registry = createMetricsRegistry({ db: world.db, clock: () => new Date() });
		await syncNow(radarr);
		const id = String(radarr.id);
		const before = await scrapeNow(registry);
		expect(before.find('comradarr_connector_info', { connector_id: id })).toHaveLength(1);
		expect(
			before.sum('comradarr_arr_request_duration_seconds_count', { connector_id: id })
		).toBeGreaterThan(0);
		expect(before.find('comradarr_sync_runs_total', { connector_id: id })).toHaveLength(1);
		await world.db.execute(sql`delete from connectors where id = ${radarr.id}`);
		const after = await scrapeNow(registry);
		expect(after.samples.filter((s) => s.labels.connector_id === id)).toEqual([]);
		expect(
			after.find('comradarr_connector_info', { connector_id: String(sonarr.id) })
		).toHaveLength(1);
	});

	it('never lets a counter fall when Prune deletes the rows it counts', async () => {
		const registry = createMetricsRegistry({ db: world.db, clock: () => new Date() });
		const run = async () =>
			(await startJob({ db: world.db, job: 'test.counted', run: () => Promise.resolve() })).done;
		for (let i = 0; i < 3; i++) await run();
		expect(
			(await scrapeNow(registry)).sum('comradarr_job_runs_total', { job: 'test.counted' })
		).toBe(3);
		await world.db.execute(sql`delete from job_runs where id in (select id from job_runs limit 2)`);
		expect(
			(await scrapeNow(registry)).sum('comradarr_job_runs_total', { job: 'test.counted' })
		).toBe(3);
		await run();
		expect(
			(await scrapeNow(registry)).sum('comradarr_job_runs_total', { job: 'test.counted' })
		).toBe(4);
	});
});

// ---------------------------------------------------------------------------------------------
// Who may scrape: the guard in front of the route, as the server runs them.

const HOSTS = parseAllowedHosts('comradarr.lan');
const TOKEN = 'a-metrics-token-of-32-characters';

async function request(
	headers: Record<string, string> = {},
	options: { routeId?: string | null; path?: string; cookie?: string } = {}
): Promise<Response> {
	const url = `http://comradarr.lan${options.path ?? '/metrics'}`;
	const cookies = new Map(options.cookie ? [[SESSION_COOKIE, options.cookie]] : []);
	const event = {
		url: new URL(url),
		request: new Request(url, { headers: { host: 'comradarr.lan', ...headers } }),
		cookies: {
			get: (name: string) => cookies.get(name),
			getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
			set: () => undefined,
			delete: () => undefined,
			serialize: (name: string, value: string) => `${name}=${value}`
		},
		locals: {},
		route: { id: options.routeId === undefined ? '/metrics' : options.routeId },
		isDataRequest: false,
		isRemoteRequest: false,
		getClientAddress: () => '192.0.2.10'
	} as unknown as RequestEvent;
	const handle = createGuardHandle({ db: () => world.db, hostPolicy: () => HOSTS });
	return handle({
		event,
		resolve: async (e) => (await GET(e as Parameters<typeof GET>[0])) as Response
	});
}

async function signIn(): Promise<string> {
	const user = await createUser(world.db, { username: 'admin', password: 'password1' });
	const session = await createSession(world.db, user.id, {
		address: '127.0.0.1',
		userAgent: 'vitest'
	});
	return session.token;
}

async function errorOf(response: Response) {
	return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('access to /metrics', () => {
	beforeEach(() => setDb(world.db));

	it('is off without a token: 404 for a signed-in user, 401 for the anonymous with or without a bearer', async () => {
		const cookie = await signIn();
		const signedIn = await request({}, { cookie });
		expect(signedIn.status).toBe(404);
		expect(await errorOf(signedIn)).toMatchObject({ code: 'metrics.disabled' });
		// No token is valid while off: a bearer gets what a wrong token gets while on.
		const bearer = await request({ authorization: `Bearer ${TOKEN}` });
		expect(bearer.status).toBe(401);
		expect((await errorOf(bearer)).code).toBe('metrics.unauthorized');
		const anonymous = await request();
		expect(anonymous.status).toBe(401);
		expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
		expect(await errorOf(anonymous)).toMatchObject({ code: 'metrics.unauthorized' });
		expect(metricsStatus()).toEqual({
			enabled: false,
			reason: 'METRICS_TOKEN is not set (nor METRICS_TOKEN_FILE): /metrics answers 404.'
		});
	});

	it('answers the bearer of the token, or a signed-in user, and refuses a wrong token with 401', async () => {
		expect(reloadMetricsToken({ METRICS_TOKEN: TOKEN })).toEqual([
			'metrics turned on (METRICS_TOKEN)'
		]);
		const good = await request({ authorization: `Bearer ${TOKEN}` });
		expect(good.status).toBe(200);
		expect(good.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
		const text = await good.text();
		expect(text).toContain('# TYPE comradarr_request_queue_depth gauge');
		expect((await promtool(text)).code).toBe(0);

		for (const authorization of [
			`Bearer ${TOKEN}x`,
			`Bearer ${TOKEN.slice(0, -1)}`,
			// Same length, one character off.
			`Bearer b${TOKEN.slice(1)}`,
			`Basic ${btoa(`admin:${TOKEN}`)}`,
			'Bearer',
			TOKEN
		]) {
			const refused = await request({ authorization });
			expect(refused.status, authorization).toBe(401);
			expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
			expect((await errorOf(refused)).code).toBe('metrics.unauthorized');
		}
		expect((await request()).status).toBe(401);

		const cookie = await signIn();
		expect((await request({}, { cookie })).status).toBe(200);
		// A present Authorization header is the only credential considered.
		expect(
			(await request({ authorization: 'Bearer wrong-token-wrong-token' }, { cookie })).status
		).toBe(401);
		// The percent-encoded spelling is the same route with the same rule.
		expect((await request({}, { path: '/%6detrics' })).status).toBe(401);
	});

	it('reads METRICS_TOKEN_FILE, reloads on SIGHUP without naming the token, and says why it is off', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'metrics-token-'));
		try {
			const file = path.join(dir, 'token');
			writeFileSync(file, `${TOKEN}\n`);
			const results = await runReloaders({ METRICS_TOKEN_FILE: file });
			expect(results.find((r) => r.name === 'metrics-token')).toEqual({
				name: 'metrics-token',
				changed: ['metrics turned on (METRICS_TOKEN_FILE)']
			});
			expect((await request({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);

			const next = 'another-token-another-token-1234';
			writeFileSync(file, next);
			const changed = reloadMetricsToken({ METRICS_TOKEN_FILE: file });
			expect(changed).toEqual(['metrics token changed']);
			expect(JSON.stringify(changed)).not.toContain(next);
			expect((await request({ authorization: `Bearer ${TOKEN}` })).status).toBe(401);
			expect((await request({ authorization: `Bearer ${next}` })).status).toBe(200);
			expect(reloadMetricsToken({ METRICS_TOKEN_FILE: file })).toEqual([]);

			expect(readMetricsToken({ METRICS_TOKEN: 'short' })).toEqual({
				enabled: false,
				reason: 'METRICS_TOKEN is shorter than 16 characters: /metrics stays off.'
			});
			expect(readMetricsToken({ METRICS_TOKEN_FILE: path.join(dir, 'missing') })).toMatchObject({
				enabled: false,
				reason: expect.stringContaining('cannot be read (ENOENT)')
			});
			const off = reloadMetricsToken({ METRICS_TOKEN_FILE: path.join(dir, 'missing') });
			expect(off).toEqual([expect.stringMatching(/^metrics turned off: METRICS_TOKEN_FILE /)]);
			expect((await request({ authorization: `Bearer ${next}` })).status).toBe(401);

			// Settings → About shows the state and the reason.
			const about = await aboutLoad();
			expect(about.metrics).toMatchObject({
				enabled: false,
				reason: expect.stringContaining('missing')
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
