/**
 * Sync benchmark (issue 8 "Performance"): full reconciliation and incremental sync of a large
 * Sonarr and Radarr, with the simulator in its own process (tests/bench/sync-sim.ts) so the peak
 * RSS measured here is the syncing process's alone.
 *
 *   bun tests/bench/sync.ts [--series 5000] [--seasons 5] [--episodes 20] [--movies 50000]
 *                           [--concurrency 4] [--only sonarr|radarr] [--append]
 *
 * Steps: a plain client fetching the same responses with the same concurrency (the floor), the
 * full sync of Sonarr into an empty mirror and again over the current mirror (ratios to the floor
 * printed), a no-change incremental sync, 1 % of the
 * episodes changed in the app then an incremental sync (rows written vs rows changed), then the
 * full and no-change incremental sync of Radarr. `--append` adds the table to RESULTS.md.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a scratch database `comradarr_bench_sync` is created there), else
 * an embedded one in a temporary folder.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import {
	createConnector,
	getConnector
} from '../../src/lib/server/services/connectors/connector-service';
import { clientFor } from '../../src/lib/server/connectors';
import { Limiter } from '../../src/lib/server/connectors/common/http';
import { syncConnector, type SyncReport } from '../../src/lib/server/services/sync/sync-service';
import type { Connector, SyncMode } from '../../src/lib/server/db/schema';
import { benchDatabase } from './database';
import { appendResults } from './library';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '5000' },
		seasons: { type: 'string', default: '5' },
		episodes: { type: 'string', default: '20' },
		movies: { type: 'string', default: '50000' },
		concurrency: { type: 'string', default: '4' },
		only: { type: 'string' },
		append: { type: 'boolean', default: false }
	},
	strict: false
});
const seriesCount = Number(values.series);
const movieCount = Number(values.movies);
const concurrency = Number(values.concurrency);
const SONARR_KEY = 'a'.repeat(32);
const RADARR_KEY = 'b'.repeat(32);

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Peak RSS of this process while `task` runs (sampled every 50 ms). */
async function measured<T>(
	task: () => Promise<T>
): Promise<{ value: T; ms: number; peak: number }> {
	let peak = process.memoryUsage.rss();
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage.rss());
	}, 50);
	const started = performance.now();
	try {
		const value = await task();
		peak = Math.max(peak, process.memoryUsage.rss());
		return { value, ms: performance.now() - started, peak };
	} finally {
		clearInterval(timer);
	}
}

// ---- the simulator process -------------------------------------------------------------------

type SimAnswer = Record<string, unknown>;
let pendingAnswer: ((m: SimAnswer) => void) | null = null;
const ready = Promise.withResolvers<{ url: string; episodes: number }>();
const child = Bun.spawn(['bun', path.resolve('tests/bench/sync-sim.ts')], {
	env: {
		...process.env,
		BENCH_SERIES: String(seriesCount),
		BENCH_SEASONS: String(values.seasons),
		BENCH_EPISODES: String(values.episodes),
		BENCH_MOVIES: String(movieCount)
	},
	stdout: 'inherit',
	stderr: 'inherit',
	ipc(message: SimAnswer) {
		if (message.ready) ready.resolve(message as unknown as { url: string; episodes: number });
		else pendingAnswer?.(message);
	}
});
const ask = (message: SimAnswer): Promise<SimAnswer> =>
	new Promise((resolve) => {
		pendingAnswer = resolve;
		child.send(message);
	});

const generated = await measured(() => ready.promise);
const { url, episodes: episodeCount } = generated.value;
console.log(
	`simulator (pid ${child.pid}): ${seriesCount} series, ${episodeCount} episodes, ${movieCount} movies in ${secs(generated.ms)}`
);

// ---- database and connectors -----------------------------------------------------------------

const pg = await benchDatabase('comradarr_bench_sync');
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const [{ version: pgVersion } = { version: '?' }] = await db.execute<{ version: string }>(
	sql`select split_part(version(), ' on ', 1) as version`
);
const secrets = createSecretBox('bench');
async function connector(type: 'sonarr' | 'radarr', base: string, key: string): Promise<Connector> {
	const view = await createConnector(db, secrets, {
		type,
		name: type,
		url: `${url.replace(/\/$/, '')}${base}`,
		apiKey: key
	});
	return getConnector(db, view.id);
}
const sonarr = await connector('sonarr', '/sonarr', SONARR_KEY);
const radarr = await connector('radarr', '/radarr', RADARR_KEY);

// ---- the floor: a plain client ---------------------------------------------------------------

/** GET /series, then episode + episodefile of every series, `concurrency` series at once, 4 in flight. */
async function plainFetch(): Promise<number> {
	const base = `${url.replace(/\/$/, '')}/sonarr`;
	const headers = { 'X-Api-Key': SONARR_KEY };
	const limiter = new Limiter(4);
	const get = (p: string) =>
		limiter.run(async () => {
			const res = await fetch(`${base}${p}`, { headers });
			return res.text();
		});
	const list = JSON.parse(await get('/api/v3/series')) as { id: number }[];
	const ids = list.map((s) => s.id);
	let next = 0;
	let requests = 1;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < ids.length) {
				const id = ids[next++]!;
				await Promise.all([
					get(`/api/v3/episode?seriesId=${id}`),
					get(`/api/v3/episodefile?seriesId=${id}`)
				]);
				requests += 2;
			}
		})
	);
	return requests;
}

async function runSync(c: Connector, mode: SyncMode) {
	const fresh = await getConnector(db, c.id);
	return measured(() =>
		syncConnector({
			db,
			connector: fresh,
			client: clientFor(fresh, secrets),
			mode,
			seriesConcurrency: concurrency
		})
	);
}

interface Row {
	step: string;
	ms: number;
	requests: number;
	rowsWritten: number | string;
	peak: number;
	note: string;
}
const rows: Row[] = [];
const record = (step: string, r: { value: SyncReport; ms: number; peak: number }, note = '') => {
	const row = {
		step,
		ms: r.ms,
		requests: r.value.requests,
		rowsWritten: r.value.rowsWritten,
		peak: r.peak,
		note: `${r.value.status}${note ? `; ${note}` : ''}`
	};
	rows.push(row);
	console.log(
		`${step.padEnd(36)} ${secs(row.ms).padStart(8)}  ${String(row.requests).padStart(6)} req  ${String(row.rowsWritten).padStart(7)} rows  peak rss ${mb(row.peak)}  ${row.note}`
	);
};

/** The Radarr floor: GET /movie read to its end, nothing parsed. */
async function plainMovies(): Promise<number> {
	const res = await fetch(`${url.replace(/\/$/, '')}/radarr/api/v3/movie`, {
		headers: { 'X-Api-Key': RADARR_KEY }
	});
	await res.arrayBuffer();
	return 1;
}

if (values.only !== 'radarr') {
	const floor = await measured(plainFetch);
	rows.push({
		step: 'plain client fetch (floor)',
		ms: floor.ms,
		requests: floor.value,
		rowsWritten: '–',
		peak: floor.peak,
		note: ''
	});
	console.log(
		`plain client fetch (floor)           ${secs(floor.ms).padStart(8)}  ${floor.value} req`
	);

	const full = await runSync(sonarr, 'full');
	record(
		'sonarr full reconciliation',
		full,
		`${full.value.added} added; ${(full.ms / floor.ms).toFixed(2)}× the floor`
	);
	const again = await runSync(sonarr, 'full');
	record(
		'sonarr full reconciliation, mirror current',
		again,
		`${(again.ms / floor.ms).toFixed(2)}× the floor`
	);
	const idle = await runSync(sonarr, 'incremental');
	record('sonarr incremental, nothing changed', idle);

	const changed = (await ask({ op: 'change', share: 0.01 })) as {
		episodes: number;
		seasons: number;
	};
	const onePct = await runSync(sonarr, 'incremental');
	record(
		'sonarr incremental after 1 % changed',
		onePct,
		`changed in the app: ${changed.episodes} episodes + ${changed.seasons} seasons = ${changed.episodes + changed.seasons} rows; updated ${onePct.value.updated} items`
	);
}

if (values.only !== 'sonarr') {
	const movieFloor = await measured(plainMovies);
	rows.push({
		step: 'radarr plain client fetch (floor)',
		ms: movieFloor.ms,
		requests: movieFloor.value,
		rowsWritten: '–',
		peak: movieFloor.peak,
		note: ''
	});
	console.log(`radarr plain client fetch (floor)    ${secs(movieFloor.ms).padStart(8)}  1 req`);
	const movieFull = await runSync(radarr, 'full');
	record('radarr full reconciliation', movieFull, `${movieFull.value.added} added`);
	const movieIdle = await runSync(radarr, 'incremental');
	record('radarr incremental, nothing changed', movieIdle);
}

const cpu = os.cpus();
const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 / 1024)} MB RAM, Bun ${Bun.version}, ${pgVersion}${pg.embedded ? ' (embedded)' : ' (external)'}`;
const load = os
	.loadavg()
	.map((l) => l.toFixed(2))
	.join(' / ');
console.log(`\n${machine}; load average ${load}`);

if (values.append) {
	const commit = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD']).stdout.toString().trim();
	const date = new Date().toISOString().slice(0, 10);
	const table = [
		'| step | duration | requests | rows written | peak RSS (syncing process) | notes |',
		'| ---- | -------- | -------- | ------------ | -------------------------- | ----- |',
		...rows.map(
			(r) =>
				`| ${r.step} | ${secs(r.ms)} | ${r.requests} | ${r.rowsWritten} | ${mb(r.peak)} | ${r.note} |`
		)
	];
	appendResults(
		`\n## Sync — ${date}, commit ${commit}\n\n${machine}. Load average after the run ${load} (2 cores shared with other sessions). Library: ${seriesCount} series × ${values.seasons} seasons × ${values.episodes} episodes = ${episodeCount} episodes, ${movieCount} movies; series concurrency ${concurrency}, 4 requests in flight (\`bun tests/bench/sync.ts --series ${seriesCount} --seasons ${values.seasons} --episodes ${values.episodes} --movies ${movieCount}\`).\n\n${table.join('\n')}\n`
	);
}

child.kill();
await db.$client.close();
await pg.stop();
process.exit(0);
