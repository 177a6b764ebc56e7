/**
 * Benchmark (not part of `npm test`): backup and restore of a large simulated library, built the
 * way run.ts builds one (the *arr simulator, synced, swept and dispatched through the real
 * services). Prints per step the duration, the file size and this process's resident memory
 * (RSS) before the step and its peak during it (sampled every 10 ms); the simulator is gone and
 * garbage collected by then, so what remains is the app's own. Asserts only that the restored
 * database has the same rows. The built-in format always; pg_dump too where it fits the server
 * (pg_dump and pg_restore are child processes: their memory is not counted here).
 *
 *   bun tests/bench/backup.ts [--series 1000] [--movies 5000] [--append]
 *
 * `--append` adds the figures to tests/bench/RESULTS.md (date, commit, machine).
 * PostgreSQL: BENCH_DATABASE_URL (a server where a scratch database may be created), else an
 * embedded one in a temporary folder (PostgreSQL 18).
 */
import { execFileSync } from 'node:child_process';
import {
	appendFileSync,
	existsSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../arr-sim';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import {
	createConnector,
	getConnector
} from '../../src/lib/server/services/connectors/connector-service';
import { cycleOne, sweepOne, syncOne } from '../../src/lib/server/services/operations';
import { createBackup } from '../../src/lib/server/services/database/backup';
import { restoreJob } from '../../src/lib/server/services/database/restore';
import { findPgTools, serverVersion } from '../../src/lib/server/services/database/pg-tools';
import { startJob } from '../../src/lib/server/services/jobs';
import { benchDatabase } from './database';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '1000' },
		movies: { type: 'string', default: '5000' },
		append: { type: 'boolean', default: false }
	},
	strict: false
});
const seriesCount = Number(values.series);
const movieCount = Number(values.movies);
const MIGRATIONS = path.resolve('drizzle');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Runs `task`, sampling RSS every 10 ms; returns its result, duration and peak above the start. */
async function measure<T>(
	task: () => Promise<T>
): Promise<{ result: T; ms: number; startRss: number; peakRss: number }> {
	Bun.gc(true);
	const startRss = process.memoryUsage().rss;
	let peakRss = startRss;
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 10);
	const started = performance.now();
	try {
		const result = await task();
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
		return { result, ms: performance.now() - started, startRss, peakRss };
	} finally {
		clearInterval(sampler);
	}
}

async function counts(db: Database): Promise<Record<string, number>> {
	const tables = (await db.$client`
		select tablename as name from pg_tables
		where schemaname = 'public' and tablename <> 'job_runs' order by 1`) as { name: string }[];
	const out: Record<string, number> = {};
	for (const { name } of tables) {
		const [row] = (await db.$client.unsafe(`select count(*)::int as n from public."${name}"`)) as {
			n: number;
		}[];
		out[name] = row?.n ?? 0;
	}
	return out;
}

const pg = await benchDatabase('comradarr_bench_backup');
const db = await openDatabase(pg.url, { migrationsDir: MIGRATIONS });
await seedDefaults(db);
/**
 * Fills the database from a simulated library. The simulator lives only inside this function: once
 * it returns, its (large) library can be collected, so it does not weigh on the measurements.
 */
async function buildLibrary(): Promise<void> {
	const secrets = createSecretBox('bench');
	console.log(`building ${seriesCount} series, ${movieCount} movies …`);
	const sim = await startSimulator({
		instances: [
			{ type: 'sonarr', urlBase: '/sonarr', apiKey: 'a'.repeat(32), series: seriesCount },
			{ type: 'radarr', urlBase: '/radarr', apiKey: 'b'.repeat(32), movies: movieCount }
		]
	});
	const runtime = { db, secrets };
	for (const [type, urlBase, key] of [
		['sonarr', '/sonarr', 'a'],
		['radarr', '/radarr', 'b']
	] as const) {
		const view = await createConnector(db, secrets, {
			type,
			name: type,
			url: sim.instance(urlBase).baseUrl,
			apiKey: key.repeat(32)
		});
		const connector = await getConnector(db, view.id);
		await syncOne(runtime, connector);
		await sweepOne(runtime, connector, 'both');
		await cycleOne(runtime, await getConnector(db, view.id));
	}
	await sim.stop();
}
await buildLibrary();
Bun.gc(true);
const before = await counts(db);
const totalRows = Object.values(before).reduce((a, b) => a + b, 0);
const server = await serverVersion(db);
console.log(
	`library: ${before.episodes} episodes, ${before.movies} movies, ${before.search_registry} registry rows, ${totalRows} rows in all; PostgreSQL ${server.version}`
);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-bench-backups-'));
const formats = ['builtin', ...(findPgTools(server.major).tools ? ['pg_dump'] : [])] as const;
const lines: string[] = [];
for (const format of formats) {
	const env = { ...process.env, BACKUP_FORMAT: format };
	const backup = await measure(() =>
		createBackup({
			db,
			dir: dataDir,
			kind: 'manual',
			clock: () => new Date(),
			env,
			migrationsDir: MIGRATIONS
		})
	);
	const file = path.join(dataDir, backup.result.name);
	const restore = await measure(async () => {
		const started = await startJob({
			db,
			job: 'db.restore',
			exclusive: true,
			run: restoreJob({ db, file, name: backup.result.name, migrationsDir: MIGRATIONS })
		});
		return started.done;
	});
	if (restore.result.status !== 'success') {
		throw new Error(`restore failed: ${restore.result.error}`);
	}
	const after = await counts(db);
	if (JSON.stringify(after) !== JSON.stringify(before)) {
		throw new Error(`rows differ after the restore: ${JSON.stringify({ before, after })}`);
	}
	const row = (step: string, m: { ms: number; startRss: number; peakRss: number }) =>
		`| ${format} | ${step} | ${(m.ms / 1000).toFixed(1)} s | ${mb(backup.result.sizeBytes)} | ${mb(m.startRss)} | ${mb(m.peakRss)} |`;
	lines.push(row('backup', backup), row('restore', restore));
	rmSync(file, { force: true });
}

const header = [
	'| format | step | duration | file | RSS before | peak RSS during |',
	'| --- | --- | --- | --- | --- | --- |'
];
console.log(`\n${[...header, ...lines].join('\n')}`);
console.log(`process peak RSS (whole run) ${mb(process.resourceUsage().maxRSS * 1024)}`);

if (values.append) {
	const results = path.resolve('tests/bench/RESULTS.md');
	if (!existsSync(results)) {
		writeFileSync(
			results,
			'# Benchmark results\n\nFigures appended by the benchmarks in this folder (`--append`), newest last.\n'
		);
	}
	let commit = 'unknown';
	try {
		commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
	} catch {
		// Not a git checkout.
	}
	const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
	const machine = `${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, Bun ${Bun.version}, PostgreSQL ${server.version} (${pg.embedded ? 'embedded' : 'external'})`;
	appendFileSync(
		results,
		`\n## Backup and restore — ${new Date().toISOString().slice(0, 10)}, commit ${commit}\n\n` +
			`${machine}. Library: ${seriesCount} series (${before.episodes} episodes), ${movieCount} movies, ` +
			`${before.search_registry} registry rows, ${totalRows} rows in all (\`bun tests/bench/backup.ts --series ${seriesCount} --movies ${movieCount}\`).\n\n` +
			`${[...header, ...lines].join('\n')}\n`
	);
	// Keep the file as Prettier (`npm run lint`) wants it: aligned tables.
	const prettier = await import('prettier');
	const options = (await prettier.resolveConfig(results)) ?? {};
	writeFileSync(
		results,
		await prettier.format(readFileSync(results, 'utf8'), { ...options, parser: 'markdown' })
	);
	console.log(`appended to ${path.relative(process.cwd(), results)}`);
}

rmSync(dataDir, { recursive: true, force: true });
await db.$client.close();
await pg.stop();
