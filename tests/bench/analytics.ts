/**
 * Analytics benchmark (issue 11 "Done when"): `/analytics`'s read model (services/analytics/
 * read-model.ts `getAnalytics`, what the page load and `GET /api/v1/analytics` run) over two years
 * of daily roll-ups for four connectors, a month of search history and the large mirror of
 * tests/bench/library.ts; also one CSV export and one run of the roll-up job.
 *
 *   bun tests/bench/analytics.ts [--series 10000] [--seasons 5] [--episodes 10] [--gaps 50000]
 *                                [--upgrades 20000] [--movies 50000] [--history 20000]
 *                                [--runs 30] [--append]
 *
 * Each read runs `--runs` times after one warm-up run; p50 / p95 / max are printed.
 * Target: p95 ≤ 200 ms. `--append` records the table in tests/bench/RESULTS.md. With
 * BENCH_PROFILE=1 each query of the read model is also timed on its own (printed only).
 *
 * PostgreSQL: BENCH_DATABASE_URL (a scratch database is created there), else an embedded one.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { connectors } from '../../src/lib/server/db/schema';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { getAnalytics } from '../../src/lib/server/services/analytics/read-model';
import { analyticsCsv } from '../../src/lib/server/services/analytics/export';
import { addDays, localDay, rollupJob } from '../../src/lib/server/services/analytics/rollup';
import { getSettings } from '../../src/lib/server/services/settings/settings-service';
import { benchDatabase } from './database';
import {
	commitHash,
	machineLine,
	measure,
	seedBenchLibrary,
	type Timing,
	appendResults
} from './library';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '10000' },
		seasons: { type: 'string', default: '5' },
		episodes: { type: 'string', default: '10' },
		gaps: { type: 'string', default: '50000' },
		upgrades: { type: 'string', default: '20000' },
		movies: { type: 'string', default: '50000' },
		history: { type: 'string', default: '20000' },
		runs: { type: 'string', default: '30' },
		append: { type: 'boolean', default: false }
	},
	strict: false
});
const shape = {
	series: Number(values.series),
	seasons: Number(values.seasons),
	episodes: Number(values.episodes),
	gaps: Number(values.gaps),
	upgrades: Number(values.upgrades)
};
const MOVIES = Number(values.movies);
const HISTORY = Number(values.history);
const RUNS = Math.max(1, Number(values.runs));
const NOW = new Date('2026-06-01T12:00:00Z');
const clock = () => NOW;

const pg = await benchDatabase(`comradarr_bench_analytics_${process.pid}`);
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const t0 = performance.now();
const library = await seedBenchLibrary(db, shape, MOVIES, NOW);
// Two more connectors without a mirror: four series of roll-ups to sum and compare.
await db.insert(connectors).values(
	(['Sonarr 4K', 'Radarr 4K'] as const).map((name, i) => ({
		type: i === 0 ? ('sonarr' as const) : ('radarr' as const),
		name,
		url: `http://127.0.0.1:1/extra${i}`,
		apiKeyEncrypted: 'v1:x:x:x',
		apiKeyHint: 'xxxx'
	}))
);
await db.update(connectors).set({ createdAt: new Date('2024-01-01T00:00:00Z') });
const { timeZone } = (await getSettings(db, NOW.getTime())).general;
const today = localDay(NOW, timeZone);

// Two years of roll-ups (the retention) for every connector.
await db.execute(sql`
	insert into analytics_daily (connector_id, day, gaps_found, upgrades_found, searches_sent,
		items_searched, grabs, searches_finished, acquisitions, upgrades, exhausted, queue_depth,
		gaps_open, upgrade_candidates, items_total, items_complete, arr_requests, arr_errors,
		arr_response_ms_avg, arr_response_ms_max)
	select c.id, d::date, (g % 40), (g % 15), 50 + g % 50, 120 + g % 90, g % 20, 45 + g % 50,
		g % 25, g % 9, g % 3, 100 + g % 300, 50000 - g, 20000 - g, 550000, 480000 + g * 10,
		2000 + g % 500, g % 30, 80 + (g % 70), 900 + g % 400
	from connectors c
	cross join generate_series(${addDays(today, -729)}::date, ${today}::date, interval '1 day')
		with ordinality as s(d, g)`);
// A month of search history over 2,000 labels (its retention), and search attempts on a fifth of
// the registry, some of them exhausted.
await db.execute(sql`
	insert into search_history (connector_id, command, search_type, search_count, label, payload,
		outcome, message, sent_at, finished_at, duration_ms)
	select ${library.sonarr.id}, 'EpisodeSearch', 'gap', 1, 'Series ' || (g % 2000) || ' — S01E01',
		'{"name":"EpisodeSearch","episodeIds":[1]}'::jsonb, 'completed',
		'Episode search completed. ' || (g % 3) || ' reports downloaded.',
		${NOW.toISOString()}::timestamptz - make_interval(mins => g * 2),
		${NOW.toISOString()}::timestamptz - make_interval(mins => g * 2 - 1), 60000
	from generate_series(1, ${HISTORY}) g`);
await db.execute(sql`
	update search_registry set attempts = 1 + id % 10,
		state = case when id % 10 = 9 then 'exhausted' else state end,
		last_searched_at = ${NOW.toISOString()}::timestamptz - make_interval(hours => id % 700)
	where id % 5 = 0`);
await db.execute(sql`analyze`);
console.log(
	`mirror: ${library.episodes} episodes (${library.gaps} gaps, ${library.upgrades} upgrades), ${MOVIES} movies; 4 connectors × 730 days of roll-ups; ${HISTORY} history entries; written in ${((performance.now() - t0) / 1000).toFixed(1)} s`
);

// The roll-up job counts the mirror's files by quality once (the page reads that count).
const job = await rollupJob({ db, clock });

const reads: [string, Record<string, string | number>][] = [
	['last 30 days (default), every connector', {}],
	['last 90 days, every connector', { from: addDays(today, -89), to: today }],
	[
		'last 90 days, the Sonarr',
		{ from: addDays(today, -89), to: today, connectorId: library.sonarr.id }
	],
	[
		'last 90 days, the Radarr',
		{ from: addDays(today, -89), to: today, connectorId: library.radarr.id }
	],
	['two years, every connector', { from: addDays(today, -729), to: today }]
];

const steps: Timing[] = [];
for (const [name, query] of reads) {
	const view = await getAnalytics({ db, clock }, query);
	steps.push(
		await measure(
			name,
			`${view.series.length} days, ${view.connectors.length} connectors, ${view.quality.length} qualities`,
			RUNS,
			() => getAnalytics({ db, clock }, query)
		)
	);
}
const ninety = { from: addDays(today, -89), to: today };
steps.push(
	await measure('CSV export, daily series, 90 days', 'one table', RUNS, () =>
		analyticsCsv({ db, clock }, ninety, 'daily')
	)
);
steps.push(
	await measure(
		'analytics.rollup job (yesterday and today, 4 connectors)',
		`${String(job.message)} Not a page: no target`,
		Math.min(RUNS, 5),
		() => rollupJob({ db, clock })
	)
);
if (process.env.BENCH_PROFILE) {
	const { dailySeries, connectorComparison, mostSearched, hardestToFind, qualityDistribution } =
		await import('../../src/lib/server/services/analytics/read-model');
	const r = { ...ninety, connectorId: library.sonarr.id };
	await measure('series', '', 5, () => dailySeries(db, r));
	await measure('connectors', '', 5, () => connectorComparison(db, r));
	await measure('most searched', '', 5, () => mostSearched(db, r, timeZone));
	await measure('hardest', '', 5, () => hardestToFind(db, r));
	await measure('quality', '', 5, () => qualityDistribution(db, r));
	await measure('settings', '', 5, () => getSettings(db, NOW.getTime()));
}

const table = [
	'| read | p50 | p95 | max | target | notes |',
	'| --- | --- | --- | --- | --- | --- |',
	...steps.map(
		(s) =>
			`| ${s.step} | ${s.p50.toFixed(1)} ms | ${s.p95.toFixed(1)} ms | ${s.max.toFixed(1)} ms | ${s.step.startsWith('analytics.rollup') ? '—' : 'p95 ≤ 200 ms'} | ${s.notes} |`
	)
];
console.log(`\n${table.join('\n')}`);

if (values.append) {
	appendResults(
		`\n## Analytics — ${new Date().toISOString().slice(0, 10)}, commit ${commitHash()}\n\n${await machineLine(db, pg.embedded)}. Mirror: ${library.episodes} episodes, ${library.gaps} gaps, ${library.upgrades} upgrade candidates, ${MOVIES} movies; 4 connectors × 730 days of roll-ups, ${HISTORY} search history entries; ${RUNS} runs each (\`bun tests/bench/analytics.ts --series ${shape.series} --seasons ${shape.seasons} --episodes ${shape.episodes} --gaps ${shape.gaps} --upgrades ${shape.upgrades} --movies ${MOVIES} --history ${HISTORY}\`).\n\n${table.join('\n')}\n`
	);
}

await db.$client.close();
await pg.stop();
process.exit(0);
