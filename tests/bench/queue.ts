/**
 * Queue benchmark (issue 9 "Effectiveness and speed"): discovery + queue build over a large
 * mirror, and one dispatcher pass.
 *
 *   bun tests/bench/queue.ts [--series 10000] [--seasons 5] [--episodes 10] [--gaps 50000]
 *                            [--upgrades 20000] [--append]
 *
 * The mirror is written straight into PostgreSQL (generate_series; what a full sync would leave):
 * `series × seasons × episodes` episodes, all aired a year ago or more, with `--gaps` missing
 * (whole seasons, half seasons and single episodes, a third of the gaps each) and `--upgrades`
 * whose file is below the cutoff. The connector points at a one-series simulator, which accepts
 * the commands of the dispatcher pass (their ids are the mirror's, unknown to it).
 *
 * Steps, each timed:
 * - sweep into an empty registry (discovery inserts every wanted item, then the queue is built);
 * - sweep again with nothing changed (the steady state every scheduled sweep sees);
 * - one dispatcher pass (Moderate: up to 5 commands); its database time is the pass minus the
 *   time spent in the app's answers (`GET /api/v3/queue/status` for the backpressure check and
 *   `POST /api/v3/command`, measured around the real client's calls).
 * Targets: a sweep ≤ 2 s; a dispatcher pass ≤ 50 ms of database time.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a scratch database is created there), else an embedded one.
 */
import os from 'node:os';
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
import { clientFor, type ArrClient } from '../../src/lib/server/connectors';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { benchDatabase } from './database';
import { seedEpisodeMirror } from './mirror';
import { appendResults } from './library';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '10000' },
		seasons: { type: 'string', default: '5' },
		episodes: { type: 'string', default: '10' },
		gaps: { type: 'string', default: '50000' },
		upgrades: { type: 'string', default: '20000' },
		append: { type: 'boolean', default: false }
	},
	strict: false
});
const SERIES = Number(values.series);
const SEASONS = Number(values.seasons);
const EPISODES = Number(values.episodes);
const GAPS = Number(values.gaps);
const UPGRADES = Number(values.upgrades);
const KEY = 'q'.repeat(32);
const NOW = new Date('2026-06-01T12:00:00Z');

const pg = await benchDatabase(`comradarr_bench_queue_${process.pid}`);
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const sim = await startSimulator({
	instances: [{ type: 'sonarr', urlBase: '/sonarr', apiKey: KEY, series: 1, seed: 1 }]
});
const secrets = createSecretBox('bench');
const created = await createConnector(db, secrets, {
	type: 'sonarr',
	name: 'Sonarr',
	url: sim.instance('/sonarr').baseUrl,
	apiKey: KEY
});
const cid = created.id;

// ---- the mirror ---------------------------------------------------------------------------------
const t0 = performance.now();
const counts = await seedEpisodeMirror(
	db,
	cid,
	{ series: SERIES, seasons: SEASONS, episodes: EPISODES, gaps: GAPS, upgrades: UPGRADES },
	NOW
);
console.log(
	`mirror: ${counts.episodes} episodes, ${counts.gaps} gaps, ${counts.upgrades} upgrade candidates, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`
);

// ---- sweeps -------------------------------------------------------------------------------------
interface Step {
	step: string;
	ms: number;
	notes: string;
}
const steps: Step[] = [];
const clock = () => NOW;
for (const label of ['sweep into an empty registry', 'sweep, nothing changed']) {
	const connector = await getConnector(db, cid);
	const started = performance.now();
	const r = await runSweep({ db, connector, kind: 'both', clock });
	const ms = performance.now() - started;
	steps.push({
		step: label,
		ms,
		notes: `registry +${r.registryAdded} / −${r.registryRemoved}; ${r.queuedBatches} commands, ${r.queuedSearches} searches queued; ${r.wanted.gaps} gaps, ${r.wanted.upgrades} upgrades`
	});
	console.log(`${label}: ${(ms / 1000).toFixed(2)} s`);
}

// ---- one dispatcher pass ------------------------------------------------------------------------
const connector = await getConnector(db, cid);
const real = clientFor(connector, secrets);
let postMs = 0;
// The real client, with the time spent in its POST measured (not replaced).
const timed = new Proxy(real, {
	get(target, prop, receiver) {
		if (prop === 'postCommand') {
			return async (...args: Parameters<ArrClient['postCommand']>) => {
				const s = performance.now();
				try {
					return await target.postCommand(...args);
				} finally {
					postMs += performance.now() - s;
				}
			};
		}
		if (prop === 'getQueueStatus') {
			return async () => {
				const s = performance.now();
				try {
					return await target.getQueueStatus();
				} finally {
					postMs += performance.now() - s;
				}
			};
		}
		return Reflect.get(target, prop, receiver);
	}
}) as ArrClient;
const profile = await profileFor(db, connector);
const passStarted = performance.now();
const pass = await dispatchConnector({ db, connector, client: timed, profile, clock });
const passMs = performance.now() - passStarted;
steps.push({
	step: 'one dispatcher pass',
	ms: passMs - postMs,
	notes: `database time (pass ${passMs.toFixed(1)} ms − ${postMs.toFixed(1)} ms waiting for the app: queue/status and command POSTs); ${pass.sent} commands sent, stopped by ${pass.stoppedBy}`
});
console.log(
	`dispatcher pass: ${passMs.toFixed(1)} ms, of which POST ${postMs.toFixed(1)} ms; ${pass.sent} sent (${pass.stoppedBy})`
);

const table = [
	'| step | duration | target | notes |',
	'| --- | --- | --- | --- |',
	...steps.map(
		(s) =>
			`| ${s.step} | ${s.ms >= 1000 ? `${(s.ms / 1000).toFixed(2)} s` : `${s.ms.toFixed(1)} ms`} | ${s.step.startsWith('one') ? '≤ 50 ms' : '≤ 2 s'} | ${s.notes} |`
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
	appendResults(
		`\n## Queue build and dispatch — ${new Date().toISOString().slice(0, 10)}, commit ${commit}\n\n${machine}. Mirror: ${counts.episodes} episodes, ${counts.gaps} gaps, ${counts.upgrades} upgrade candidates (\`bun tests/bench/queue.ts --series ${SERIES} --seasons ${SEASONS} --episodes ${EPISODES} --gaps ${GAPS} --upgrades ${UPGRADES}\`).\n\n${table.join('\n')}\n`
	);
}

await sim.stop();
await db.$client.close();
await pg.stop();
process.exit(0);
