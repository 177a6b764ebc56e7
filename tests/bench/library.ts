/**
 * What the read-model benchmarks share: a large swept library (a Sonarr of `series × seasons ×
 * episodes` episodes from mirror.ts and a Radarr of `movies` movies, titles made of words so the
 * trigram search has something real to match, a few quality profiles and tags), timing with
 * percentiles, and the machine line of tests/bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/lib/server/db';
import { connectors, type Connector } from '../../src/lib/server/db/schema';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { seedEpisodeMirror, type MirrorShape } from './mirror';

const WORDS = [
	'north',
	'river',
	'silent',
	'garden',
	'empire',
	'shadow',
	'crown',
	'harbor',
	'winter',
	'signal',
	'orchard',
	'lantern',
	'copper',
	'island',
	'falcon',
	'meadow',
	'citadel',
	'ember',
	'voyage',
	'atlas',
	'café',
	'zoë',
	'crème',
	'ångström',
	'fjord',
	'tundra',
	'canyon',
	'beacon',
	'glacier',
	'prairie'
];

export interface BenchLibrary {
	sonarr: Connector;
	radarr: Connector;
	episodes: number;
	gaps: number;
	upgrades: number;
	movies: number;
}

/**
 * Inserts the two connectors (never contacted) and their mirror, then sweeps both at `now`.
 * Series and movie titles are "<word> <word> <n>"; movies get one of three quality profiles and
 * every seventh one a tag.
 */
export async function seedBenchLibrary(
	db: Database,
	shape: MirrorShape,
	movieCount: number,
	now: Date
): Promise<BenchLibrary> {
	const [sonarr, radarr] = await db
		.insert(connectors)
		.values(
			(['sonarr', 'radarr'] as const).map((type) => ({
				type,
				name: type === 'sonarr' ? 'Sonarr' : 'Radarr',
				url: `http://127.0.0.1:1/${type}`,
				apiKeyEncrypted: 'v1:x:x:x',
				apiKeyHint: 'xxxx'
			}))
		)
		.returning();
	if (!sonarr || !radarr) throw new Error('connectors not created');
	const counts = await seedEpisodeMirror(db, sonarr.id, shape, now);
	const words = `(array[${WORDS.map((w) => `'${w}'`).join(',')}])`;
	await db.execute(
		sql.raw(`update series set title = initcap(${words}[1 + arr_id % ${WORDS.length}] || ' ' ||
			${words}[1 + (arr_id / ${WORDS.length}) % ${WORDS.length}]) || ' ' || arr_id,
			sort_title = null where connector_id = ${sonarr.id}`)
	);
	await db.execute(sql`
		insert into quality_profiles (connector_id, arr_id, name, upgrade_allowed, cutoff)
		select ${radarr.id}, g, 'Profile ' || g, true, 7 from generate_series(1, 3) g`);
	await db.execute(sql`
		insert into tags (connector_id, arr_id, label)
		select ${radarr.id}, g, 'tag ' || g from generate_series(1, 5) g`);
	// A tenth missing, a twentieth below the cutoff, every one released a year ago or more.
	await db.execute(sql`
		insert into movies (connector_id, arr_id, title, year, status, monitored, has_file, quality,
			quality_cutoff_not_met, is_available, release_date, added, quality_profile_id, tags)
		select ${radarr.id}, g, 'Movie ' || g, 1980 + g % 45, 'released', true, g % 10 <> 0,
			case when g % 10 <> 0 then 'Bluray-1080p' end, g % 10 <> 0 and g % 20 = 1, true,
			${now.toISOString()}::timestamptz - make_interval(days => 365 + g % 5000),
			${now.toISOString()}::timestamptz - make_interval(days => 300 + g % 200),
			1 + g % 3, case when g % 7 = 0 then '[1]'::jsonb else '[]'::jsonb end
		from generate_series(1, ${movieCount}) g`);
	await db.execute(
		sql.raw(`update movies set title = initcap(${words}[1 + (arr_id * 7) % ${WORDS.length}] || ' ' ||
			${words}[1 + (arr_id / 3) % ${WORDS.length}]) || ' ' || arr_id where connector_id = ${radarr.id}`)
	);
	await db.execute(sql`analyze`);
	for (const connector of [sonarr, radarr]) {
		await runSweep({ db, connector, kind: 'both', clock: () => now });
	}
	await db.execute(sql`analyze`);
	return { sonarr, radarr, ...counts, movies: movieCount };
}

export interface Timing {
	step: string;
	p50: number;
	p95: number;
	max: number;
	notes: string;
}

/** Runs `read` once to warm up, then `runs` times; prints and returns the percentiles (ms). */
export async function measure(
	step: string,
	notes: string,
	runs: number,
	read: () => Promise<unknown>
): Promise<Timing> {
	await read();
	const ms: number[] = [];
	for (let i = 0; i < runs; i++) {
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

/** "2 × CPU, 24105 MB RAM, Bun 1.4.5, PostgreSQL 15.20 (…) (external); load average …". */
export async function machineLine(db: Database, embedded: boolean): Promise<string> {
	const cpu = os.cpus();
	const [v] = await db.execute<{ v: string }>(sql`select version() as v`);
	return `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 / 1024)} MB RAM, Bun ${Bun.version}, ${(v?.v ?? '').split(' on ')[0]}${embedded ? ' (embedded)' : ' (external)'}; load average ${os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ')}`;
}

/** The short hash of HEAD. */
export function commitHash(): string {
	return Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD']).stdout.toString().trim();
}

/**
 * Appends `markdown` to tests/bench/RESULTS.md and formats the file with the project's Prettier,
 * so that its tables stay aligned and `prettier --check` (the lint step) stays clean.
 */
export function appendResults(markdown: string): void {
	const file = path.resolve('tests/bench/RESULTS.md');
	appendFileSync(file, markdown);
	execFileSync('bunx', ['prettier', '--write', file], { stdio: 'ignore' });
}
