/**
 * The simulator must behave like Sonarr/Radarr where our app can observe it: real HTTP, real
 * JSON, counts that match the apps' own rules. Time-sensitive tests use a manual clock so the
 * command lifecycle is exact; one test uses the real clock.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimInstance, type SimInstanceOptions, type Simulator } from './index';
import { loadSpec } from './spec-check';
import {
	call,
	getJson,
	manualClock,
	postCommand,
	seriesWithEpisodes,
	type ManualClock,
	type WireCommand,
	type WirePage
} from './test-helpers';

const SONARR_KEY = '0123456789abcdef0123456789abcdef';
const RADARR_KEY = 'fedcba9876543210fedcba9876543210';
const DAY = 86_400_000;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// ---- wire shapes used by the assertions (subsets of the spec schemas) ----------------------

interface WireSeasonStats {
	nextAiring?: string;
	previousAiring?: string;
	episodeFileCount: number;
	episodeCount: number;
	totalEpisodeCount: number;
	sizeOnDisk: number;
	percentOfEpisodes: number;
}
interface WireSeries {
	id: number;
	title: string;
	status: string;
	monitored: boolean;
	runtime: number;
	seasons: Array<{ seasonNumber: number; monitored: boolean; statistics: WireSeasonStats }>;
	statistics: { episodeCount: number; episodeFileCount: number; totalEpisodeCount: number };
}
interface WireEpisode {
	id: number;
	seriesId: number;
	seasonNumber: number;
	episodeNumber: number;
	title: string;
	airDate?: string;
	airDateUtc?: string;
	lastSearchTime?: string;
	episodeFileId: number;
	hasFile: boolean;
	monitored: boolean;
}
interface WireEpisodeFile {
	id: number;
	qualityCutoffNotMet: boolean;
}
interface WireMovie {
	id: number;
	title: string;
	status: string;
	monitored: boolean;
	hasFile: boolean;
	isAvailable: boolean;
	minimumAvailability: string;
	inCinemas?: string;
	digitalRelease?: string;
	physicalRelease?: string;
	lastSearchTime?: string;
	movieFile?: { qualityCutoffNotMet: boolean };
}

// ---- helpers ----------------------------------------------------------------------------

/** All records of a paged endpoint, page by page. */
async function allPages<T>(
	inst: SimInstance,
	path: string,
	pageSize: number
): Promise<{ records: T[]; total: number; pages: WirePage<T>[] }> {
	const records: T[] = [];
	const pages: WirePage<T>[] = [];
	let total: number;
	for (let page = 1; ; page++) {
		const sep = path.includes('?') ? '&' : '?';
		const p = await getJson<WirePage<T>>(inst, `${path}${sep}page=${page}&pageSize=${pageSize}`);
		pages.push(p);
		total = p.totalRecords;
		records.push(...p.records);
		if (page * pageSize >= p.totalRecords) {
			return { records, total, pages };
		}
	}
}

type ExtraOptions = Omit<SimInstanceOptions, 'type' | 'urlBase' | 'apiKey' | 'now'>;

/**
 * A Sonarr at /sonarr and a Radarr at /radarr on one manual clock, started before the tests of the
 * enclosing describe block and stopped after them (the fields are set once beforeAll ran).
 */
function sonarrAndRadarr(
	sonarrOptions: ExtraOptions,
	radarrOptions: ExtraOptions
): { clock: ManualClock; sim: Simulator; son: SimInstance; rad: SimInstance } {
	const clock = manualClock();
	const env = { clock } as {
		clock: ManualClock;
		sim: Simulator;
		son: SimInstance;
		rad: SimInstance;
	};
	beforeAll(async () => {
		env.sim = await startSimulator({
			instances: [
				{
					type: 'sonarr',
					urlBase: '/sonarr',
					apiKey: SONARR_KEY,
					...sonarrOptions,
					now: clock.now
				},
				{ type: 'radarr', urlBase: '/radarr', apiKey: RADARR_KEY, ...radarrOptions, now: clock.now }
			]
		});
		env.son = env.sim.instance('/sonarr');
		env.rad = env.sim.instance('/radarr');
	});
	afterAll(async () => {
		await env.sim.stop();
	});
	return env;
}

/** Sonarr's wanted/missing rule, applied to wire data. */
function countMissing(
	series: WireSeries[],
	episodes: WireEpisode[],
	nowMs: number,
	monitored: boolean
): number {
	const byId = new Map(series.map((s) => [s.id, s]));
	return episodes.filter((e) => {
		const s = byId.get(e.seriesId);
		return (
			s !== undefined &&
			(e.monitored && s.monitored) === monitored &&
			!e.hasFile &&
			e.airDateUtc !== undefined &&
			Date.parse(e.airDateUtc) + s.runtime * 60_000 <= nowMs
		);
	}).length;
}

/** Radarr's Movie.IsAvailable(), applied to wire data. */
function expectedAvailable(m: WireMovie, nowMs: number): boolean {
	if (m.minimumAvailability === 'announced' || m.minimumAvailability === 'tba') {
		return true;
	}
	const t = (s: string | undefined): number | undefined =>
		s === undefined ? undefined : Date.parse(s);
	if (m.minimumAvailability === 'inCinemas' && m.inCinemas !== undefined) {
		return (t(m.inCinemas) ?? Infinity) <= nowMs;
	}
	const dates = [t(m.digitalRelease), t(m.physicalRelease)].filter(
		(d): d is number => d !== undefined
	);
	const cinema = t(m.inCinemas);
	const at =
		dates.length > 0 ? Math.min(...dates) : cinema !== undefined ? cinema + 90 * DAY : Infinity;
	return at <= nowMs;
}

// ---- the shared real-clock simulator ----------------------------------------------------

let sim: Simulator;
let sonarr: SimInstance;
let radarr: SimInstance;

beforeAll(async () => {
	sim = await startSimulator({
		instances: [
			{ type: 'sonarr', urlBase: '/sonarr', apiKey: SONARR_KEY, commandDurationMs: 100 },
			{ type: 'radarr', urlBase: '/radarr', apiKey: RADARR_KEY, commandDurationMs: 100 }
		]
	});
	sonarr = sim.instance('/sonarr');
	radarr = sim.instance('/radarr');
});

afterAll(async () => {
	await sim.stop();
});

describe('authentication', () => {
	it('answers /ping anonymously and everything else with 401 and an empty body', async () => {
		const ping = await call(sonarr, '/ping', { key: null });
		expect(ping.status).toBe(200);
		expect(JSON.parse(ping.text)).toEqual({ status: 'OK' });

		for (const key of [null, 'wrong', '']) {
			const r = await call(sonarr, '/api/v3/system/status', { key });
			expect(r.status).toBe(401);
			expect(r.text).toBe('');
		}
		// Another instance's key does not open this one.
		expect((await call(sonarr, '/api/v3/series', { key: RADARR_KEY })).status).toBe(401);
	});

	it('accepts the key as apikey query, X-Api-Key header or Bearer token, the query first', async () => {
		expect((await call(sonarr, `/api/v3/tag?apikey=${SONARR_KEY}`, { key: null })).status).toBe(
			200
		);
		expect((await call(sonarr, '/api/v3/tag')).status).toBe(200);
		expect(
			(
				await call(sonarr, '/api/v3/tag', {
					key: null,
					headers: { Authorization: `Bearer ${SONARR_KEY}` }
				})
			).status
		).toBe(200);
		// ASP.NET takes the query key first: a wrong one fails even with the right header.
		expect((await call(sonarr, '/api/v3/tag?apikey=nope')).status).toBe(401);
	});

	it('records every request, 401s included, with lower-cased header names and the key as sent', async () => {
		sim.clearRequests();
		await call(sonarr, '/api/v3/series/1?includeSeasonImages=false');
		await call(sonarr, '/api/v3/series', { key: 'bad' });
		await call(radarr, `/api/v3/tag?apikey=${RADARR_KEY}`, { key: null });
		expect(sim.requests).toHaveLength(3);
		const [first, second, third] = sim.requests;
		expect(first).toMatchObject({
			instance: '/sonarr',
			method: 'GET',
			path: '/api/v3/series/1',
			status: 200,
			body: null
		});
		expect(first?.query).toEqual({ includeSeasonImages: ['false'] });
		expect(first?.headers['x-api-key']).toBe(SONARR_KEY);
		expect(Object.keys(first?.headers ?? {}).every((h) => h === h.toLowerCase())).toBe(true);
		expect(second).toMatchObject({ status: 401, path: '/api/v3/series' });
		expect(second?.headers['x-api-key']).toBe('bad');
		expect(third?.instance).toBe('/radarr');
		expect(third?.headers['x-api-key']).toBeUndefined();
		expect(third?.query.apikey).toEqual([RADARR_KEY]);
		expect(sonarr.requests.map((r) => r.status)).toEqual([200, 401]);
		expect(typeof first?.at).toBe('number');
	});
});

describe('seeded library', () => {
	let fixed: Simulator;
	const clock = manualClock();

	beforeAll(async () => {
		fixed = await startSimulator({
			instances: [
				{ type: 'sonarr', urlBase: '/a', apiKey: SONARR_KEY, seed: 7, series: 60, now: clock.now },
				{ type: 'sonarr', urlBase: '/b', apiKey: SONARR_KEY, seed: 7, series: 60, now: clock.now },
				{ type: 'sonarr', urlBase: '/c', apiKey: SONARR_KEY, seed: 8, series: 60, now: clock.now },
				{ type: 'radarr', urlBase: '/m', apiKey: RADARR_KEY, seed: 7, movies: 200, now: clock.now },
				{ type: 'radarr', urlBase: '/n', apiKey: RADARR_KEY, seed: 7, movies: 200, now: clock.now }
			]
		});
	});
	afterAll(async () => {
		await fixed.stop();
	});

	it('is identical for the same seed and different for another seed', async () => {
		const a = await call(fixed.instance('/a'), '/api/v3/series');
		const b = await call(fixed.instance('/b'), '/api/v3/series');
		const c = await call(fixed.instance('/c'), '/api/v3/series');
		// Image URLs carry the urlBase; everything else must match byte for byte.
		expect(a.text.replaceAll('/a/MediaCover', '/x/MediaCover')).toBe(
			b.text.replaceAll('/b/MediaCover', '/x/MediaCover')
		);
		expect(c.text.replaceAll('/c/MediaCover', '/x/MediaCover')).not.toBe(
			a.text.replaceAll('/a/MediaCover', '/x/MediaCover')
		);
		expect(fixed.instance('/a').episodes).toEqual(fixed.instance('/b').episodes);
		expect(fixed.instance('/a').episodeFiles).toEqual(fixed.instance('/b').episodeFiles);
		expect(fixed.instance('/c').episodes).not.toEqual(fixed.instance('/a').episodes);
		expect((await call(fixed.instance('/m'), '/api/v3/movie')).text.replaceAll('/m/', '/x/')).toBe(
			(await call(fixed.instance('/n'), '/api/v3/movie')).text.replaceAll('/n/', '/x/')
		);
	});

	it('numbers ids from 1 per instance with unique episode ids', () => {
		const inst = fixed.instance('/a');
		expect(inst.series.map((s) => s.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
		const ids = inst.episodes.map((e) => e.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(Math.min(...ids)).toBe(1);
		expect(fixed.instance('/m').movies[0]?.id).toBe(1);
	});

	it('mixes ended, airing (future and TBA episodes) and upcoming series with unmonitored series, seasons and episodes', () => {
		const inst = fixed.instance('/a');
		const now = clock.now().getTime();
		const status = new Set(inst.series.map((s) => s.status));
		expect(status).toEqual(new Set(['ended', 'continuing', 'upcoming']));
		const airing = inst.series.filter((s) => {
			const eps = inst.episodesOf(s.id);
			return (
				s.status === 'continuing' &&
				eps.some((e) => e.airDateUtc && e.airDateUtc.getTime() > now) &&
				eps.some((e) => e.airDateUtc && e.airDateUtc.getTime() < now)
			);
		});
		expect(airing.length).toBeGreaterThan(0);
		expect(inst.episodes.some((e) => e.airDateUtc === null && e.seasonNumber > 0)).toBe(true);
		for (const s of inst.series.filter((x) => x.status === 'upcoming')) {
			expect(
				inst.episodesOf(s.id).every((e) => e.airDateUtc === null || e.airDateUtc.getTime() > now)
			).toBe(true);
		}
		expect(inst.series.some((s) => !s.monitored)).toBe(true);
		const unmonitoredSeason = inst.series.flatMap((s) =>
			s.seasons
				.filter((x) => !x.monitored && x.seasonNumber > 0)
				.map((x) => [s.id, x.seasonNumber] as const)
		);
		expect(unmonitoredSeason.length).toBeGreaterThan(0);
		for (const [seriesId, seasonNumber] of unmonitoredSeason) {
			expect(
				inst
					.episodesOf(seriesId)
					.filter((e) => e.seasonNumber === seasonNumber)
					.every((e) => !e.monitored)
			).toBe(true);
		}
		const monitoredSeasons = new Set(
			inst.series.flatMap((s) =>
				s.seasons.filter((x) => x.monitored).map((x) => `${s.id}:${x.seasonNumber}`)
			)
		);
		expect(
			inst.episodes.some(
				(e) => !e.monitored && monitoredSeasons.has(`${e.seriesId}:${e.seasonNumber}`)
			)
		).toBe(true);
		expect(inst.episodes.some((e) => e.seasonNumber === 0)).toBe(true);
		const perSeason = inst.series
			.map((s) => inst.episodesOf(s.id).filter((e) => e.seasonNumber === 1).length)
			.filter((n) => n > 0);
		expect(Math.min(...perSeason)).toBeGreaterThanOrEqual(6);
		expect(Math.max(...perSeason)).toBeLessThanOrEqual(24);
	});

	it('has fully aired seasons missing at least half their episodes, others missing a few, and files below cutoff', () => {
		const inst = fixed.instance('/a');
		const now = clock.now().getTime();
		let heavy = 0;
		let light = 0;
		for (const s of inst.series) {
			const seasons = new Map<number, { total: number; missing: number; future: boolean }>();
			for (const e of inst.episodesOf(s.id)) {
				if (e.seasonNumber === 0) {
					continue;
				}
				const st = seasons.get(e.seasonNumber) ?? { total: 0, missing: 0, future: false };
				st.total++;
				if (e.airDateUtc === null || e.airDateUtc.getTime() > now) {
					st.future = true;
				} else if (e.episodeFileId === 0) {
					st.missing++;
				}
				seasons.set(e.seasonNumber, st);
			}
			for (const st of seasons.values()) {
				if (!st.future && st.missing * 2 >= st.total) {
					heavy++;
				}
				if (!st.future && st.missing > 0 && st.missing <= 3 && st.missing * 2 < st.total) {
					light++;
				}
			}
		}
		expect(heavy).toBeGreaterThan(0);
		expect(light).toBeGreaterThan(0);
		expect(inst.episodeFiles.some((f) => f.qualityCutoffNotMet)).toBe(true);
		expect(inst.episodeFiles.some((f) => !f.qualityCutoffNotMet)).toBe(true);
		expect(inst.wantedMissingTotal()).toBeGreaterThan(0);
		expect(inst.wantedCutoffTotal()).toBeGreaterThan(0);
	});

	it('puts unicode and HTML-ish text in series, episode and movie titles and keeps it intact over HTTP', async () => {
		const series = await getJson<WireSeries[]>(sonarr, '/api/v3/series');
		const titles = series.map((s) => s.title);
		expect(titles).toContain('Pokémon: Horizons');
		expect(titles).toContain('東京 Nights');
		expect(titles).toContain('Ørsted & Sønner');
		expect(titles).toContain('<b>Bold</b> & "Quotes"');
		const episodes = await getJson<WireEpisode[]>(sonarr, '/api/v3/episode?seriesId=1');
		expect(episodes.some((e) => /[^ -~]|[<>&"]/.test(e.title))).toBe(true); // non-ASCII or HTML
		const movies = await getJson<WireMovie[]>(radarr, '/api/v3/movie');
		expect(movies.map((m) => m.title)).toEqual(
			expect.arrayContaining(['Amélie', '千と千尋の神隠し', '<i>Italic</i> & "Friends"'])
		);
	});

	it('mixes released, in-cinema, announced and unmonitored movies and computes isAvailable like Radarr', async () => {
		const inst = fixed.instance('/m');
		const now = clock.now().getTime();
		const movies = await getJson<WireMovie[]>(inst, '/api/v3/movie');
		expect(new Set(movies.map((m) => m.status))).toEqual(
			new Set(['released', 'inCinemas', 'announced', 'tba'])
		);
		expect(new Set(movies.map((m) => m.minimumAvailability))).toEqual(
			new Set(['released', 'inCinemas', 'announced', 'tba'])
		);
		for (const m of movies) {
			expect({ id: m.id, isAvailable: m.isAvailable }).toEqual({
				id: m.id,
				isAvailable: expectedAvailable(m, now)
			});
			expect(m.hasFile).toBe(m.movieFile !== undefined);
		}
		expect(movies.some((m) => !m.isAvailable && m.monitored && !m.hasFile)).toBe(true);
		expect(movies.some((m) => m.isAvailable && m.status === 'announced')).toBe(true);
		expect(movies.some((m) => !m.monitored)).toBe(true);
		expect(movies.some((m) => m.movieFile?.qualityCutoffNotMet === true)).toBe(true);
		// An inCinemas-only release becomes available 90 days later.
		expect(
			movies.some(
				(m) =>
					m.minimumAvailability === 'released' &&
					m.digitalRelease === undefined &&
					m.physicalRelease === undefined &&
					m.inCinemas !== undefined
			)
		).toBe(true);
	});

	it('generates 2000 series quickly and serves them without quadratic work', async () => {
		const t0 = performance.now();
		const big = await startSimulator({
			instances: [{ type: 'sonarr', urlBase: '', apiKey: SONARR_KEY, series: 2000 }]
		});
		const genMs = performance.now() - t0;
		try {
			const inst = big.instances[0];
			if (!inst) {
				throw new Error('no instance');
			}
			expect(inst.episodes.length).toBeGreaterThan(100_000);
			const list = await call(inst, '/api/v3/series');
			const page = await call(inst, '/api/v3/wanted/missing?page=5&pageSize=1000');
			const eps = await call(inst, '/api/v3/episode?seriesId=1999');
			console.log(
				`arr-sim perf: generate ${inst.episodes.length} episodes ${genMs.toFixed(0)} ms, GET /series ${list.ms.toFixed(0)} ms, wanted page ${page.ms.toFixed(0)} ms, episodes of one series ${eps.ms.toFixed(1)} ms`
			);
			expect(genMs).toBeLessThan(5000);
			expect(list.ms).toBeLessThan(5000);
			expect(page.ms).toBeLessThan(1000);
			expect(eps.ms).toBeLessThan(200);
		} finally {
			await big.stop();
		}
	});
});

describe('wanted lists', () => {
	const env = sonarrAndRadarr({ seed: 3, series: 40 }, { seed: 3, movies: 150 });
	const { clock } = env;

	it('reports wanted/missing totals equal to a manual count over /series and /episode (specials included)', async () => {
		const { series, episodes } = await seriesWithEpisodes<WireSeries, WireEpisode>(env.son);
		const now = clock.now().getTime();
		const expected = countMissing(series, episodes, now, true);
		const missing = await getJson<WirePage<WireEpisode>>(env.son, '/api/v3/wanted/missing');
		expect(missing.totalRecords).toBe(expected);
		expect(env.son.wantedMissingTotal()).toBe(expected);
		const unmonitored = await getJson<WirePage<WireEpisode>>(
			env.son,
			'/api/v3/wanted/missing?monitored=false'
		);
		expect(unmonitored.totalRecords).toBe(countMissing(series, episodes, now, false));
		expect(unmonitored.totalRecords).toBeGreaterThan(0);
		const all = await allPages<WireEpisode>(env.son, '/api/v3/wanted/missing', 1000);
		expect(
			all.records.some((e) => e.seasonNumber === 0) ||
				episodes.every((e) => e.seasonNumber !== 0 || !e.monitored || e.hasFile)
		).toBe(true);
		// An episode that aired less than its runtime ago is not missing yet.
		expect(all.records.every((e) => e.airDateUtc !== undefined && !e.hasFile && e.monitored)).toBe(
			true
		);
	});

	it('reports wanted/cutoff totals equal to a manual count over /episodefile', async () => {
		const { series, episodes } = await seriesWithEpisodes<WireSeries, WireEpisode>(env.son);
		const files = new Map<number, WireEpisodeFile>();
		for (const s of series) {
			for (const f of await getJson<WireEpisodeFile[]>(
				env.son,
				`/api/v3/episodefile?seriesId=${s.id}`
			)) {
				files.set(f.id, f);
			}
		}
		const byId = new Map(series.map((s) => [s.id, s]));
		const expected = episodes.filter(
			(e) =>
				e.monitored &&
				byId.get(e.seriesId)?.monitored === true &&
				e.hasFile &&
				files.get(e.episodeFileId)?.qualityCutoffNotMet === true
		).length;
		expect(expected).toBeGreaterThan(0);
		expect(
			(await getJson<WirePage<WireEpisode>>(env.son, '/api/v3/wanted/cutoff')).totalRecords
		).toBe(expected);
		expect(env.son.wantedCutoffTotal()).toBe(expected);
	});

	it('reports radarr wanted totals equal to a manual count over /movie', async () => {
		const movies = await getJson<WireMovie[]>(env.rad, '/api/v3/movie');
		const missing = movies.filter((m) => m.monitored && !m.hasFile && m.isAvailable).length;
		const cutoff = movies.filter(
			(m) => m.monitored && m.movieFile?.qualityCutoffNotMet === true
		).length;
		expect(missing).toBeGreaterThan(0);
		expect(cutoff).toBeGreaterThan(0);
		expect(
			(await getJson<WirePage<WireMovie>>(env.rad, '/api/v3/wanted/missing')).totalRecords
		).toBe(missing);
		expect(
			(await getJson<WirePage<WireMovie>>(env.rad, '/api/v3/wanted/cutoff')).totalRecords
		).toBe(cutoff);
		expect(env.rad.wantedMissingTotal()).toBe(missing);
		expect(env.rad.wantedCutoffTotal()).toBe(cutoff);
		const unmonitored = movies.filter((m) => !m.monitored && !m.hasFile && m.isAvailable).length;
		expect(
			(await getJson<WirePage<WireMovie>>(env.rad, '/api/v3/wanted/missing?monitored=false'))
				.totalRecords
		).toBe(unmonitored);
	});

	it('pages cover every record exactly once, in airDateUtc order, echoing the paging parameters', async () => {
		const total = env.son.wantedMissingTotal();
		const desc = await allPages<WireEpisode>(env.son, '/api/v3/wanted/missing', 7);
		expect(desc.total).toBe(total);
		expect(desc.records).toHaveLength(total);
		expect(new Set(desc.records.map((e) => e.id)).size).toBe(total);
		const times = desc.records.map((e) => Date.parse(e.airDateUtc ?? ''));
		expect(times).toEqual([...times].sort((x, y) => y - x));
		expect(desc.pages[0]).toMatchObject({
			page: 1,
			pageSize: 7,
			sortKey: 'episodes.airDateUtc',
			sortDirection: 'descending'
		});
		expect(desc.pages.at(-1)?.records.length).toBe(total - (desc.pages.length - 1) * 7);

		const asc = await allPages<WireEpisode>(
			env.son,
			'/api/v3/wanted/missing?sortKey=episodes.airDateUtc&sortDirection=ascending',
			13
		);
		expect(asc.records.map((e) => e.id)).toEqual(desc.records.map((e) => e.id).reverse());
		expect(asc.pages[0]?.sortDirection).toBe('ascending');

		const beyond = await getJson<WirePage<WireEpisode>>(
			env.son,
			`/api/v3/wanted/missing?page=${total + 1}&pageSize=10`
		);
		expect(beyond.records).toEqual([]);
		expect(beyond.totalRecords).toBe(total);

		const unknownKey = await getJson<WirePage<WireEpisode>>(
			env.son,
			'/api/v3/wanted/missing?sortKey=nonsense'
		);
		expect(unknownKey.sortKey).toBe('episodes.airDateUtc');

		const movies = await allPages<WireMovie>(
			env.rad,
			'/api/v3/wanted/missing?sortKey=movieMetadata.sortTitle&sortDirection=ascending',
			4
		);
		expect(movies.records).toHaveLength(env.rad.wantedMissingTotal());
		expect(new Set(movies.records.map((m) => m.id)).size).toBe(movies.records.length);
	});

	it('computes season statistics the way Sonarr does', async () => {
		const { series, episodes } = await seriesWithEpisodes<WireSeries, WireEpisode>(env.son);
		const now = clock.now().getTime();
		for (const s of series) {
			for (const season of s.seasons) {
				const eps = episodes.filter(
					(e) => e.seriesId === s.id && e.seasonNumber === season.seasonNumber
				);
				const air = (e: WireEpisode): number | undefined =>
					e.airDateUtc ? Date.parse(e.airDateUtc) : undefined;
				const future = eps
					.filter((e) => e.monitored && (air(e) ?? -Infinity) >= now)
					.map((e) => air(e) ?? 0);
				const past = eps
					.filter((e) => e.monitored && (air(e) ?? Infinity) < now)
					.map((e) => air(e) ?? 0);
				const st = season.statistics;
				expect(st.totalEpisodeCount).toBe(eps.length);
				expect(st.episodeFileCount).toBe(eps.filter((e) => e.hasFile).length);
				expect(st.episodeCount).toBe(
					eps.filter((e) => (e.monitored && (air(e) ?? Infinity) <= now) || e.hasFile).length
				);
				expect(st.nextAiring === undefined ? undefined : Date.parse(st.nextAiring)).toBe(
					future.length ? Math.min(...future) : undefined
				);
				expect(st.previousAiring === undefined ? undefined : Date.parse(st.previousAiring)).toBe(
					past.length ? Math.max(...past) : undefined
				);
				expect(st.percentOfEpisodes).toBeCloseTo(
					st.episodeCount ? (st.episodeFileCount / st.episodeCount) * 100 : 0,
					6
				);
			}
			expect(s.statistics.totalEpisodeCount).toBe(
				s.seasons.reduce((n, x) => n + x.statistics.totalEpisodeCount, 0)
			);
		}
		expect(series.some((s) => s.seasons.some((x) => x.statistics.nextAiring !== undefined))).toBe(
			true
		);
	});
});

describe('commands', () => {
	const env = sonarrAndRadarr(
		{ seed: 11, series: 80, grabRate: 0.5 },
		{ seed: 11, movies: 300, grabRate: 1 }
	);
	const { clock } = env;

	it('answers POST /command with 201, a Location header and a queued CommandResource', async () => {
		const r = await postCommand(env.son, { name: 'RssSync' }, { 'User-Agent': 'Comradarr/test' });
		expect(r.status).toBe(201);
		expect(r.headers.get('location')).toBe(`/sonarr/api/v3/command/${r.json.id}`);
		expect(r.json).toMatchObject({
			name: 'RssSync',
			commandName: 'Rss Sync',
			priority: 'normal',
			status: 'queued',
			result: 'unknown',
			trigger: 'manual',
			clientUserAgent: 'Comradarr/test'
		});
		expect(r.json.queued).toMatch(DATE_TIME);
		expect(r.json.started).toBeUndefined();
		expect(r.json.body).toMatchObject({
			name: 'RssSync',
			trigger: 'manual',
			sendUpdatesToClient: true,
			isExclusive: false
		});
		clock.advance(1000);
	});

	it('returns the existing command for an identical queued or started one, ids in any order', async () => {
		const first = await postCommand(env.son, { name: 'EpisodeSearch', episodeIds: [3, 1, 2] });
		const again = await postCommand(env.son, { name: 'episodesearch', EpisodeIds: [1, 2, 3] });
		expect(again.status).toBe(201);
		expect(again.json.id).toBe(first.json.id);
		const other = await postCommand(env.son, { name: 'EpisodeSearch', episodeIds: [1, 2] });
		expect(other.json.id).not.toBe(first.json.id);
		clock.advance(100);
		const whileStarted = await postCommand(env.son, {
			name: 'EpisodeSearch',
			episodeIds: [2, 3, 1]
		});
		expect(whileStarted.json).toMatchObject({ id: first.json.id, status: 'started' });
		clock.advance(1000);
		const afterDone = await postCommand(env.son, { name: 'EpisodeSearch', episodeIds: [1, 2, 3] });
		expect(afterDone.json.id).toBeGreaterThan(other.json.id);
		clock.advance(1000);
	});

	it('runs at most three commands at once: queued → started → completed, FIFO', async () => {
		const posted: WireCommand[] = [];
		for (let i = 0; i < 5; i++) {
			posted.push((await postCommand(env.son, { name: 'SeriesSearch', seriesId: i + 1 })).json);
		}
		expect(posted.every((c) => c.status === 'queued')).toBe(true);
		const status = async (): Promise<string[]> =>
			Promise.all(
				posted.map(
					async (c) => (await getJson<WireCommand>(env.son, `/api/v3/command/${c.id}`)).status
				)
			);
		expect(await status()).toEqual(['started', 'started', 'started', 'queued', 'queued']);
		clock.advance(299);
		expect(await status()).toEqual(['started', 'started', 'started', 'queued', 'queued']);
		clock.advance(1);
		expect(await status()).toEqual(['completed', 'completed', 'completed', 'started', 'started']);
		clock.advance(300);
		expect(await status()).toEqual([
			'completed',
			'completed',
			'completed',
			'completed',
			'completed'
		]);
		const done = await getJson<WireCommand>(env.son, `/api/v3/command/${posted[4]?.id ?? 0}`);
		expect(done).toMatchObject({ result: 'successful', duration: '00:00:00.3000000' });
		expect(done.message).toMatch(/^Series search completed\. \d+ reports downloaded\.$/);
		expect(Date.parse(done.ended ?? '') - Date.parse(done.started ?? '')).toBe(0); // second precision on the wire
		expect(done.stateChangeTime).toBe(done.started);
		const startedAt = env.son.commands.find((c) => c.id === posted[4]?.id)?.started?.getTime();
		expect(startedAt).toBe(clock.now().getTime() - 300);

		const listed = await getJson<WireCommand[]>(env.son, '/api/v3/command');
		expect(listed.map((c) => c.id)).toEqual(expect.arrayContaining(posted.map((c) => c.id)));
		clock.advance(5 * 60_000);
		const later = await getJson<WireCommand[]>(env.son, '/api/v3/command');
		expect(later.filter((c) => posted.some((p) => p.id === c.id))).toEqual([]);
		expect((await call(env.son, `/api/v3/command/${posted[0]?.id ?? 0}`)).status).toBe(200);
		expect(env.son.commandsByName('seriessearch').length).toBeGreaterThanOrEqual(5);
	});

	it('never has more than three started commands, whatever the interleaving', async () => {
		const base = env.son.commands.length;
		for (let i = 0; i < 12; i++) {
			await postCommand(env.son, {
				name: 'SeasonSearch',
				seriesId: (i % 6) + 1,
				seasonNumber: Math.floor(i / 6) + 1
			});
			clock.advance(77);
			const list = await getJson<WireCommand[]>(env.son, '/api/v3/command');
			expect(list.filter((c) => c.status === 'started').length).toBeLessThanOrEqual(3);
		}
		clock.advance(10_000);
		expect(
			env.son.commands.slice(base).every((c) => c.status === 'completed' || c.status === 'failed')
		).toBe(true);
		clock.advance(10 * 60_000);
	});

	it('gives a grabRate share of searched wanted episodes a file and stamps lastSearchTime', async () => {
		const missing = env.son.wantedEpisodes('missing').map((e) => e.id);
		const cutoff = env.son.wantedEpisodes('cutoff').map((e) => e.id);
		const ids = [...missing, ...cutoff];
		expect(ids.length).toBeGreaterThan(150);
		const beforeMissing = env.son.wantedMissingTotal();
		const beforeCutoff = env.son.wantedCutoffTotal();
		const cmd = await postCommand(env.son, { name: 'EpisodeSearch', episodeIds: ids });
		clock.advance(1);
		const started = env.son.commands.find((c) => c.id === cmd.json.id);
		expect(started?.status).toBe('started');
		const eps = await getJson<WireEpisode[]>(
			env.son,
			`/api/v3/episode?${ids
				.slice(0, 50)
				.map((id) => `episodeIds=${id}`)
				.join('&')}`
		);
		expect(
			eps.every(
				(e) =>
					e.lastSearchTime === new Date(clock.now().getTime() - 1).toISOString().slice(0, 19) + 'Z'
			)
		).toBe(true);
		clock.advance(300);
		const done = await getJson<WireCommand>(env.son, `/api/v3/command/${cmd.json.id}`);
		const grabbed = env.son.commands.find((c) => c.id === cmd.json.id)?.grabbedIds ?? [];
		expect(done.message).toBe(`Episode search completed. ${grabbed.length} reports downloaded.`);
		const share = grabbed.length / ids.length;
		expect(share).toBeGreaterThan(0.35);
		expect(share).toBeLessThan(0.65);
		const grabbedMissing = grabbed.filter((id) => missing.includes(id)).length;
		expect(env.son.wantedMissingTotal()).toBe(beforeMissing - grabbedMissing);
		expect(env.son.wantedCutoffTotal()).toBe(beforeCutoff - (grabbed.length - grabbedMissing));
		for (const id of grabbed.slice(0, 20)) {
			const [ep] = await getJson<WireEpisode[]>(
				env.son,
				`/api/v3/episode?episodeIds=${id}&includeEpisodeFile=true`
			);
			expect(ep?.hasFile).toBe(true);
			const file = env.son.episodeFiles.find((f) => f.id === ep?.episodeFileId);
			expect(file?.qualityCutoffNotMet).toBe(false);
		}
		clock.advance(10 * 60_000);
	});

	it('searches only the monitored episodes of a season and grabs nothing for bulk searches', async () => {
		const season = env.son.series
			.flatMap((s) => s.seasons.map((x) => ({ seriesId: s.id, seasonNumber: x.seasonNumber })))
			.find(({ seriesId, seasonNumber }) => {
				const eps = env.son.episodesOf(seriesId).filter((e) => e.seasonNumber === seasonNumber);
				return eps.some((e) => !e.monitored) && eps.some((e) => e.monitored);
			});
		expect(season).toBeDefined();
		const cmd = await postCommand(env.son, { name: 'SeasonSearch', ...season });
		clock.advance(301);
		const c = env.son.commands.find((x) => x.id === cmd.json.id);
		const expected = env.son
			.episodesOf(season?.seriesId ?? 0)
			.filter((e) => e.seasonNumber === season?.seasonNumber && e.monitored)
			.map((e) => e.id);
		expect(c?.searchedIds).toEqual(expected);
		expect(c?.status).toBe('completed');

		const before = env.son.wantedMissingTotal();
		const bulk = await postCommand(env.son, { name: 'MissingEpisodeSearch' });
		expect(bulk.json.body).toMatchObject({ monitored: true });
		clock.advance(301);
		expect(env.son.commands.find((x) => x.id === bulk.json.id)).toMatchObject({
			status: 'completed',
			grabbedIds: []
		});
		expect(env.son.wantedMissingTotal()).toBe(before);
		clock.advance(10 * 60_000);
	});

	it('fails a search for an unknown id like the apps do', async () => {
		const cmd = await postCommand(env.son, { name: 'SeriesSearch', seriesId: 999_999 });
		clock.advance(301);
		const res = await getJson<WireCommand>(env.son, `/api/v3/command/${cmd.json.id}`);
		expect(res).toMatchObject({
			status: 'failed',
			result: 'unknown',
			message: 'Series with ID 999999 does not exist'
		});
		clock.advance(10 * 60_000);
	});

	it('grabs only available movies in MoviesSearch and stamps lastSearchTime', async () => {
		const now = clock.now().getTime();
		const all = await getJson<WireMovie[]>(env.rad, '/api/v3/movie');
		const unavailable = all.filter((m) => !m.isAvailable && !m.hasFile).map((m) => m.id);
		const missing = env.rad.wantedMovies('missing').map((m) => m.id);
		expect(unavailable.length).toBeGreaterThan(0);
		const cmd = await postCommand(env.rad, {
			name: 'moviessearch',
			movieIds: [...missing, ...unavailable]
		});
		expect(cmd.json.body).toMatchObject({ isTypeExclusive: false, name: 'MoviesSearch' });
		clock.advance(301);
		const c = env.rad.commands.find((x) => x.id === cmd.json.id);
		expect(c?.grabbedIds.sort((a, b) => a - b)).toEqual([...missing].sort((a, b) => a - b));
		expect(env.rad.wantedMissingTotal()).toBe(0);
		const after = await getJson<WireMovie[]>(env.rad, '/api/v3/movie');
		for (const m of after.filter((x) => unavailable.includes(x.id))) {
			expect(m.hasFile).toBe(false);
			expect(Date.parse(m.lastSearchTime ?? '')).toBe(Math.floor((now + 0) / 1000) * 1000);
		}
		const files = await getJson<WireEpisodeFile[]>(
			env.rad,
			`/api/v3/moviefile?${missing
				.slice(0, 3)
				.map((id) => `movieId=${id}`)
				.join('&')}`
		);
		expect(files).toHaveLength(Math.min(3, missing.length));
		clock.advance(10 * 60_000);
	});

	it('rejects bad command bodies the way ASP.NET and FluentValidation do', async () => {
		const unknown = await postCommand(env.son, { name: 'MakeCoffee' });
		expect(unknown.status).toBe(500);
		expect(unknown.json).toMatchObject({
			message: expect.any(String),
			description: expect.any(String)
		});
		const noName = await call(env.son, '/api/v3/command', {
			method: 'POST',
			body: JSON.stringify({ episodeIds: [1] })
		});
		expect(noName.status).toBe(400);
		const arr = JSON.parse(noName.text) as Array<{ propertyName: string; errorMessage: string }>;
		expect(Array.isArray(arr)).toBe(true);
		expect(arr[0]?.propertyName).toBe('Name');
		const malformed = await call(env.son, '/api/v3/command', {
			method: 'POST',
			body: '{"name": "RssSync",'
		});
		expect(malformed.status).toBe(400);
		expect(JSON.parse(malformed.text)).toMatchObject({
			status: 400,
			title: expect.any(String),
			errors: expect.any(Object)
		});
		const wrongType = await postCommand(env.son, { name: 'EpisodeSearch', episodeIds: ['1'] });
		expect(wrongType.status).toBe(400);
		const missingCmd = await call(env.son, '/api/v3/command/424242');
		expect(missingCmd.status).toBe(404);
		expect(JSON.parse(missingCmd.text)).toEqual({ message: 'NotFound' });
	});

	it('completes commands on the real clock', async () => {
		const r = await postCommand(sonarr, { name: 'RefreshSeries', seriesIds: [1] });
		expect(r.json.status).toBe('queued');
		expect(r.json.body).toMatchObject({
			seriesIds: [1],
			isNewSeries: false,
			updateScheduledTask: false
		});
		const deadline = Date.now() + 3000;
		let status = r.json.status;
		const seen = new Set<string>([status]);
		while (status !== 'completed' && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 20));
			status = (await getJson<WireCommand>(sonarr, `/api/v3/command/${r.json.id}`)).status;
			seen.add(status);
		}
		expect(status).toBe('completed');
		expect(seen.has('started')).toBe(true);
	});
});

describe('wire format', () => {
	const endpoints = {
		sonarr: [
			'/api/v3/series',
			'/api/v3/series/2',
			'/api/v3/episode?seriesId=2&includeSeries=true&includeEpisodeFile=true&includeImages=true',
			'/api/v3/episode/1',
			'/api/v3/episodefile?seriesId=2',
			'/api/v3/wanted/missing?pageSize=100&includeSeries=true',
			'/api/v3/wanted/cutoff?pageSize=100&includeSeries=true&includeEpisodeFile=true',
			'/api/v3/system/status',
			'/api/v3/health',
			'/api/v3/qualityprofile',
			'/api/v3/command',
			'/api/v3/rootfolder'
		],
		radarr: [
			'/api/v3/movie',
			'/api/v3/movie/2',
			'/api/v3/moviefile?movieId=1&movieId=2&movieId=3&movieId=4',
			'/api/v3/wanted/missing?pageSize=100',
			'/api/v3/wanted/cutoff?pageSize=100',
			'/api/v3/system/status',
			'/api/v3/health',
			'/api/v3/qualityprofile',
			'/api/v3/command'
		]
	};

	it('writes dates without fractional seconds, airDate as yyyy-MM-dd and never writes null', async () => {
		sonarr.setHealth([
			{
				source: 'IndexerStatusCheck',
				type: 'warning',
				message: 'Indexers unavailable',
				wikiUrl: 'https://wiki.servarr.com/sonarr/system#indexers'
			}
		]);
		await postCommand(sonarr, { name: 'RssSync' });
		await postCommand(radarr, { name: 'RssSync' });
		for (const [app, paths] of [
			[sonarr, endpoints.sonarr],
			[radarr, endpoints.radarr]
		] as const) {
			for (const path of paths) {
				const r = await call(app, path);
				expect(r.status, path).toBe(200);
				expect(r.headers.get('content-type')).toMatch(/^application\/json/);
				expect(r.text, path).not.toMatch(/:null[,}\]]/);
				const dates = r.text.match(/"\d{4}-\d{2}-\d{2}T[^"]*"/g) ?? [];
				for (const d of dates) {
					expect(d.slice(1, -1), path).toMatch(DATE_TIME);
				}
				for (const d of r.text.match(/"airDate":"[^"]*"/g) ?? []) {
					expect(d).toMatch(/^"airDate":"\d{4}-\d{2}-\d{2}"$/);
				}
			}
		}
		sonarr.setHealth([]);
	});

	const sonarrSpec = loadSpec('sonarr');
	const radarrSpec = loadSpec('radarr');
	if (!sonarrSpec || !radarrSpec) {
		console.warn('arr-sim: ../shared/arr-api is absent; skipping the OpenAPI schema checks');
	}

	it.skipIf(!sonarrSpec || !radarrSpec)(
		'matches the Sonarr and Radarr OpenAPI schemas',
		async () => {
			if (!sonarrSpec || !radarrSpec) {
				return;
			}
			sonarr.setHealth([
				{
					source: 'IndexerStatusCheck',
					type: 'warning',
					message: 'x',
					wikiUrl: 'https://wiki.servarr.com/sonarr/system'
				}
			]);
			radarr.setHealth([
				{
					source: 'IndexerStatusCheck',
					type: 'error',
					message: 'y',
					wikiUrl: 'https://wiki.servarr.com/radarr/system'
				}
			]);
			const post = await postCommand(sonarr, { name: 'EpisodeSearch', episodeIds: [1, 2] });
			const rpost = await postCommand(radarr, { name: 'MoviesSearch', movieIds: [1, 2] });
			const checks: Array<[string[], string]> = [
				[
					sonarrSpec.validateList(await getJson(sonarr, '/api/v3/series'), 'SeriesResource'),
					'series'
				],
				[
					sonarrSpec.validate(await getJson(sonarr, '/api/v3/series/2'), 'SeriesResource'),
					'series/2'
				],
				[
					sonarrSpec.validateList(
						await getJson(sonarr, endpoints.sonarr[2] ?? ''),
						'EpisodeResource'
					),
					'episode'
				],
				[
					sonarrSpec.validate(await getJson(sonarr, '/api/v3/episode/1'), 'EpisodeResource'),
					'episode/1'
				],
				[
					sonarrSpec.validateList(
						await getJson(sonarr, '/api/v3/episodefile?seriesId=2'),
						'EpisodeFileResource'
					),
					'episodefile'
				],
				[
					sonarrSpec.validate(
						await getJson(sonarr, endpoints.sonarr[5] ?? ''),
						'EpisodeResourcePagingResource'
					),
					'wanted/missing'
				],
				[
					sonarrSpec.validate(
						await getJson(sonarr, endpoints.sonarr[6] ?? ''),
						'EpisodeResourcePagingResource'
					),
					'wanted/cutoff'
				],
				[
					sonarrSpec.validate(await getJson(sonarr, '/api/v3/system/status'), 'SystemResource'),
					'system/status'
				],
				[
					sonarrSpec.validateList(await getJson(sonarr, '/api/v3/health'), 'HealthResource'),
					'health'
				],
				[
					sonarrSpec.validateList(
						await getJson(sonarr, '/api/v3/qualityprofile'),
						'QualityProfileResource'
					),
					'qualityprofile'
				],
				[sonarrSpec.validate(post.json, 'CommandResource'), 'POST command'],
				[
					sonarrSpec.validateList(await getJson(sonarr, '/api/v3/command'), 'CommandResource'),
					'command list'
				],
				[sonarrSpec.validateList(await getJson(sonarr, '/api/v3/tag'), 'TagResource'), 'tag'],
				[
					sonarrSpec.validate(JSON.parse((await call(sonarr, '/ping')).text), 'PingResource'),
					'ping'
				],
				[radarrSpec.validateList(await getJson(radarr, '/api/v3/movie'), 'MovieResource'), 'movie'],
				[radarrSpec.validate(await getJson(radarr, '/api/v3/movie/2'), 'MovieResource'), 'movie/2'],
				[
					radarrSpec.validateList(
						await getJson(radarr, endpoints.radarr[2] ?? ''),
						'MovieFileResource'
					),
					'moviefile'
				],
				[
					radarrSpec.validate(
						await getJson(radarr, endpoints.radarr[3] ?? ''),
						'MovieResourcePagingResource'
					),
					'radarr wanted/missing'
				],
				[
					radarrSpec.validate(
						await getJson(radarr, endpoints.radarr[4] ?? ''),
						'MovieResourcePagingResource'
					),
					'radarr wanted/cutoff'
				],
				[
					radarrSpec.validate(await getJson(radarr, '/api/v3/system/status'), 'SystemResource'),
					'radarr system/status'
				],
				[
					radarrSpec.validateList(await getJson(radarr, '/api/v3/health'), 'HealthResource'),
					'radarr health'
				],
				[
					radarrSpec.validateList(
						await getJson(radarr, '/api/v3/qualityprofile'),
						'QualityProfileResource'
					),
					'radarr qualityprofile'
				],
				[radarrSpec.validate(rpost.json, 'CommandResource'), 'radarr POST command']
			];
			for (const [errors, label] of checks) {
				expect(errors, label).toEqual([]);
			}
			// The checker itself catches violations.
			expect(
				sonarrSpec.validate(
					{ id: 1, seriesId: 'x', airDateUtc: '2024-01-01T00:00:00.5Z', bogus: 1 },
					'EpisodeResource'
				).length
			).toBeGreaterThan(3);
			sonarr.setHealth([]);
			radarr.setHealth([]);
		}
	);

	it.skipIf(!sonarrSpec || !radarrSpec)(
		"records file changes in history/since, shaped as the specs' HistoryResource",
		async () => {
			if (!sonarrSpec || !radarrSpec) {
				return;
			}
			const since = new Date(sonarr.options.now().getTime() - 1000).toISOString();
			const ep = sonarr.episodes.find((e) => e.episodeFileId > 0);
			const movie = radarr.movies.find((m) => m.movieFileId > 0);
			expect(ep && movie).toBeTruthy();
			sonarr.setEpisodeFile(ep!.id, { cutoffNotMet: false });
			sonarr.setEpisodeFile(ep!.id, null);
			radarr.setMovieFile(movie!.id, { cutoffNotMet: false });
			const list = await getJson(sonarr, `/api/v3/history/since?date=${since}`);
			expect(sonarrSpec.validateList(list, 'HistoryResource')).toEqual([]);
			expect((list as { eventType: string; episodeId: number }[]).slice(-2)).toMatchObject([
				{ eventType: 'downloadFolderImported', episodeId: ep!.id },
				{ eventType: 'episodeFileDeleted', episodeId: ep!.id }
			]);
			const rlist = await getJson(radarr, `/api/v3/history/since?date=${since}`);
			expect(radarrSpec.validateList(rlist, 'HistoryResource')).toEqual([]);
			expect((rlist as { eventType: string; movieId: number }[]).at(-1)).toMatchObject({
				eventType: 'downloadFolderImported',
				movieId: movie!.id
			});
			const later = new Date(sonarr.options.now().getTime() + 60_000).toISOString();
			expect(await getJson(sonarr, `/api/v3/history/since?date=${later}`)).toEqual([]);
			expect((await call(sonarr, '/api/v3/history/since?date=nope')).status).toBe(400);
			expect(sonarrSpec.hasOperation('GET', '/api/v3/history/since')).toBe(true);
		}
	);

	it('reports patched quality profiles and set tags', async () => {
		const before = (await getJson(sonarr, '/api/v3/qualityprofile')) as { cutoff: number }[];
		sonarr.setQualityProfile(1, { cutoff: 9, cutoffFormatScore: 5 });
		sonarr.setTags([{ id: 3, label: 'kids' }]);
		const profiles = (await getJson(sonarr, '/api/v3/qualityprofile')) as {
			id: number;
			cutoff: number;
			cutoffFormatScore: number;
		}[];
		expect(profiles.find((p) => p.id === 1)).toMatchObject({ cutoff: 9, cutoffFormatScore: 5 });
		expect(await getJson(sonarr, '/api/v3/tag')).toEqual([{ label: 'kids', id: 3 }]);
		sonarr.setQualityProfile(1, { cutoff: before[0]!.cutoff, cutoffFormatScore: 0 });
		sonarr.setTags([]);
		expect(await getJson(sonarr, '/api/v3/qualityprofile')).toEqual(before);
	});

	it.skipIf(!sonarrSpec || !radarrSpec)('serves only operations that the specs document', () => {
		if (!sonarrSpec || !radarrSpec) {
			return;
		}
		for (const p of [
			'/ping',
			'/api',
			...endpoints.sonarr.map((e) => e.split('?')[0] ?? ''),
			'/api/v3/episodefile/1',
			'/api/v3/command/1',
			'/api/v3/tag',
			'/api/v3/qualityprofile/1'
		]) {
			expect(sonarrSpec.hasOperation('GET', p), p).toBe(true);
		}
		expect(sonarrSpec.hasOperation('POST', '/api/v3/command')).toBe(true);
		for (const p of [
			'/ping',
			...endpoints.radarr.map((e) => e.split('?')[0] ?? ''),
			'/api/v3/moviefile/1',
			'/api/v3/rootfolder'
		]) {
			expect(radarrSpec.hasOperation('GET', p), p).toBe(true);
		}
	});
});

describe('errors and faults', () => {
	it('answers 400 when /episode or /episodefile get neither seriesId nor ids, and 404 for unknown ids', async () => {
		const ep = await call(sonarr, '/api/v3/episode');
		expect(ep.status).toBe(400);
		expect(JSON.parse(ep.text)).toMatchObject({
			message: 'seriesId or episodeIds must be provided'
		});
		expect((await call(sonarr, '/api/v3/episodefile')).status).toBe(400);
		expect((await call(radarr, '/api/v3/moviefile')).status).toBe(400);
		expect((await call(sonarr, '/api/v3/episode?seriesId=abc')).status).toBe(400);
		expect((await call(sonarr, '/api/v3/series/999999')).status).toBe(404);
		expect((await call(radarr, '/api/v3/movie/999999')).status).toBe(404);
		expect(JSON.parse((await call(sonarr, '/api/v3/episode?seriesId=999999')).text)).toEqual([]);
		expect((await call(sonarr, '/api/v3/movie')).status).toBe(404);
	});

	it('injects status, malformed bodies and delays for a path prefix, a limited number of times', async () => {
		sonarr.setFault('/api/v3/series', {
			status: 500,
			body: '{"message":"database is locked"}',
			times: 1
		});
		const failed = await call(sonarr, '/api/v3/series/1');
		expect(failed.status).toBe(500);
		expect(JSON.parse(failed.text)).toEqual({ message: 'database is locked' });
		expect((await call(sonarr, '/api/v3/series/1')).status).toBe(200);

		sonarr.setFault('/api/v3/wanted', { status: 200, body: '{"page":1,"records":[' });
		const broken = await call(sonarr, '/api/v3/wanted/missing');
		expect(broken.status).toBe(200);
		expect(() => JSON.parse(broken.text) as unknown).toThrow();
		const stillBroken = await call(sonarr, '/api/v3/wanted/missing'); // no `times`: unlimited
		expect(() => JSON.parse(stillBroken.text) as unknown).toThrow();
		sonarr.setFault('/api/v3/wanted', null);
		const healed = await call(sonarr, '/api/v3/wanted/missing');
		expect(() => JSON.parse(healed.text) as unknown).not.toThrow();

		sonarr.setFault('/api/v3/tag', { delayMs: 200 });
		const slow = await call(sonarr, '/api/v3/tag');
		expect(slow.status).toBe(200);
		expect(slow.ms).toBeGreaterThanOrEqual(190);
		sonarr.setFault('/ping', { status: 503 });
		expect((await call(sonarr, '/ping', { key: null })).status).toBe(503);
		sonarr.clearFaults();
		expect((await call(sonarr, '/ping', { key: null })).status).toBe(200);
		const fast = await call(sonarr, '/api/v3/tag');
		expect(fast.ms).toBeLessThan(150);
	});
});

describe('test helpers', () => {
	const env = sonarrAndRadarr({ series: 10 }, { movies: 40 });
	const { clock } = env;

	it('removes a series with its episodes and files', async () => {
		const victim = env.son.series.find((s) =>
			env.son.wantedEpisodes('missing').some((e) => e.seriesId === s.id)
		);
		expect(victim).toBeDefined();
		const id = victim?.id ?? 0;
		const lost = env.son.wantedEpisodes('missing').filter((e) => e.seriesId === id).length;
		const before = env.son.wantedMissingTotal();
		expect(env.son.removeSeries(id)).toBe(true);
		expect(env.son.wantedMissingTotal()).toBe(before - lost);
		expect((await call(env.son, `/api/v3/series/${id}`)).status).toBe(404);
		expect(JSON.parse((await call(env.son, `/api/v3/episode?seriesId=${id}`)).text)).toEqual([]);
		expect(env.son.episodeFiles.some((f) => f.seriesId === id)).toBe(false);
		expect(env.son.removeSeries(id)).toBe(false);
	});

	it('sets and deletes episode and movie files, moving items between wanted lists', () => {
		const missing = env.son.wantedEpisodes('missing')[0];
		expect(missing).toBeDefined();
		const m0 = env.son.wantedMissingTotal();
		const c0 = env.son.wantedCutoffTotal();
		env.son.setEpisodeFile(missing?.id ?? 0, { cutoffNotMet: true });
		expect(env.son.wantedMissingTotal()).toBe(m0 - 1);
		expect(env.son.wantedCutoffTotal()).toBe(c0 + 1);
		env.son.setEpisodeFile(missing?.id ?? 0, { cutoffNotMet: false });
		expect(env.son.wantedCutoffTotal()).toBe(c0);
		env.son.setEpisodeFile(missing?.id ?? 0, null);
		expect(env.son.wantedMissingTotal()).toBe(m0);
		expect(() => env.son.setEpisodeFile(987_654, null)).toThrow();

		const movie = env.rad.wantedMovies('missing')[0];
		expect(movie).toBeDefined();
		const r0 = env.rad.wantedMissingTotal();
		const file = env.rad.setMovieFile(movie?.id ?? 0, { cutoffNotMet: true });
		expect(file?.movieId).toBe(movie?.id);
		expect(env.rad.wantedMissingTotal()).toBe(r0 - 1);
		expect(env.rad.wantedMovies('cutoff').some((m) => m.id === movie?.id)).toBe(true);
		env.rad.setMovieFile(movie?.id ?? 0, null);
		expect(env.rad.wantedMissingTotal()).toBe(r0);
	});

	it('adds series and movies with overrides and serves them', async () => {
		const s = env.son.addSeries(
			{ title: 'Added Ünïcode Show', monitored: true },
			{ kind: 'ended', seasons: 2, episodesPerSeason: 10, missingRatio: 1, specials: false }
		);
		expect(s.id).toBe(11);
		expect(env.son.episodesOf(s.id)).toHaveLength(20);
		const wire = await getJson<WireSeries>(env.son, `/api/v3/series/${s.id}`);
		expect(wire.title).toBe('Added Ünïcode Show');
		const m = env.rad.addMovie({ monitored: false }, { kind: 'released', hasFile: false });
		expect(m.id).toBe(41);
		expect((await getJson<WireMovie>(env.rad, `/api/v3/movie/${m.id}`)).monitored).toBe(false);
		env.son.removeSeries(s.id);
		env.rad.removeMovie(m.id);
	});

	it('rotates the API key', async () => {
		env.son.setApiKey('11111111111111111111111111111111');
		expect((await call(env.son, '/api/v3/tag', { key: SONARR_KEY })).status).toBe(401);
		expect(
			(await call(env.son, '/api/v3/tag', { key: '11111111111111111111111111111111' })).status
		).toBe(200);
		env.son.setApiKey(SONARR_KEY);
	});

	it('resets to the seeded library and forgets commands and requests', async () => {
		await postCommand(env.son, { name: 'RssSync' });
		env.son.reset();
		expect(env.son.commands).toEqual([]);
		expect(env.son.requests).toEqual([]);
		expect(env.sim.requests.some((r) => r.instance === '/sonarr')).toBe(false);
		expect(env.son.series).toHaveLength(10);
		const fresh = await startSimulator({
			instances: [
				{ type: 'sonarr', urlBase: '/sonarr', apiKey: SONARR_KEY, series: 10, now: clock.now }
			]
		});
		try {
			expect(env.son.episodes).toEqual(fresh.instance('/sonarr').episodes);
		} finally {
			await fresh.stop();
		}
		expect(() => env.sim.instance('/nope')).toThrow();
		expect(env.sim.instance('sonarr/')).toBe(env.son);
	});

	it('offers an unauthenticated control API that is not recorded', async () => {
		env.sim.clearRequests();
		await call(env.son, '/api/v3/tag');
		await call(env.rad, '/api/v3/tag');
		const all = (await (await fetch(`${env.sim.url}/__sim/requests`)).json()) as unknown[];
		expect(all).toHaveLength(2);
		const onlyRadarr = (await (
			await fetch(`${env.sim.url}/__sim/requests?instance=/radarr`)
		).json()) as Array<{ instance: string }>;
		expect(onlyRadarr.map((r) => r.instance)).toEqual(['/radarr']);

		await postCommand(env.rad, { name: 'MoviesSearch', movieIds: [2, 1] });
		const state = (await (await fetch(`${env.sim.url}/__sim/state`)).json()) as Array<{
			urlBase: string;
			type: string;
			apiKey: string;
			wantedMissing: number;
			wantedCutoff: number;
			commands: Array<{ id: number; name: string; body: Record<string, unknown>; status: string }>;
		}>;
		expect(state.map((s) => [s.urlBase, s.type, s.apiKey])).toEqual([
			['/sonarr', 'sonarr', SONARR_KEY],
			['/radarr', 'radarr', RADARR_KEY]
		]);
		expect(state[0]?.wantedMissing).toBe(env.son.wantedMissingTotal());
		expect(state[1]?.wantedCutoff).toBe(env.rad.wantedCutoffTotal());
		expect(state[1]?.commands.at(-1)).toMatchObject({
			name: 'MoviesSearch',
			body: { movieIds: [2, 1] }
		});

		const fault = await fetch(`${env.sim.url}/__sim/fault`, {
			method: 'POST',
			body: JSON.stringify({
				urlBase: '/radarr',
				pathPrefix: '/api/v3/movie',
				fault: { status: 502, times: 1 }
			})
		});
		expect(fault.status).toBe(200);
		expect((await call(env.rad, '/api/v3/movie')).status).toBe(502);
		expect((await call(env.rad, '/api/v3/movie')).status).toBe(200);

		const reset = await fetch(`${env.sim.url}/__sim/reset`, { method: 'POST' });
		expect(reset.status).toBe(200);
		expect(env.rad.commands).toEqual([]);
		expect(env.sim.requests).toEqual([]);
	});
});

describe('CLI', () => {
	it('starts Sonarr, Radarr, both Whisparrs and the large Sonarr, prints one line and stops on SIGTERM', async () => {
		const repo = fileURLToPath(new URL('../../', import.meta.url));
		const proc = Bun.spawn([process.execPath, 'tests/arr-sim/main.ts'], {
			cwd: repo,
			env: {
				...process.env,
				SIM_PORT: '0',
				SIM_SERIES: '3',
				SIM_MOVIES: '4',
				SIM_LARGE_SERIES: '5'
			},
			stdout: 'pipe',
			stderr: 'pipe'
		});
		const reader = proc.stdout.getReader();
		let out = '';
		while (!out.includes('\n')) {
			const { value, done } = await reader.read();
			if (done) {
				break;
			}
			out += new TextDecoder().decode(value);
		}
		reader.releaseLock();
		const m =
			/^arr-sim listening on (http:\/\/127\.0\.0\.1:(\d+)) \(sonarr: \/sonarr, radarr: \/radarr, whisparr: \/whisparr, whisparr3: \/whisparr3, sonarr-large: \/sonarr-large\)\n$/.exec(
				out
			);
		expect(m, out).not.toBeNull();
		const origin = m?.[1] ?? '';
		expect((await fetch(`${origin}/sonarr/ping`)).status).toBe(200);
		const series = await fetch(`${origin}/sonarr/api/v3/series`, {
			headers: { 'X-Api-Key': SONARR_KEY }
		});
		expect(((await series.json()) as unknown[]).length).toBe(3);
		const large = await fetch(`${origin}/sonarr-large/api/v3/series`, {
			headers: { 'X-Api-Key': SONARR_KEY }
		});
		expect(((await large.json()) as unknown[]).length).toBe(5);
		const movies = await fetch(`${origin}/radarr/api/v3/movie`, {
			headers: { 'X-Api-Key': RADARR_KEY }
		});
		expect(((await movies.json()) as unknown[]).length).toBe(4);
		// Whisparr v2 gets a third of the series, Whisparr v3 a third of the movies (rounded up).
		const sites = await fetch(`${origin}/whisparr/api/v3/series`, {
			headers: { 'X-Api-Key': 'abcdefabcdefabcdefabcdefabcdef01' }
		});
		expect(((await sites.json()) as unknown[]).length).toBe(1);
		const w3 = { 'X-Api-Key': '1234512345123451234512345123451a' };
		expect(
			(
				(await (
					await fetch(`${origin}/whisparr3/api/v3/movie`, { headers: w3 })
				).json()) as unknown[]
			).length
		).toBe(2);
		const status = (await (
			await fetch(`${origin}/whisparr3/api/v3/system/status`, { headers: w3 })
		).json()) as { appName: string; version: string };
		expect(status).toMatchObject({ appName: 'Whisparr', version: '3.2.0.27' });
		expect((await fetch(`${origin}/whisparr3/api/v3/wanted/missing`, { headers: w3 })).status).toBe(
			404
		);
		proc.kill('SIGTERM');
		expect(await proc.exited).toBe(0);
	});
});
