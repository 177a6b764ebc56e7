/**
 * Benchmarks (not part of `npm test`): sync, sweep and dispatch of large simulated libraries.
 * Prints figures; asserts nothing.
 *
 *   bun tests/bench/run.ts [--series 1000] [--movies 5000]
 *
 * PostgreSQL: BENCH_DATABASE_URL (a server where a scratch database may be created), else an
 * embedded one in a temporary folder.
 *
 * The sync benchmark of issue 8 (full and incremental sync against a plain-fetch floor, the
 * simulator in its own process, peak RSS of the syncing process) is `bun run bench:sync`
 * (tests/bench/sync.ts); backup and restore is tests/bench/backup.ts.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { startSimulator } from '../arr-sim';
import { openDatabase } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import {
	createConnector,
	getConnector
} from '../../src/lib/server/services/connectors/connector-service';
import { syncOne, sweepOne, cycleOne } from '../../src/lib/server/services/operations';
import { countWanted } from '../../src/lib/server/services/discovery/discovery-service';
import { benchDatabase } from './database';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '1000' },
		movies: { type: 'string', default: '5000' }
	},
	strict: false
});
const seriesCount = Number(values.series);
const movieCount = Number(values.movies);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const time = async <T>(label: string, task: () => Promise<T>): Promise<T> => {
	const started = performance.now();
	const result = await task();
	console.log(
		`${label.padEnd(34)} ${(performance.now() - started).toFixed(0).padStart(7)} ms   rss ${mb(process.memoryUsage().rss)}`
	);
	return result;
};

const pg = await benchDatabase('comradarr_bench');
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const secrets = createSecretBox('bench');
const sim = await time(`generate ${seriesCount} series, ${movieCount} movies`, () =>
	startSimulator({
		instances: [
			{
				type: 'sonarr',
				urlBase: '/sonarr',
				apiKey: 'a'.repeat(32),
				series: seriesCount,
				commandDurationMs: 10
			},
			{
				type: 'radarr',
				urlBase: '/radarr',
				apiKey: 'b'.repeat(32),
				movies: movieCount,
				commandDurationMs: 10
			}
		]
	})
);
const runtime = { db, secrets };
const sonarr = await getConnector(
	db,
	(
		await createConnector(db, secrets, {
			type: 'sonarr',
			name: 'Sonarr',
			url: sim.instance('/sonarr').baseUrl,
			apiKey: 'a'.repeat(32)
		})
	).id
);
const radarr = await getConnector(
	db,
	(
		await createConnector(db, secrets, {
			type: 'radarr',
			name: 'Radarr',
			url: sim.instance('/radarr').baseUrl,
			apiKey: 'b'.repeat(32)
		})
	).id
);

const episodes = sim.instance('/sonarr').episodes.length;
const first = await time(`sync sonarr (${seriesCount} series, ${episodes} episodes)`, () =>
	syncOne(runtime, sonarr)
);
await time('sync sonarr again (no changes)', () => syncOne(runtime, sonarr));
await time(`sync radarr (${movieCount} movies)`, () => syncOne(runtime, radarr));
await time('sweep sonarr (gaps + upgrades)', () => sweepOne(runtime, sonarr, 'both'));
await time('sweep radarr (gaps + upgrades)', () => sweepOne(runtime, radarr, 'both'));
await time('sweep sonarr again', () => sweepOne(runtime, sonarr, 'both'));
const wanted = await time('count wanted (sonarr)', () =>
	countWanted(db, sonarr.id, 'series', new Date())
);
await time('dispatcher cycle (both)', async () =>
	Promise.all([
		cycleOne(runtime, await getConnector(db, sonarr.id)),
		cycleOne(runtime, await getConnector(db, radarr.id))
	])
);
const [registry] = await db.execute<{ n: number }>(
	sql`select count(*)::int as n from search_registry`
);
console.log(
	`\nsonarr: ${first.episodeCount} episodes, ${wanted.gaps} gaps, ${wanted.upgrades} upgrade candidates; registry rows ${registry?.n}`
);
console.log(`peak rss ${mb(process.memoryUsage().rss)}`);

await sim.stop();
await db.$client.close();
await pg.stop();
