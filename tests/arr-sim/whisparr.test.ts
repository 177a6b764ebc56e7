/**
 * Whisparr v2 (Sonarr-shaped: sites and scenes) and Whisparr v3 "Eros" (Radarr-shaped: movies and
 * scenes) must look like their own OpenAPI specs, not like the apps they were forked from. A
 * manual clock makes wanted lists and the command lifecycle exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimInstance, type Simulator } from './index';
import { loadSpec } from './spec-check';
import {
	call,
	getJson,
	manualClock,
	postCommand,
	seriesWithEpisodes,
	type WireCommand,
	type WirePage
} from './test-helpers';

const W2_KEY = 'abcdefabcdefabcdefabcdefabcdef01';
const W3_KEY = '1234512345123451234512345123451a';
const DAY = 86_400_000;
const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

interface WireSite {
	id: number;
	title: string;
	monitored: boolean;
}
interface WireScene {
	id: number;
	seriesId: number;
	seasonNumber: number;
	title: string;
	releaseDate?: string;
	seriesTitle?: string;
	actors?: Array<{ tpdbId: number; name: string; gender: string }>;
	grabbed: boolean;
	hasFile: boolean;
	monitored: boolean;
	series?: unknown;
	images?: unknown[];
	episodeFile?: { id: number; qualityCutoffNotMet: boolean };
}
interface WireItem {
	id: number;
	title: string;
	itemType: 'movie' | 'scene';
	stashId?: string;
	foreignId: string;
	studioTitle?: string;
	code?: string;
	releaseDate?: string;
	monitored: boolean;
	hasFile: boolean;
	isAvailable: boolean;
	movieFile?: {
		id: number;
		qualityCutoffNotMet: boolean;
		quality: { quality: Record<string, unknown> };
	};
}
const v2Spec = loadSpec('whisparr-v2');
const v3Spec = loadSpec('whisparr-v3');
if (!v2Spec || !v3Spec) {
	console.warn('arr-sim: ../shared/arr-api is absent; skipping the Whisparr OpenAPI schema checks');
}

let sim: Simulator;
let w2: SimInstance;
let w3: SimInstance;
let w3wanted: SimInstance;
const clock = manualClock();

beforeAll(async () => {
	sim = await startSimulator({
		instances: [
			{
				type: 'whisparr-v2',
				urlBase: '/whisparr',
				apiKey: W2_KEY,
				series: 8,
				grabRate: 1,
				commandDurationMs: 100,
				now: clock.now
			},
			{
				type: 'whisparr-v3',
				urlBase: '/whisparr3',
				apiKey: W3_KEY,
				movies: 40,
				grabRate: 1,
				commandDurationMs: 100,
				now: clock.now
			},
			{
				type: 'whisparr-v3',
				urlBase: '/whisparr3-late',
				apiKey: W3_KEY,
				movies: 40,
				wantedEndpoints: true,
				now: clock.now
			}
		]
	});
	w2 = sim.instance('/whisparr');
	w3 = sim.instance('/whisparr3');
	w3wanted = sim.instance('/whisparr3-late');
});

afterAll(async () => {
	await sim.stop();
});

/** The simulator's documented Whisparr v2 wanted/missing rule, applied to wire data. */
function countMissingScenes(sites: WireSite[], scenes: WireScene[], nowMs: number): number {
	const byId = new Map(sites.map((s) => [s.id, s]));
	return scenes.filter(
		(e) =>
			e.monitored &&
			byId.get(e.seriesId)?.monitored === true &&
			!e.hasFile &&
			e.releaseDate !== undefined &&
			Date.parse(`${e.releaseDate}T00:00:00Z`) <= nowMs
	).length;
}

describe('Whisparr v2 (sites and scenes)', () => {
	it('reports itself as Whisparr 2', async () => {
		const status = await getJson<{
			appName: string;
			instanceName: string;
			version: string;
			branch: string;
		}>(w2, '/api/v3/system/status');
		expect(status).toMatchObject({
			appName: 'Whisparr',
			instanceName: 'Whisparr',
			version: '2.0.0.1000'
		});
		expect(w2.options).toMatchObject({
			type: 'whisparr-v2',
			version: '2.0.0.1000',
			wantedEndpoints: true
		});
	});

	it('writes scenes without episodeNumber, airDate, airDateUtc or lastSearchTime, with releaseDate, seriesTitle, actors and grabbed', async () => {
		const { series: sites, episodes: scenes } = await seriesWithEpisodes<WireSite, WireScene>(w2);
		expect(sites).toHaveLength(8);
		expect(scenes.length).toBe(w2.episodes.length);
		const titles = new Map(sites.map((s) => [s.id, s.title]));
		for (const scene of scenes) {
			for (const absent of [
				'episodeNumber',
				'airDate',
				'airDateUtc',
				'lastSearchTime',
				'finaleType',
				'unverifiedSceneNumbering'
			]) {
				expect(scene, `scene ${scene.id}`).not.toHaveProperty(absent);
			}
			if (scene.releaseDate !== undefined) {
				expect(scene.releaseDate).toMatch(DAY_ONLY);
			}
			expect(scene.seriesTitle).toBe(titles.get(scene.seriesId));
			expect(scene.actors?.length).toBeGreaterThan(0);
			expect(scene.grabbed).toBe(false);
		}
		// The generator has scenes without a release date too (TBA).
		expect(scenes.some((s) => s.releaseDate === undefined)).toBe(true);
		const raw = await call(w2, `/api/v3/episode?seriesId=${sites[0]?.id ?? 1}`);
		expect(raw.text).not.toMatch(/"(episodeNumber|airDateUtc|airDate|lastSearchTime)"/);
		expect(raw.text).not.toMatch(/:null[,}\]]/);
	});

	it('binds only seriesId, seasonNumber, episodeIds, episodeFileId and includeImages on GET /episode', async () => {
		const withIncludes = await getJson<WireScene[]>(
			w2,
			'/api/v3/episode?seriesId=1&includeSeries=true&includeEpisodeFile=true&includeImages=true'
		);
		expect(withIncludes.length).toBeGreaterThan(0);
		for (const scene of withIncludes) {
			expect(scene).not.toHaveProperty('series');
			expect(scene).not.toHaveProperty('episodeFile');
			expect(scene.images).toEqual([]);
		}
		const byIds = await getJson<WireScene[]>(w2, '/api/v3/episode?episodeIds=2&episodeIds=1');
		expect(byIds.map((s) => s.id)).toEqual([2, 1]);
		const bad = await call(w2, '/api/v3/episode');
		expect(bad.status).toBe(400);
		expect(JSON.parse(bad.text)).toMatchObject({
			message: 'seriesId or episodeIds must be provided'
		});
		// GET /episode/{id} embeds the site (and the file when there is one).
		const withFile = w2.episodes.find((e) => e.episodeFileId > 0);
		const one = await getJson<WireScene>(w2, `/api/v3/episode/${withFile?.id ?? 1}`);
		expect(one.series).toBeDefined();
		expect(one.episodeFile?.id).toBe(withFile?.episodeFileId);
	});

	it.skipIf(!v2Spec)('matches the Whisparr v2 OpenAPI schemas', async () => {
		if (!v2Spec) {
			return;
		}
		w2.setHealth([
			{
				source: 'IndexerStatusCheck',
				type: 'warning',
				message: 'Indexers unavailable',
				wikiUrl: 'https://wiki.servarr.com/whisparr'
			}
		]);
		const post = await postCommand(w2, { name: 'RssSync' });
		clock.advance(1);
		const checks: Array<[string[], string]> = [
			[v2Spec.validateList(await getJson(w2, '/api/v3/series'), 'SeriesResource'), 'series'],
			[v2Spec.validate(await getJson(w2, '/api/v3/series/2'), 'SeriesResource'), 'series/2'],
			[
				v2Spec.validateList(
					await getJson(w2, '/api/v3/episode?seriesId=2&includeImages=true'),
					'EpisodeResource'
				),
				'episode'
			],
			[v2Spec.validate(await getJson(w2, '/api/v3/episode/1'), 'EpisodeResource'), 'episode/1'],
			[
				v2Spec.validateList(
					await getJson(w2, '/api/v3/episodefile?seriesId=2'),
					'EpisodeFileResource'
				),
				'episodefile'
			],
			[
				v2Spec.validate(
					await getJson(
						w2,
						'/api/v3/wanted/missing?pageSize=200&includeSeries=true&includeImages=true'
					),
					'EpisodeResourcePagingResource'
				),
				'wanted/missing'
			],
			[
				v2Spec.validate(
					await getJson(
						w2,
						'/api/v3/wanted/cutoff?pageSize=200&includeSeries=true&includeEpisodeFile=true'
					),
					'EpisodeResourcePagingResource'
				),
				'wanted/cutoff'
			],
			[
				v2Spec.validate(await getJson(w2, '/api/v3/system/status'), 'SystemResource'),
				'system/status'
			],
			[v2Spec.validateList(await getJson(w2, '/api/v3/health'), 'HealthResource'), 'health'],
			[
				v2Spec.validateList(await getJson(w2, '/api/v3/qualityprofile'), 'QualityProfileResource'),
				'qualityprofile'
			],
			[
				v2Spec.validateList(await getJson(w2, '/api/v3/rootfolder'), 'RootFolderResource'),
				'rootfolder'
			],
			[v2Spec.validateList(await getJson(w2, '/api/v3/tag'), 'TagResource'), 'tag'],
			[v2Spec.validate(post.json, 'CommandResource'), 'POST command'],
			[v2Spec.validateList(await getJson(w2, '/api/v3/command'), 'CommandResource'), 'command list']
		];
		for (const [errors, label] of checks) {
			expect(errors, label).toEqual([]);
		}
		// The checker knows the Whisparr-only wire rules: DateOnly is a string, not an object.
		expect(
			v2Spec
				.validate({ id: 1, releaseDate: { year: 2024, month: 1, day: 2 } }, 'EpisodeResource')
				.join()
		).toMatch(/DateOnly/);
		expect(v2Spec.validate({ id: 1, episodeNumber: 3 }, 'EpisodeResource').join()).toMatch(
			/episodeNumber: not a property/
		);
		for (const p of [
			'/api/v3/series',
			'/api/v3/episode',
			'/api/v3/episode/1',
			'/api/v3/wanted/missing',
			'/api/v3/wanted/cutoff',
			'/api/v3/episodefile'
		]) {
			expect(v2Spec.hasOperation('GET', p), p).toBe(true);
		}
		w2.setHealth([]);
	});

	it('answers HEAD /ping with 405 (Whisparr v2 maps GET only)', async () => {
		expect((await fetch(`${w2.baseUrl}/ping`)).status).toBe(200);
		expect((await fetch(`${w2.baseUrl}/ping`, { method: 'HEAD' })).status).toBe(405);
		expect((await fetch(`${w3.baseUrl}/ping`, { method: 'HEAD' })).status).toBe(200);
	});

	it('counts a scene as missing from the midnight UTC of its releaseDate on', async () => {
		const { series: sites, episodes: scenes } = await seriesWithEpisodes<WireSite, WireScene>(w2);
		const nowMs = clock.now().getTime();
		const missing = await getJson<WirePage<WireScene>>(w2, '/api/v3/wanted/missing?pageSize=1000');
		expect(missing.totalRecords).toBe(countMissingScenes(sites, scenes, nowMs));
		expect(missing.totalRecords).toBe(w2.wantedMissingTotal());
		expect(missing.totalRecords).toBeGreaterThan(0);
		expect(missing.sortKey).toBe('releaseDate');

		// A monitored scene without file, released "tomorrow": not missing until tomorrow 00:00:00Z.
		const site = w2.series.find((s) => s.monitored);
		const scene = w2.episodes.find(
			(e) => e.seriesId === site?.id && e.monitored && e.episodeFileId === 0
		);
		expect(scene).toBeDefined();
		if (!scene) {
			return;
		}
		const saved = { airDate: scene.airDate, airDateUtc: scene.airDateUtc };
		const tomorrow = Math.floor(nowMs / DAY) * DAY + DAY;
		scene.airDate = new Date(tomorrow).toISOString().slice(0, 10);
		scene.airDateUtc = new Date(tomorrow);
		w2.reindex();
		const before = w2.wantedMissingTotal();
		expect(w2.wantedEpisodes('missing').some((e) => e.id === scene.id)).toBe(false);
		clock.set(tomorrow - 1000);
		expect(w2.wantedEpisodes('missing').some((e) => e.id === scene.id)).toBe(false);
		clock.set(tomorrow);
		const page = await getJson<WirePage<WireScene>>(
			w2,
			'/api/v3/wanted/missing?pageSize=1000&sortDirection=ascending'
		);
		expect(page.records.some((r) => r.id === scene.id && r.releaseDate === scene.airDate)).toBe(
			true
		);
		expect(page.totalRecords).toBeGreaterThanOrEqual(before + 1);
		const dates = page.records.map((r) => r.releaseDate ?? '');
		expect(dates).toEqual([...dates].sort());
		Object.assign(scene, saved);
		w2.reindex();
		// The clock stays at tomorrow: moving it back would reorder the command queue's history.
	});

	it('runs EpisodeSearch and SeasonSearch like Sonarr, without ever writing lastSearchTime', async () => {
		const target = w2.wantedEpisodes('missing')[0];
		expect(target).toBeDefined();
		const post = await postCommand(w2, { name: 'EpisodeSearch', episodeIds: [target?.id ?? 0] });
		expect(post.status).toBe(201);
		expect(post.headers.get('location')).toBe(`/whisparr/api/v3/command/${post.json.id}`);
		expect(post.json.status).toBe('queued');
		expect(
			(await postCommand(w2, { name: 'episodesearch', episodeIds: [target?.id ?? 0] })).json.id
		).toBe(post.json.id);
		clock.advance(1);
		expect((await getJson<WireCommand>(w2, `/api/v3/command/${post.json.id}`)).status).toBe(
			'started'
		);
		expect(w2.episodes.find((e) => e.id === target?.id)?.lastSearchTime).toBeInstanceOf(Date);
		clock.advance(100);
		expect((await getJson<WireCommand>(w2, `/api/v3/command/${post.json.id}`)).status).toBe(
			'completed'
		);
		// grabRate 1: the searched missing scene now has a file.
		const scene = await getJson<WireScene>(w2, `/api/v3/episode/${target?.id ?? 0}`);
		expect(scene.hasFile).toBe(true);
		expect(scene).not.toHaveProperty('lastSearchTime');

		const season = w2.episodes.find((e) => e.monitored);
		const season1 = await postCommand(w2, {
			name: 'SeasonSearch',
			seriesId: season?.seriesId,
			seasonNumber: season?.seasonNumber
		});
		expect(season1.status).toBe(201);
		clock.advance(1);
		const cmd = w2.commands.find((c) => c.id === season1.json.id);
		const expected = w2
			.episodesOf(season?.seriesId ?? 0)
			.filter((e) => e.seasonNumber === season?.seasonNumber && e.monitored)
			.map((e) => e.id);
		expect(cmd?.searchedIds).toEqual(expected);
		clock.advance(100);
		expect(w2.commands.find((c) => c.id === season1.json.id)?.status).toBe('completed');
	});

	it('keeps the Sonarr-shaped helpers and rejects the Radarr-shaped ones', () => {
		expect(w2.movies).toEqual([]);
		expect(() => w2.wantedMovies('missing')).toThrow(/whisparr-v2/);
		const added = w2.addSeries(
			{ title: 'Added Site' },
			{ kind: 'ended', seasons: 1, episodesPerSeason: 4, missingRatio: 1, specials: false }
		);
		for (const e of w2.episodesOf(added.id)) {
			// releaseDate's midnight UTC is the airDateUtc of a scene.
			expect(e.airDateUtc?.toISOString()).toBe(`${e.airDate ?? ''}T00:00:00.000Z`);
		}
		expect(added.rootFolderPath).toBe('/sites');
		expect(w2.removeSeries(added.id)).toBe(true);
	});
});

describe('Whisparr v3 "Eros" (movies and scenes)', () => {
	it('reports itself as Whisparr 3', async () => {
		const status = await getJson<{ appName: string; version: string }>(w3, '/api/v3/system/status');
		expect(status).toMatchObject({ appName: 'Whisparr', version: '3.2.0.27' });
		expect(w3.options.wantedEndpoints).toBe(false);
		expect(w3wanted.options.wantedEndpoints).toBe(true);
	});

	it('writes MovieResource with itemType, stashId, foreignId, studioTitle and code, without Radarr-only fields', async () => {
		const items = await getJson<WireItem[]>(w3, '/api/v3/movie');
		expect(items).toHaveLength(40);
		expect(new Set(items.map((m) => m.itemType))).toEqual(new Set(['movie', 'scene']));
		for (const m of items) {
			expect(['movie', 'scene']).toContain(m.itemType);
			expect(typeof m.foreignId).toBe('string');
			expect(typeof m.studioTitle).toBe('string');
			for (const absent of [
				'lastSearchTime',
				'minimumAvailability',
				'inCinemas',
				'digitalRelease',
				'physicalRelease',
				'movieFileId',
				'studio',
				'originalTitle'
			]) {
				expect(m, `item ${m.id}`).not.toHaveProperty(absent);
			}
			if (m.itemType === 'scene' && m.stashId !== undefined) {
				expect(m.foreignId).toBe(m.stashId);
			}
			if (m.movieFile) {
				expect(typeof m.movieFile.qualityCutoffNotMet).toBe('boolean');
				expect(m.movieFile.quality.quality).not.toHaveProperty('modifier');
			}
		}
		expect(items.some((m) => m.code !== undefined)).toBe(true);
		expect(items.some((m) => m.stashId !== undefined)).toBe(true);
		expect(items.some((m) => m.movieFile?.qualityCutoffNotMet === true)).toBe(true);
		const withStash = items.find((m) => m.stashId !== undefined);
		const byStash = await getJson<WireItem[]>(
			w3,
			`/api/v3/movie?stashId=${withStash?.stashId ?? ''}`
		);
		expect(byStash.map((m) => m.id)).toEqual([withStash?.id]);
	});

	it('serves GET /moviefile?movieId= with qualityCutoffNotMet', async () => {
		const withFiles = w3.movies.filter((m) => m.movieFileId > 0).slice(0, 5);
		expect(withFiles.length).toBeGreaterThan(1);
		const files = await getJson<
			Array<{ id: number; movieId: number; qualityCutoffNotMet: boolean }>
		>(w3, `/api/v3/moviefile?${withFiles.map((m) => `movieId=${m.id}`).join('&')}`);
		expect(files.map((f) => f.movieId)).toEqual(withFiles.map((m) => m.id));
		for (const f of files) {
			expect(f.qualityCutoffNotMet).toBe(
				w3.movieFiles.find((x) => x.id === f.id)?.qualityCutoffNotMet
			);
		}
	});

	it('has no wanted endpoints by default: 404 with an empty body, like any unknown route', async () => {
		for (const path of [
			'/api/v3/wanted/missing',
			'/api/v3/wanted/cutoff',
			'/api/v3/wanted/missing?page=1&pageSize=10&monitored=true'
		]) {
			const r = await call(w3, path);
			expect(r.status, path).toBe(404);
			expect(r.text, path).toBe('');
		}
		const unknown = await call(w3, '/api/v3/nonexistent');
		expect(unknown.status).toBe(404);
		expect(unknown.text).toBe('');
	});

	it('serves wanted/missing and wanted/cutoff when wantedEndpoints is set, with Radarr counting rules', async () => {
		const items = await getJson<WireItem[]>(w3wanted, '/api/v3/movie');
		const missing = await getJson<WirePage<WireItem>>(
			w3wanted,
			'/api/v3/wanted/missing?pageSize=1000'
		);
		const cutoff = await getJson<WirePage<WireItem>>(
			w3wanted,
			'/api/v3/wanted/cutoff?pageSize=1000'
		);
		expect(missing.totalRecords).toBe(
			items.filter((m) => m.monitored && !m.hasFile && m.isAvailable).length
		);
		expect(cutoff.totalRecords).toBe(
			items.filter((m) => m.monitored && m.movieFile?.qualityCutoffNotMet === true).length
		);
		expect(missing.totalRecords).toBe(w3wanted.wantedMissingTotal());
		expect(missing.totalRecords).toBeGreaterThan(0);
		expect(missing.sortKey).toBe('movieMetadata.sortTitle');
		const byDate = await getJson<WirePage<WireItem>>(
			w3wanted,
			'/api/v3/wanted/missing?pageSize=1000&sortKey=movieMetadata.releaseDate&sortDirection=ascending'
		);
		expect(byDate.sortKey).toBe('movieMetadata.releaseDate');
		const dates = byDate.records.map((r) => r.releaseDate ?? '');
		expect(dates).toEqual([...dates].sort());
		if (v3Spec) {
			expect(v3Spec.validateList(missing.records, 'MovieResource')).toEqual([]);
			expect(v3Spec.validateList(cutoff.records, 'MovieResource')).toEqual([]);
		}
	});

	it('runs MoviesSearch without writing lastSearchTime (absent from the v3 spec)', async () => {
		const target = w3.wantedMovies('missing')[0];
		expect(target).toBeDefined();
		const post = await postCommand(w3, { name: 'MoviesSearch', movieIds: [target?.id ?? 0] });
		expect(post.status).toBe(201);
		expect(post.headers.get('location')).toBe(`/whisparr3/api/v3/command/${post.json.id}`);
		clock.advance(1);
		expect(w3.movies.find((m) => m.id === target?.id)?.lastSearchTime).toBeInstanceOf(Date);
		clock.advance(100);
		expect((await getJson<WireCommand>(w3, `/api/v3/command/${post.json.id}`)).status).toBe(
			'completed'
		);
		const item = await getJson<WireItem & Record<string, unknown>>(
			w3,
			`/api/v3/movie/${target?.id ?? 0}`
		);
		expect(item.hasFile).toBe(true);
		expect(item).not.toHaveProperty('lastSearchTime');
	});

	it.skipIf(!v3Spec)('matches the Whisparr v3 OpenAPI schemas', async () => {
		if (!v3Spec) {
			return;
		}
		w3.setHealth([
			{
				source: 'IndexerStatusCheck',
				type: 'error',
				message: 'All indexers are unavailable',
				wikiUrl: 'https://wiki.servarr.com/whisparr'
			}
		]);
		const post = await postCommand(w3, { name: 'MoviesSearch', movieIds: [1, 2] });
		clock.advance(1);
		const ids = w3.movies
			.slice(0, 10)
			.map((m) => `movieId=${m.id}`)
			.join('&');
		const checks: Array<[string[], string]> = [
			[v3Spec.validateList(await getJson(w3, '/api/v3/movie'), 'MovieResource'), 'movie'],
			[v3Spec.validate(await getJson(w3, '/api/v3/movie/2'), 'MovieResource'), 'movie/2'],
			[
				v3Spec.validateList(await getJson(w3, `/api/v3/moviefile?${ids}`), 'MovieFileResource'),
				'moviefile'
			],
			[
				v3Spec.validate(await getJson(w3, '/api/v3/system/status'), 'SystemResource'),
				'system/status'
			],
			[v3Spec.validateList(await getJson(w3, '/api/v3/health'), 'HealthResource'), 'health'],
			[
				v3Spec.validateList(await getJson(w3, '/api/v3/qualityprofile'), 'QualityProfileResource'),
				'qualityprofile'
			],
			[
				v3Spec.validateList(await getJson(w3, '/api/v3/rootfolder'), 'RootFolderResource'),
				'rootfolder'
			],
			[v3Spec.validate(post.json, 'CommandResource'), 'POST command'],
			[v3Spec.validateList(await getJson(w3, '/api/v3/command'), 'CommandResource'), 'command list']
		];
		for (const [errors, label] of checks) {
			expect(errors, label).toEqual([]);
		}
		// The stale spec has no wanted endpoints; the simulator does not serve them by default either.
		expect(v3Spec.hasOperation('GET', '/api/v3/wanted/missing')).toBe(false);
		expect(v3Spec.hasOperation('GET', '/api/v3/movie')).toBe(true);
		w3.setHealth([]);
	});

	it('keeps the Radarr-shaped helpers and rejects the Sonarr-shaped ones', () => {
		expect(w3.series).toEqual([]);
		expect(() => w3.wantedEpisodes('missing')).toThrow(/whisparr-v3/);
		const scene = w3.addMovie(
			{ itemType: 'scene', monitored: true },
			{ kind: 'released', hasFile: false }
		);
		expect(scene.itemType).toBe('scene');
		expect(scene.rootFolderPath).toBe('/scenes');
		expect(w3.wantedMovies('missing').some((m) => m.id === scene.id)).toBe(true);
		expect(w3.removeMovie(scene.id)).toBe(true);
	});

	it('lists both Whisparrs in /__sim/state', async () => {
		const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as Array<{
			urlBase: string;
			type: string;
		}>;
		expect(state.map((s) => [s.urlBase, s.type])).toEqual([
			['/whisparr', 'whisparr-v2'],
			['/whisparr3', 'whisparr-v3'],
			['/whisparr3-late', 'whisparr-v3']
		]);
	});
});
