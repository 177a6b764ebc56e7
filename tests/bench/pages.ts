/**
 * Page read-model benchmark (issue 11 "Fit and finish" §9): the numbers the dashboard and the
 * connector list show, over a large mirror — a Sonarr of `series × seasons × episodes` episodes
 * (tests/bench/mirror.ts) and a Radarr of `--movies` movies, with the registry and queue a sweep
 * leaves.
 *
 *   bun tests/bench/pages.ts [--series 10000] [--seasons 5] [--episodes 10] [--gaps 50000]
 *                            [--upgrades 20000] [--movies 50000] [--runs 30] [--append]
 *
 * Each read model runs `--runs` times after one warm-up run; p50 / p95 / max are printed.
 * Target: p95 ≤ 100 ms for what a page load reads.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a scratch database is created there), else an embedded one.
 */
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { connectors } from '../../src/lib/server/db/schema';
import { connectorStats } from '../../src/lib/server/db/queries/stats';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { benchDatabase } from './database';
import { seedEpisodeMirror } from './mirror';

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

const pg = await benchDatabase(`comradarr_bench_pages_${process.pid}`);
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);

// Connectors are inserted directly: nothing here talks to an app.
const [sonarr, radarr] = await db
	.insert(connectors)
	.values([
		{
			type: 'sonarr',
			name: 'Sonarr',
			url: 'http://127.0.0.1:1/sonarr',
			apiKeyEncrypted: 'v1:x:x:x',
			apiKeyHint: 'xxxx'
		},
		{
			type: 'radarr',
			name: 'Radarr',
			url: 'http://127.0.0.1:1/radarr',
			apiKeyEncrypted: 'v1:x:x:x',
			apiKeyHint: 'xxxx'
		}
	])
	.returning();
if (!sonarr || !radarr) throw new Error('connectors not created');

const t0 = performance.now();
const counts = await seedEpisodeMirror(db, sonarr.id, shape, NOW);
// Movies: a tenth missing, a twentieth below the cutoff, every one released a year ago or more.
await db.execute(sql`
	insert into movies (connector_id, arr_id, title, year, status, monitored, has_file, quality,
		quality_cutoff_not_met, is_available, release_date, added)
	select ${radarr.id}, g, 'Movie ' || g, 1980 + g % 45, 'released', true, g % 10 <> 0,
		case when g % 10 <> 0 then 'Bluray-1080p' end, g % 10 <> 0 and g % 20 = 1, true,
		${NOW.toISOString()}::timestamptz - make_interval(days => 365 + g % 5000),
		${NOW.toISOString()}::timestamptz - make_interval(days => 300)
	from generate_series(1, ${MOVIES}) g`);
await db.execute(sql`analyze`);
for (const connector of [sonarr, radarr]) {
	await runSweep({ db, connector, kind: 'both', clock: () => NOW });
}
console.log(
	`mirror: ${counts.episodes} episodes (${counts.gaps} gaps, ${counts.upgrades} upgrades), ${MOVIES} movies, swept; written in ${((performance.now() - t0) / 1000).toFixed(1)} s`
);

interface Step {
	step: string;
	p50: number;
	p95: number;
	max: number;
	notes: string;
}

/** Runs `read` once to warm up, then RUNS times; returns the timings' percentiles (ms). */
async function measure(step: string, notes: string, read: () => Promise<unknown>): Promise<Step> {
	await read();
	const ms: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const started = performance.now();
		await read();
		ms.push(performance.now() - started);
	}
	ms.sort((a, b) => a - b);
	const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] ?? 0;
	const result = { step, p50: at(0.5), p95: at(0.95), max: ms[ms.length - 1] ?? 0, notes };
	console.log(
		`${step}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`
	);
	return result;
}

const steps: Step[] = [];
const stats = await connectorStats(db, NOW, 'UTC');
steps.push(
	await measure(
		'connector numbers (dashboard, connector list)',
		`gaps ${[...stats.values()].map((s) => s.gaps).join(' + ')}, upgrades ${[...stats.values()].map((s) => s.upgrades).join(' + ')}, queued ${[...stats.values()].map((s) => s.queued).join(' + ')}`,
		() => connectorStats(db, NOW, 'UTC')
	)
);

const table = [
	'| read model | p50 | p95 | max | target | notes |',
	'| --- | --- | --- | --- | --- | --- |',
	...steps.map(
		(s) =>
			`| ${s.step} | ${s.p50.toFixed(1)} ms | ${s.p95.toFixed(1)} ms | ${s.max.toFixed(1)} ms | p95 ≤ 100 ms | ${s.notes} |`
	)
];
console.log(`\n${table.join('\n')}`);

if (values.append) {
	const cpu = os.cpus();
	const [v] = await db.execute<{ v: string }>(sql`select version() as v`);
	const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 / 1024)} MB RAM, Bun ${Bun.version}, ${(v?.v ?? '').split(' on ')[0]}${pg.embedded ? ' (embedded)' : ' (external)'}; load average ${os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ')}`;
	const commit = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD']).stdout.toString().trim();
	appendFileSync(
		path.resolve('tests/bench/RESULTS.md'),
		`\n## Page read models — ${new Date().toISOString().slice(0, 10)}, commit ${commit}\n\n${machine}. Mirror: ${counts.episodes} episodes, ${counts.gaps} gaps, ${counts.upgrades} upgrade candidates, ${MOVIES} movies; ${RUNS} runs each (\`bun tests/bench/pages.ts --series ${shape.series} --seasons ${shape.seasons} --episodes ${shape.episodes} --gaps ${shape.gaps} --upgrades ${shape.upgrades} --movies ${MOVIES}\`).\n\n${table.join('\n')}\n`
	);
}

await db.$client.close();
await pg.stop();
process.exit(0);
