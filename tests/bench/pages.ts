/**
 * Page read-model benchmark (issue 11 §9 and "Done when"): what a `/dashboard` load reads, over
 * the shared bench library (tests/bench/library.ts: a swept Sonarr of `series × seasons ×
 * episodes` episodes and a Radarr of `--movies` movies) with a realistic history around it —
 * `--events` domain events (half of them `search.sent`, which the feed skips), two years of daily
 * roll-ups per connector, `--runs-history` finished job runs and one running, and two sweep
 * schedules per connector.
 *
 *   bun tests/bench/pages.ts [--series 10000] [--seasons 5] [--episodes 10] [--gaps 50000]
 *                            [--upgrades 20000] [--movies 50000] [--events 200000]
 *                            [--runs-history 20000] [--runs 30] [--append]
 *
 * Each read model runs `--runs` times after one warm-up run; p50 / p95 / max are printed.
 * Target: p95 ≤ 100 ms for the whole page load. `--append` records the table in
 * tests/bench/RESULTS.md.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a scratch database is created there), else an embedded one.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { connectors } from '../../src/lib/server/db/schema';
import { connectorStats } from '../../src/lib/server/db/queries/stats';
import { toResources } from '../../src/lib/server/api/v1';
import { jobStatuses } from '../../src/lib/server/scheduler';
import { getPauseState } from '../../src/lib/server/services/queue/queue-admin';
import {
	activityFeed,
	connectorTrends,
	dashboardOverview,
	libraryCompletion,
	liveJobs,
	upcomingSweeps
} from '../../src/lib/server/services/dashboard';
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
		events: { type: 'string', default: '200000' },
		'runs-history': { type: 'string', default: '20000' },
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
const EVENTS = Number(values.events);
const JOB_RUNS = Number(values['runs-history']);
const RUNS = Math.max(1, Number(values.runs));
const NOW = new Date('2026-06-01T12:00:00Z');
const TZ = 'UTC';

const pg = await benchDatabase(`comradarr_bench_pages_${process.pid}`);
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const t0 = performance.now();
const library = await seedBenchLibrary(db, shape, MOVIES, NOW);
const { sonarr, radarr } = library;
// The mirror writes full seasons' statistics; make them say what the episodes say (as a sync
// would), so the completion shown is the library's.
await db.execute(sql`
	update seasons n set episode_file_count = c.files
	from (select series_id, season_number, count(*) filter (where has_file)::int as files
	      from episodes group by series_id, season_number) c
	where c.series_id = n.series_id and c.season_number = n.season_number`);
// History: events of every kind the feed reads (and as many search.sent, which it skips), two
// years of daily roll-ups, finished job runs and one running sync, two schedules a connector.
await db.execute(sql`
	insert into events (type, connector_id, subject, payload, created_at)
	select case g % 8
			when 0 then 'search.completed' when 1 then 'item.acquired' when 2 then 'sweep.completed'
			when 3 then 'connector.health_changed' else 'search.sent' end,
		case when g % 2 = 0 then ${sonarr.id} else ${radarr.id} end,
		case
			when g % 8 = 1 and g % 2 = 0 then jsonb_build_object('seriesId',
				(select min(id) from series) + g % ${shape.series}, 'episodeIds',
				jsonb_build_array((select min(id) from episodes) + g % ${library.episodes}))
			when g % 8 = 1 then jsonb_build_object('movieId', (select min(id) from movies) + g % ${MOVIES})
			when g % 2 = 0 then jsonb_build_object('arrEpisodeIds', jsonb_build_array(1 + g % ${library.episodes}))
			else jsonb_build_object('arrMovieIds', jsonb_build_array(1 + g % ${MOVIES}))
		end,
		jsonb_build_object('label', 'Item ' || g, 'outcome', 'completed', 'kind',
			case when g % 2 = 0 then 'episode' else 'movie' end, 'title', 'Title ' || g,
			'gaps', g % 100, 'upgrades', g % 10, 'queuedSearches', g % 7,
			'from', 'healthy', 'to', 'degraded'),
		${NOW.toISOString()}::timestamptz - make_interval(secs => ${EVENTS} - g)
	from generate_series(1, ${EVENTS}) g`);
await db.execute(sql`
	insert into analytics_daily (connector_id, day, items_total, items_complete, grabs,
		searches_finished, searches_sent)
	select c.id, (${NOW.toISOString()}::timestamptz - make_interval(days => d))::date,
		100000, 90000 + (730 - d) * 10, d % 20, 40 + d % 13, 50
	from connectors c cross join generate_series(0, 729) d`);
await db.execute(sql`
	insert into job_runs (job, status, trigger, connector_id, created_at, started_at, finished_at)
	select case g % 4 when 0 then 'sync.incremental' when 1 then 'sweep' when 2 then 'dispatch'
			else 'health' end,
		'success', 'schedule', case when g % 4 < 2 then ${sonarr.id} end,
		${NOW.toISOString()}::timestamptz - make_interval(mins => g),
		${NOW.toISOString()}::timestamptz - make_interval(mins => g),
		${NOW.toISOString()}::timestamptz - make_interval(mins => g) + interval '5 seconds'
	from generate_series(1, ${JOB_RUNS}) g`);
await db.execute(sql`
	insert into job_runs (job, status, trigger, connector_id, phase, done, total, progress, message,
		created_at, started_at)
	values ('sync.full', 'running', 'manual', ${radarr.id}, 'movies', 20000, ${MOVIES}, 0.4,
		'Reading movies', ${NOW.toISOString()}::timestamptz, ${NOW.toISOString()}::timestamptz)`);
await db.execute(sql`
	insert into sweep_schedules (connector_id, sweep_type, cron, timezone)
	select c.id, t, case t when 'gaps' then '5 * * * *' else '30 3 * * *' end, 'UTC'
	from connectors c cross join (values ('gaps'), ('upgrades')) v(t)`);
await db.execute(sql`analyze`);
console.log(
	`mirror: ${library.episodes} episodes (${library.gaps} gaps, ${library.upgrades} upgrades), ${MOVIES} movies, swept; ${EVENTS} events, ${JOB_RUNS} job runs, 730 days of roll-ups; written in ${((performance.now() - t0) / 1000).toFixed(1)} s`
);

const list = await db.select().from(connectors).orderBy(connectors.name, connectors.id);
/** What the dashboard's `load` reads (src/routes/(app)/dashboard/+page.server.ts). */
async function dashboardLoad() {
	const pauses = await getPauseState(db, NOW);
	const [resources, jobs, overview] = await Promise.all([
		toResources(db, list, NOW),
		jobStatuses(db),
		dashboardOverview(db, { now: NOW, timeZone: TZ })
	]);
	return { pauses, resources, jobs, overview };
}

const stats = await connectorStats(db, NOW, TZ);
const completion = await libraryCompletion(db);
const trends = await connectorTrends(db, { now: NOW, timeZone: TZ });
const feed = await activityFeed(db);
const upcoming = await upcomingSweeps(db, NOW);
const running = await liveJobs(db);
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

const steps: Timing[] = [];
steps.push(
	await measure(
		'connector numbers (dashboard, connector list)',
		`gaps ${[...stats.values()].map((s) => s.gaps).join(' + ')}, upgrades ${[...stats.values()].map((s) => s.upgrades).join(' + ')}, queued ${[...stats.values()].map((s) => s.queued).join(' + ')}`,
		RUNS,
		() => connectorStats(db, NOW, TZ)
	),
	await measure(
		'completion rings (season statistics, movie flags)',
		[...completion.values()].map((c) => `${pct(c.ratio)} of ${c.total} ${c.unit}`).join(', '),
		RUNS,
		() => libraryCompletion(db)
	),
	await measure(
		'30-day trends (analytics_daily)',
		`${[...trends.values()].map((t) => t.points.length).join(' + ')} points of 730 days a connector`,
		RUNS,
		() => connectorTrends(db, { now: NOW, timeZone: TZ })
	),
	await measure(
		'activity feed, first page',
		`${feed.entries.length} entries of ${EVENTS} events (half search.sent, skipped)`,
		RUNS,
		() => activityFeed(db)
	),
	await measure(
		'activity feed, page 50 (cursor)',
		'20 entries before the 1,000th newest shown event',
		RUNS,
		async () => {
			const [row] = await db.execute<{ id: number }>(sql`
				select id from events where type <> 'search.sent' order by id desc offset 1000 limit 1`);
			return activityFeed(db, { before: row?.id });
		}
	),
	await measure(
		'upcoming sweeps and running jobs',
		`${upcoming.length} sweeps, ${running.length} running of ${JOB_RUNS + 1} runs`,
		RUNS,
		() => Promise.all([upcomingSweeps(db, NOW), liveJobs(db)])
	),
	await measure(
		'/dashboard load (everything above, pauses, job schedules)',
		'what +page.server.ts reads, concurrently as it does',
		RUNS,
		dashboardLoad
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
	appendResults(
		`\n## Dashboard read models — ${new Date().toISOString().slice(0, 10)}, commit ${commitHash()}\n\n${await machineLine(db, pg.embedded)}. Mirror: ${library.episodes} episodes, ${library.gaps} gaps, ${library.upgrades} upgrade candidates, ${MOVIES} movies; ${EVENTS} events, ${JOB_RUNS} job runs, 730 days of roll-ups per connector; ${RUNS} runs each (\`bun tests/bench/pages.ts --series ${shape.series} --seasons ${shape.seasons} --episodes ${shape.episodes} --gaps ${shape.gaps} --upgrades ${shape.upgrades} --movies ${MOVIES} --events ${EVENTS} --runs-history ${JOB_RUNS}\`).\n\n${table.join('\n')}\n`
	);
}

await db.$client.close();
await pg.stop();
process.exit(0);
