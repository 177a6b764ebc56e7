/**
 * Content browser benchmark (issue 11 "Done when"): `/content`'s read model — one page with its
 * total and per-status counts (services/content/content-browser.ts `listContent`) — for a set of
 * filters and sorts over a large mirror (tests/bench/library.ts).
 *
 *   bun tests/bench/content.ts [--series 10000] [--seasons 5] [--episodes 10] [--gaps 50000]
 *                              [--upgrades 20000] [--movies 50000] [--runs 30] [--append]
 *
 * Each query runs `--runs` times after one warm-up run; p50 / p95 / max are printed.
 * Target: p95 ≤ 100 ms. `--append` records the table in tests/bench/RESULTS.md.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a scratch database is created there), else an embedded one.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { listContent } from '../../src/lib/server/services/content/content-browser';
import { ContentQuerySchema } from '../../src/lib/schemas/content';
import { benchDatabase } from './database';
import {
	appendResults,
	commitHash,
	machineLine,
	measure,
	seedBenchLibrary,
	type Timing
} from './library';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '10000' },
		seasons: { type: 'string', default: '5' },
		episodes: { type: 'string', default: '10' },
		gaps: { type: 'string', default: '50000' },
		upgrades: { type: 'string', default: '20000' },
		movies: { type: 'string', default: '50000' },
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
const RUNS = Math.max(1, Number(values.runs));
const NOW = new Date('2026-06-01T12:00:00Z');

const pg = await benchDatabase(`comradarr_bench_content_${process.pid}`);
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const t0 = performance.now();
const library = await seedBenchLibrary(db, shape, MOVIES, NOW);
console.log(
	`mirror: ${library.episodes} episodes (${library.gaps} gaps, ${library.upgrades} upgrades), ${MOVIES} movies, swept; written in ${((performance.now() - t0) / 1000).toFixed(1)} s`
);

const [profile] = await db.execute<{ id: number }>(
	sql`select id from quality_profiles order by id limit 1`
);
const queries: Record<string, Record<string, string>> = {
	'everything, by title (first page)': {},
	'everything, by title, page 400': { page: '400' },
	'missing, by title': { status: 'missing' },
	'upgrade candidates, one connector, by wanted': {
		status: 'upgrade',
		connectorId: String(library.sonarr.id),
		sort: 'wanted'
	},
	'queued, by last searched': { status: 'queued', sort: 'last_searched' },
	'exhausted (none), by title': { status: 'exhausted' },
	'movies of one quality profile, by year': {
		kind: 'movie',
		profileId: String(profile?.id ?? 1),
		sort: 'year'
	},
	'movies with a tag, unmonitored': { kind: 'movie', tagId: '1', monitored: 'false' },
	'title search "glacer beacon" (typo), by relevance': { q: 'glacer beacon' },
	'title search "zoe" (accent), missing': { q: 'zoe', status: 'missing' },
	'everything, by wanted, 100 a page': { sort: 'wanted', pageSize: '100' }
};

const steps: Timing[] = [];
for (const [name, params] of Object.entries(queries)) {
	const query = v.parse(ContentQuerySchema, params);
	const page = await listContent(db, query);
	steps.push(
		await measure(name, `${page.total} rows, ${page.items.length} shown`, RUNS, () =>
			listContent(db, query)
		)
	);
}

const table = [
	'| query | p50 | p95 | max | target | notes |',
	'| --- | --- | --- | --- | --- | --- |',
	...steps.map(
		(s) =>
			`| ${s.step} | ${s.p50.toFixed(1)} ms | ${s.p95.toFixed(1)} ms | ${s.max.toFixed(1)} ms | p95 ≤ 100 ms | ${s.notes} |`
	)
];
console.log(`\n${table.join('\n')}`);

if (values.append) {
	appendResults(
		`\n## Content browser — ${new Date().toISOString().slice(0, 10)}, commit ${commitHash()}\n\n${await machineLine(db, pg.embedded)}. Mirror: ${library.episodes} episodes, ${library.gaps} gaps, ${library.upgrades} upgrade candidates, ${MOVIES} movies; ${RUNS} runs each (\`bun tests/bench/content.ts --series ${shape.series} --seasons ${shape.seasons} --episodes ${shape.episodes} --gaps ${shape.gaps} --upgrades ${shape.upgrades} --movies ${MOVIES}\`).\n\n${table.join('\n')}\n`
	);
}

await db.$client.close();
await pg.stop();
process.exit(0);
