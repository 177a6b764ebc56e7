/**
 * Effectiveness benchmark (issue 9 "Effectiveness"): the engine against two baselines on the same
 * simulated library, seed and budget, over `--days` simulated days with the simulator's
 * availability model (tests/arr-sim/README.md "Availability").
 *
 *   bun tests/bench/effectiveness.ts [--series 2000] [--seasons 5] [--episodes 20] [--gaps 20000]
 *                                    [--days 30] [--seed 1] [--append]
 *                                    [--engine-only] [--pack-min N] [--pack-max N] [--pack-threshold PCT]
 *                                    [--pack-only] [--no-results-days N]
 *
 * `--pack-*` override the connector's season-pack settings (seasonPackMinEpisodes,
 * maxEpisodesBeforePack (0 = null), seasonPackThresholdPct) to compare defaults;
 * `--engine-only` skips the baselines (their figures do not depend on the engine); `--pack-only`
 * runs the availability model's earlier simplification (see `AVAILABILITY`); `--no-results-days`
 * sets Settings → Search behaviour's wait after a search that found nothing (default 30; 0 = the
 * standard 24 h cooldown, the engine before that setting existed).
 *
 * Strategies (each on its own fresh simulator with the identical library and gaps):
 * - engine: the real sync / sweep / dispatch / track of services/operations.ts with an injected
 *   clock, the connector on the seeded Moderate profile (read from the DB); the schedule's cadence
 *   (incremental sync every 15 min, sweep at :05, dispatch + track every minute).
 * - huntarr: every minute, random wanted episodes (none searched in the last 7 days: Huntarr's
 *   processed list), one EpisodeSearch per episode.
 * - fetcharr: every minute, the next seasons with wanted episodes in round-robin order, one
 *   SeasonSearch each.
 * Baselines POST straight to the simulator under the same limits: the profile's commands per window
 * and daily budget (a search = one episode of an EpisodeSearch, one SeasonSearch), day = local day
 * of Settings → General.
 *
 * Clock: the simulator's `now` and the engine's `clock` are one manual clock, stepped one minute
 * at a time while a strategy has work; once the day's budget is spent (or nothing is eligible) it
 * jumps to the next scheduled event (the last sync + sweep before midnight, or the next :05 sweep).
 *
 * Figures from the simulator's own command list: items acquired (initial gaps with a file at the
 * end), searches spent, searches per acquired item, the day every gap had been searched once.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { connectors } from '../../src/lib/server/db/schema';
import { startSimulator, type Simulator } from '../arr-sim';
import type { SimInstance } from '../arr-sim/instance';
import { mulberry32 } from '../arr-sim/library';
import { openDatabase } from '../../src/lib/server/db';
import { seedDefaults } from '../../src/lib/server/db/seed';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import {
	createConnector,
	getConnector
} from '../../src/lib/server/services/connectors/connector-service';
import { cycleOne, sweepOne, syncOne } from '../../src/lib/server/services/operations';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import {
	getSettings,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { zonedDayStart } from '../../src/lib/server/time/day-start';
import { benchDatabase } from './database';
import { appendResults } from './library';

const { values } = parseArgs({
	options: {
		series: { type: 'string', default: '2000' },
		seasons: { type: 'string', default: '5' },
		episodes: { type: 'string', default: '20' },
		gaps: { type: 'string', default: '20000' },
		days: { type: 'string', default: '30' },
		seed: { type: 'string', default: '1' },
		append: { type: 'boolean', default: false },
		'engine-only': { type: 'boolean', default: false },
		'pack-min': { type: 'string' },
		'pack-max': { type: 'string' },
		'pack-threshold': { type: 'string' },
		'pack-only': { type: 'boolean', default: false },
		'no-results-days': { type: 'string' }
	},
	strict: false
});
const SERIES = Number(values.series);
const SEASONS = Number(values.seasons);
const EPISODES = Number(values.episodes);
const GAPS = Number(values.gaps);
const DAYS = Number(values.days);
const SEED = Number(values.seed);
const KEY = 'e'.repeat(32);
const MINUTE = 60_000;
const DAY = 86_400_000;
/** Start of the simulated month (ms epoch, UTC midnight). */
const T0 = Date.parse('2026-06-01T00:00:00Z');
const END = T0 + DAYS * DAY;
/**
 * The availability model of every run: findability halves every 2 years, floor 10 %, packs for
 * half the seasons; as Sonarr does, a season search also grabs the season's findable single
 * episodes, and a pack only when no file of the season is at or above the cutoff — unless
 * `--pack-only` (the model's earlier simplification: any season with a pack takes it, and a
 * season search without one finds nothing).
 */
const AVAILABILITY = {
	pMax: 0.9,
	halfLifeDays: 730,
	pMin: 0.1,
	packShare: 0.5,
	seasonSearchFindsEpisodes: !values['pack-only'],
	packNeedsUpgradableFiles: !values['pack-only']
};

interface Limits {
	commandsPerWindow: number;
	windowMs: number;
	dailyBudget: number;
	timeZone: string;
}

interface Library {
	sim: Simulator;
	inst: SimInstance;
	gaps: Set<number>;
	/** `series:season` of every gap. */
	seasonOf: Map<number, string>;
	clock: { t: number };
}

/** A fresh simulator with the benchmark's library and the same gaps, seeded. */
async function makeLibrary(): Promise<Library> {
	const clock = { t: T0 };
	const sim = await startSimulator({
		instances: [
			{
				type: 'sonarr',
				urlBase: '/sonarr',
				apiKey: KEY,
				series: SERIES,
				seed: SEED,
				commandDurationMs: 10_000,
				now: () => new Date(clock.t),
				availability: AVAILABILITY,
				seriesShape: {
					seasons: SEASONS,
					episodesPerSeason: EPISODES,
					missingRatio: 0,
					cutoffUnmetRatio: 0,
					specials: false
				}
			}
		]
	});
	const inst = sim.instance('/sonarr');
	const rng = mulberry32(SEED * 7919 + 17);
	// Fully aired monitored seasons of monitored series, their monitored episodes with a file.
	const seasons: { key: string; ids: number[] }[] = [];
	const monitoredSeries = new Map(inst.series.map((s) => [s.id, s]));
	const bySeason = new Map<string, { ids: number[]; aired: boolean }>();
	for (const e of inst.episodes) {
		const s = monitoredSeries.get(e.seriesId);
		if (!s?.monitored || !s.seasons.find((x) => x.seasonNumber === e.seasonNumber)?.monitored) {
			continue;
		}
		const key = `${e.seriesId}:${e.seasonNumber}`;
		const entry = bySeason.get(key) ?? { ids: [], aired: true };
		if (e.airDateUtc === null || e.airDateUtc.getTime() > T0) entry.aired = false;
		if (e.monitored && e.episodeFileId !== 0) entry.ids.push(e.id);
		bySeason.set(key, entry);
	}
	for (const [key, v] of bySeason) {
		if (v.aired && v.ids.length >= 4) seasons.push({ key, ids: v.ids });
	}
	for (let i = seasons.length - 1; i > 0; i--) {
		const j = Math.floor(rng() * (i + 1));
		[seasons[i], seasons[j]] = [seasons[j]!, seasons[i]!];
	}
	// A third of the gaps in fully missing seasons, a third in half missing ones, a third in
	// seasons missing 1–3 episodes.
	const quota = [Math.round(GAPS / 3), Math.round(GAPS / 3), GAPS - 2 * Math.round(GAPS / 3)];
	const gaps = new Set<number>();
	const seasonOf = new Map<number, string>();
	let kind = 0;
	for (const s of seasons) {
		if (quota.every((q) => q <= 0)) break;
		while ((quota[kind] ?? 0) <= 0) kind = (kind + 1) % 3;
		const want =
			kind === 0
				? s.ids.length
				: kind === 1
					? Math.ceil(s.ids.length / 2)
					: 1 + Math.floor(rng() * 3);
		const n = Math.min(want, quota[kind] ?? 0);
		const picked = kind === 0 ? s.ids : [...s.ids].sort(() => rng() - 0.5).slice(0, n);
		for (const id of picked.slice(0, n)) {
			gaps.add(id);
			seasonOf.set(id, s.key);
		}
		quota[kind] = (quota[kind] ?? 0) - n;
		kind = (kind + 1) % 3;
	}
	const files = inst.episodeFiles;
	const kept = files.filter((f) => !gaps.has(f.episodeId));
	files.length = 0;
	for (const f of kept) files.push(f);
	for (const e of inst.episodes) if (gaps.has(e.id)) e.episodeFileId = 0;
	inst.reindex();
	return { sim, inst, gaps, seasonOf, clock };
}

interface Figures {
	strategy: string;
	acquired: number;
	searches: number;
	commands: number;
	seasonSearches: number;
	packGrabs: number;
	episodeSearches: number;
	episodeGrabs: number;
	/** Searches of episodes searched before (EpisodeSearch ids seen earlier). */
	repeatSearches: number;
	/** Days (fractional) until every gap had been searched once, or null. */
	coveredDays: number | null;
	coveredShare: number;
	wallMs: number;
}

/** Reads the figures from the simulator's command list once every command has finished. */
function figures(strategy: string, lib: Library, wallMs: number): Figures {
	const { inst, gaps, seasonOf } = lib;
	const covered = new Set<number>();
	const seenEpisodes = new Set<number>();
	const gapsBySeason = new Map<string, number[]>();
	for (const [id, key] of seasonOf) gapsBySeason.set(key, [...(gapsBySeason.get(key) ?? []), id]);
	const f: Figures = {
		strategy,
		acquired: 0,
		searches: 0,
		commands: 0,
		seasonSearches: 0,
		packGrabs: 0,
		episodeSearches: 0,
		episodeGrabs: 0,
		repeatSearches: 0,
		coveredDays: null,
		coveredShare: 0,
		wallMs
	};
	for (const c of inst.commands) {
		if (c.name === 'EpisodeSearch') {
			const ids = Array.isArray(c.props.episodeIds) ? (c.props.episodeIds as number[]) : [];
			f.commands++;
			f.searches += ids.length;
			f.episodeSearches += ids.length;
			f.episodeGrabs += c.grabbedIds.length;
			for (const id of ids) {
				if (seenEpisodes.has(id)) f.repeatSearches++;
				seenEpisodes.add(id);
				if (gaps.has(id)) covered.add(id);
			}
		} else if (c.name === 'SeasonSearch') {
			f.commands++;
			f.searches++;
			f.seasonSearches++;
			if (c.grabbedIds.length > 0) f.packGrabs++;
			for (const id of gapsBySeason.get(
				`${String(c.props.seriesId)}:${String(c.props.seasonNumber)}`
			) ?? []) {
				covered.add(id);
			}
		} else continue;
		if (f.coveredDays === null && covered.size === gaps.size) {
			f.coveredDays = (c.queued.getTime() - T0) / DAY;
		}
	}
	f.coveredShare = covered.size / gaps.size;
	const byId = new Map(inst.episodes.map((e) => [e.id, e]));
	for (const id of gaps) if ((byId.get(id)?.episodeFileId ?? 0) !== 0) f.acquired++;
	return f;
}

/** The day start (ms) after the one containing `t`. */
function nextDayStart(t: number, tz: string): number {
	const start = zonedDayStart(new Date(t), tz).getTime();
	return zonedDayStart(new Date(start + 26 * 3_600_000), tz).getTime();
}

/** Settles every command still queued/started: moves the clock past the end and reads once. */
function settle(lib: Library): void {
	lib.clock.t = END + 10 * MINUTE;
	lib.inst.wantedMissingTotal();
}

/** A baseline: `pick(n, now)` returns up to n commands (bodies + cost); the loop enforces the limits. */
async function runBaseline(
	name: string,
	limits: Limits,
	pick: (lib: Library, n: number, budgetLeft: number) => { body: object; cost: number }[]
): Promise<Figures> {
	const started = performance.now();
	const lib = await makeLibrary();
	const sent: { at: number; cost: number }[] = [];
	for (let guard = 0; lib.clock.t < END && guard < DAYS * 1440 + 10; guard++) {
		const t = lib.clock.t;
		const dayStart = zonedDayStart(new Date(t), limits.timeZone).getTime();
		const spent = sent.filter((s) => s.at >= dayStart).reduce((n, s) => n + s.cost, 0);
		const inWindow = sent.filter((s) => s.at > t - limits.windowMs).length;
		const left = limits.dailyBudget - spent;
		const batch = left > 0 ? pick(lib, limits.commandsPerWindow - inWindow, left) : [];
		for (const c of batch) {
			const res = await fetch(`${lib.inst.baseUrl}/api/v3/command`, {
				method: 'POST',
				headers: { 'X-Api-Key': KEY, 'Content-Type': 'application/json' },
				body: JSON.stringify(c.body)
			});
			await res.arrayBuffer();
			sent.push({ at: t, cost: c.cost });
		}
		lib.clock.t =
			left <= 0 || batch.length === 0
				? Math.min(END, nextDayStart(t, limits.timeZone))
				: t + MINUTE;
		if (left > 0 && batch.length === 0) lib.clock.t = Math.min(END, t + 60 * MINUTE);
	}
	settle(lib);
	const f = figures(name, lib, performance.now() - started);
	await lib.sim.stop();
	return f;
}

function huntarr(limits: Limits): Promise<Figures> {
	const rng = mulberry32(SEED * 31 + 5);
	const processed = new Map<number, number>();
	return runBaseline('huntarr', limits, (lib, n, left) => {
		const now = lib.clock.t;
		const fresh = lib.inst
			.wantedEpisodes('missing')
			.filter((e) => (processed.get(e.id) ?? -Infinity) <= now - 7 * DAY);
		const out: { body: object; cost: number }[] = [];
		for (let i = 0; i < Math.min(n, left) && fresh.length > 0; i++) {
			const j = Math.floor(rng() * fresh.length);
			const ep = fresh[j]!;
			fresh[j] = fresh[fresh.length - 1]!;
			fresh.pop();
			processed.set(ep.id, now);
			out.push({ body: { name: 'EpisodeSearch', episodeIds: [ep.id] }, cost: 1 });
		}
		return out;
	});
}

function fetcharr(limits: Limits): Promise<Figures> {
	let cursor = '';
	const keyOf = (seriesId: number, season: number) =>
		`${String(seriesId).padStart(8, '0')}:${String(season).padStart(4, '0')}`;
	return runBaseline('fetcharr', limits, (lib, n, left) => {
		const seasons = [
			...new Set(lib.inst.wantedEpisodes('missing').map((e) => keyOf(e.seriesId, e.seasonNumber)))
		].sort();
		if (seasons.length === 0) return [];
		const out: { body: object; cost: number }[] = [];
		let idx = seasons.findIndex((k) => k > cursor);
		for (let i = 0; i < Math.min(n, left, seasons.length); i++) {
			if (idx < 0 || idx >= seasons.length) idx = 0;
			const key = seasons[idx++]!;
			cursor = key;
			const [series, season] = key.split(':').map(Number);
			out.push({ body: { name: 'SeasonSearch', seriesId: series, seasonNumber: season }, cost: 1 });
		}
		return out;
	});
}

async function engine(db: Awaited<ReturnType<typeof openDatabase>>): Promise<Figures> {
	const started = performance.now();
	const lib = await makeLibrary();
	const secrets = createSecretBox('bench');
	const deps = { db, secrets, clock: () => new Date(lib.clock.t) };
	const created = await createConnector(db, secrets, {
		type: 'sonarr',
		name: 'Sonarr',
		url: lib.inst.baseUrl,
		apiKey: KEY
	});
	const packOverrides = {
		...(values['pack-min'] ? { seasonPackMinEpisodes: Number(values['pack-min']) } : {}),
		...(values['pack-max'] ? { maxEpisodesBeforePack: Number(values['pack-max']) || null } : {}),
		...(values['pack-threshold']
			? { seasonPackThresholdPct: Number(values['pack-threshold']) }
			: {})
	};
	if (Object.keys(packOverrides).length > 0) {
		await db.update(connectors).set(packOverrides).where(eq(connectors.id, created.id));
		console.log(`engine: season-pack settings ${JSON.stringify(packOverrides)}`);
	}
	if (values['no-results-days'] !== undefined) {
		const search = (await getSettings(db)).search;
		await updateSettings(db, 'search', {
			...search,
			noResultsCooldownDays: Number(values['no-results-days'])
		});
		console.log(`engine: no-results wait ${values['no-results-days']} days`);
	}
	const { timeZone } = (await getSettings(db)).general;
	const fresh = () => getConnector(db, created.id);
	const t0 = performance.now();
	await syncOne(deps, await fresh(), { mode: 'full' });
	console.log(`engine: full sync ${((performance.now() - t0) / 1000).toFixed(1)} s`);
	await sweepOne(deps, await fresh(), 'both');
	let syncs = 0;
	let sweeps = 0;
	const scheduled = async (t: number) => {
		const m = Math.floor((t % 3_600_000) / MINUTE);
		if (m % 15 === 0) {
			await syncOne(deps, await fresh());
			syncs++;
		}
		if (m === 5) {
			await sweepOne(deps, await fresh(), 'both');
			sweeps++;
		}
	};
	for (let guard = 0; lib.clock.t < END && guard < DAYS * 1440 + 10; guard++) {
		const t = lib.clock.t;
		await scheduled(t);
		const cycle = await cycleOne(deps, await fresh());
		const [inFlight] = await db.execute<{ n: number }>(
			sql`select count(*)::int as n from request_queue where status in ('sending', 'sent')`
		);
		const idle = (inFlight?.n ?? 0) === 0 && cycle.dispatch.sent === 0;
		if (!idle || (cycle.dispatch.stoppedBy !== 'budget' && cycle.dispatch.stoppedBy !== 'empty')) {
			lib.clock.t = t + MINUTE;
			continue;
		}
		// Idle: run the last events before the next one that can change anything.
		const next =
			cycle.dispatch.stoppedBy === 'budget'
				? nextDayStart(t, timeZone)
				: Math.floor(t / 3_600_000) * 3_600_000 + 3_600_000 + 5 * MINUTE;
		if (next >= END) break;
		const lastSync = next - (cycle.dispatch.stoppedBy === 'budget' ? 60 : 5) * MINUTE;
		if (lastSync > t) {
			lib.clock.t = lastSync;
			await syncOne(deps, await fresh());
			syncs++;
		}
		if (cycle.dispatch.stoppedBy === 'budget' && next - 55 * MINUTE > t) {
			lib.clock.t = next - 55 * MINUTE;
			await sweepOne(deps, await fresh(), 'both');
			sweeps++;
			lib.clock.t = next;
		} else {
			lib.clock.t = next;
		}
	}
	settle(lib);
	console.log(`engine: ${syncs} syncs, ${sweeps} sweeps`);
	const f = figures('engine', lib, performance.now() - started);
	await lib.sim.stop();
	return f;
}

// ---- run ----------------------------------------------------------------------------------------

const pg = await benchDatabase(`comradarr_bench_eff_${process.pid}`);
const db = await openDatabase(pg.url, { migrationsDir: path.resolve('drizzle') });
await seedDefaults(db);
const profile = await profileFor(db, { throttleProfileId: null });
const limits: Limits = {
	commandsPerWindow: profile.maxCommandsPerWindow,
	windowMs: profile.windowSeconds * 1000,
	dailyBudget: profile.dailySearchBudget,
	timeZone: (await getSettings(db)).general.timeZone
};
console.log(
	`profile ${profile.name}: ${limits.commandsPerWindow} commands / ${profile.windowSeconds} s, batches ≤ ${profile.maxItemsPerCommand}, ${limits.dailyBudget} searches/day, day in ${limits.timeZone}`
);
const probe = await makeLibrary();
const acquirable = [...probe.gaps].filter((id) => {
	const [s, n] = (probe.seasonOf.get(id) ?? '0:0').split(':').map(Number);
	return probe.inst.findable(id) || probe.inst.seasonPackAccepted(s ?? 0, n ?? 0);
}).length;
const episodeCount = probe.inst.episodes.length;
const gapSeasons = new Set(probe.seasonOf.values()).size;
await probe.sim.stop();
console.log(
	`library: ${episodeCount} episodes, ${probe.gaps.size} gaps in ${gapSeasons} seasons; ${acquirable} acquirable at the start (findable, or in a season whose pack would be grabbed)`
);

const results: Figures[] = [];
const runs = values['engine-only']
	? [() => engine(db)]
	: [() => engine(db), () => huntarr(limits), () => fetcharr(limits)];
for (const run of runs) {
	const f = await run();
	results.push(f);
	console.log(JSON.stringify(f));
}

const per = (f: Figures) => (f.acquired === 0 ? Infinity : f.searches / f.acquired);
const days = (f: Figures) =>
	f.coveredDays === null
		? `not within ${DAYS} (${(f.coveredShare * 100).toFixed(1)} % searched)`
		: f.coveredDays.toFixed(1);
const header = [
	'| strategy | items acquired | searches | searches per acquired item | days until every gap was searched once | commands | season searches (grabbed a pack) | episode searches (grabbed) | repeat episode searches | wall time |',
	'| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
];
const table = [
	...header,
	...results.map(
		(f) =>
			`| ${f.strategy} | ${f.acquired} | ${f.searches} | ${per(f).toFixed(2)} | ${days(f)} | ${f.commands} | ${f.seasonSearches} (${f.packGrabs}) | ${f.episodeSearches} (${f.episodeGrabs}) | ${f.repeatSearches} | ${(f.wallMs / 1000).toFixed(0)} s |`
	)
];
console.log(`\n${table.join('\n')}`);
const [eng, ...base] = results;
if (eng && base.length > 0) {
	const better = Math.min(...base.map(per));
	console.log(
		`\nengine: ${(better / per(eng)).toFixed(2)}× fewer searches per acquired item than the better baseline (target ≥ 2×); acquired ${eng.acquired} vs ${base.map((b) => b.acquired).join(' / ')} (target: more than either)`
	);
}

if (values.append) {
	const cpu = os.cpus();
	const [v] = await db.execute<{ v: string }>(sql`select version() as v`);
	const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 / 1024)} MB RAM, Bun ${Bun.version}, ${(v?.v ?? '').split(' on ')[0]}${pg.embedded ? ' (embedded)' : ' (external)'}`;
	const commit = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD']).stdout.toString().trim();
	appendResults(
		`\n## Effectiveness — ${new Date().toISOString().slice(0, 10)}, commit ${commit}\n\n${machine}. Library: ${SERIES} series × ${SEASONS} seasons × ${EPISODES} episodes = ${episodeCount} episodes, ${probe.gaps.size} gaps in ${gapSeasons} seasons (a third fully missing, a third half missing, a third 1–3 missing), ${acquirable} acquirable; availability ${JSON.stringify(AVAILABILITY)}; ${DAYS} days, profile ${profile.name} (${limits.commandsPerWindow}/min, ≤ ${profile.maxItemsPerCommand}, ${limits.dailyBudget}/day), seed ${SEED} (\`bun tests/bench/effectiveness.ts --series ${SERIES} --seasons ${SEASONS} --episodes ${EPISODES} --gaps ${GAPS} --days ${DAYS}${values['pack-only'] ? ' --pack-only' : ''}${values['no-results-days'] !== undefined ? ` --no-results-days ${values['no-results-days']}` : ''}\`; no-results wait ${(await getSettings(db)).search.noResultsCooldownDays} days).\n\n${table.join('\n')}\n`
	);
}

await db.$client.close();
await pg.stop();
process.exit(0);
