/**
 * Version-dependent contracts (lastSearchTime), the richer fault injection (headers such as
 * Retry-After, requests held open until the client gives up, N failures then recovery, 401s) and
 * the control routes browser tests use to drive them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	FAULT_TIMEOUT_CAP_MS,
	startSimulator,
	versionAtLeast,
	type SimInstance,
	type Simulator
} from './index';
import { loadSpec } from './spec-check';
import { call, getJson, manualClock } from './test-helpers';

const KEY = '0123456789abcdef0123456789abcdef';

describe('versionAtLeast', () => {
	it('compares dot-separated numbers, missing parts as 0', () => {
		expect(versionAtLeast('4.0.9.2332', '4.0.9.2332')).toBe(true);
		expect(versionAtLeast('4.0.9.2331', '4.0.9.2332')).toBe(false);
		expect(versionAtLeast('4.0.10.1', '4.0.9.2332')).toBe(true);
		expect(versionAtLeast('3.0.10.1567', '4.0.9.2332')).toBe(false);
		expect(versionAtLeast('5.14.0.9383', '5.10.3.9178')).toBe(true);
		expect(versionAtLeast('5.2.6.8376', '5.10.3.9178')).toBe(false);
		expect(versionAtLeast('6', '5.10.3.9178')).toBe(true);
		expect(versionAtLeast('4.0.9', '4.0.9.0')).toBe(true);
		expect(versionAtLeast('3.2.0-release.27', '3.2.0.27')).toBe(true);
		expect(versionAtLeast('v2.0.0.1000', '2')).toBe(true);
	});
});

describe('lastSearchTime follows the version', () => {
	const clock = manualClock();
	let sim: Simulator;
	const sonarrVersions = [
		['/sonarr3', '3.0.10.1567', false],
		['/sonarr408', '4.0.8.2158', false],
		['/sonarr409', '4.0.9.2332', true],
		['/sonarr', undefined, true]
	] as const;
	const radarrVersions = [
		['/radarr4', '4.7.5.7809', false],
		['/radarr52', '5.2.6.8376', false],
		['/radarr514', '5.14.0.9383', true],
		['/radarr6', '6.0.4.10291', true]
	] as const;

	beforeAll(async () => {
		sim = await startSimulator({
			instances: [
				...sonarrVersions.map(([urlBase, version]) => ({
					type: 'sonarr' as const,
					urlBase,
					apiKey: KEY,
					series: 4,
					now: clock.now,
					...(version ? { version } : {})
				})),
				...radarrVersions.map(([urlBase, version]) => ({
					type: 'radarr' as const,
					urlBase,
					apiKey: KEY,
					movies: 10,
					version,
					now: clock.now
				}))
			]
		});
	});
	afterAll(async () => {
		await sim.stop();
	});

	it.each(sonarrVersions)(
		'Sonarr at %s (%s) writes lastSearchTime: %s',
		async (urlBase, version, present) => {
			const inst = sim.instance(urlBase);
			expect((await getJson<{ version: string }>(inst, '/api/v3/system/status')).version).toBe(
				version ?? '4.0.19.2979'
			);
			const target = inst.wantedEpisodes('missing')[0];
			expect(target).toBeDefined();
			const id = target?.id ?? 0;
			// Never searched: absent everywhere, whatever the version.
			expect(
				await getJson<Record<string, unknown>>(inst, `/api/v3/episode/${id}`)
			).not.toHaveProperty('lastSearchTime');
			const post = await call(inst, '/api/v3/command', {
				method: 'POST',
				body: JSON.stringify({ name: 'EpisodeSearch', episodeIds: [id] })
			});
			expect(post.status).toBe(201);
			clock.advance(1);
			inst.tick();
			expect(target?.lastSearchTime).not.toBeNull();
			const episode = await getJson<Record<string, unknown>>(inst, `/api/v3/episode/${id}`);
			const listed = (
				await getJson<Array<Record<string, unknown>>>(inst, `/api/v3/episode?episodeIds=${id}`)
			)[0];
			const wanted = await getJson<{ sortKey: string; records: Array<Record<string, unknown>> }>(
				inst,
				'/api/v3/wanted/missing?pageSize=1000&sortKey=episodes.lastSearchTime'
			);
			const record = wanted.records.find((r) => r.id === id);
			expect(record).toBeDefined();
			for (const resource of [episode, listed, record]) {
				if (present) {
					expect(resource?.lastSearchTime).toBe(`${clock.now().toISOString().slice(0, 19)}Z`);
				} else {
					expect(resource).not.toHaveProperty('lastSearchTime');
				}
			}
			// Before 4.0.9 the sort key does not exist either: it falls back to the default.
			expect(wanted.sortKey).toBe(present ? 'episodes.lastSearchTime' : 'episodes.airDateUtc');
		}
	);

	it.each(radarrVersions)(
		'Radarr at %s (%s) writes lastSearchTime: %s',
		async (urlBase, version, present) => {
			const inst = sim.instance(urlBase);
			expect((await getJson<{ version: string }>(inst, '/api/v3/system/status')).version).toBe(
				version
			);
			const target = inst.wantedMovies('missing')[0];
			expect(target).toBeDefined();
			const id = target?.id ?? 0;
			expect(
				await getJson<Record<string, unknown>>(inst, `/api/v3/movie/${id}`)
			).not.toHaveProperty('lastSearchTime');
			await call(inst, '/api/v3/command', {
				method: 'POST',
				body: JSON.stringify({ name: 'MoviesSearch', movieIds: [id] })
			});
			clock.advance(1);
			const movie = await getJson<Record<string, unknown>>(inst, `/api/v3/movie/${id}`);
			const listed = (await getJson<Array<Record<string, unknown>>>(inst, '/api/v3/movie')).find(
				(m) => m.id === id
			);
			for (const resource of [movie, listed]) {
				if (present) {
					expect(resource?.lastSearchTime).toBe(`${clock.now().toISOString().slice(0, 19)}Z`);
				} else {
					expect(resource).not.toHaveProperty('lastSearchTime');
				}
			}
			const wanted = await getJson<{ sortKey: string }>(
				inst,
				'/api/v3/wanted/missing?sortKey=movies.lastSearchTime'
			);
			expect(wanted.sortKey).toBe(present ? 'movies.lastSearchTime' : 'movieMetadata.sortTitle');
		}
	);

	const radarrSpec = loadSpec('radarr');
	it.skipIf(!radarrSpec)(
		'stays valid against the current specs when the field is absent',
		async () => {
			const sonarrSpec = loadSpec('sonarr');
			if (!radarrSpec || !sonarrSpec) {
				return;
			}
			expect(
				radarrSpec.validateList(
					await getJson(sim.instance('/radarr4'), '/api/v3/movie'),
					'MovieResource'
				)
			).toEqual([]);
			expect(
				sonarrSpec.validateList(
					await getJson(sim.instance('/sonarr3'), '/api/v3/episode?seriesId=1'),
					'EpisodeResource'
				)
			).toEqual([]);
		}
	);
});

describe('faults', () => {
	let sim: Simulator;
	let sonarr: SimInstance;

	beforeAll(async () => {
		sim = await startSimulator({
			instances: [{ type: 'sonarr', urlBase: '/sonarr', apiKey: KEY, series: 3 }]
		});
		sonarr = sim.instance('/sonarr');
	});
	afterAll(async () => {
		await sim.stop();
	});

	it('answers 429 with a Retry-After header, then recovers', async () => {
		sonarr.setFault('/api/v3/wanted', { status: 429, headers: { 'Retry-After': '1' }, times: 1 });
		const limited = await call(sonarr, '/api/v3/wanted/missing');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		expect(limited.text).toBe('');
		const ok = await call(sonarr, '/api/v3/wanted/missing');
		expect(ok.status).toBe(200);
		expect(ok.headers.get('retry-after')).toBeNull();
	});

	it('adds headers to the normal answer when the fault has no status or body', async () => {
		sonarr.setFault('/api/v3/tag', { headers: { 'X-Trace': 'abc' } });
		const r = await call(sonarr, '/api/v3/tag');
		expect(r.status).toBe(200);
		expect(r.headers.get('x-trace')).toBe('abc');
		expect(r.headers.get('content-type')).toMatch(/^application\/json/);
		expect(JSON.parse(r.text)).toEqual([]);
		sonarr.setFault('/api/v3/tag', null);
	});

	it('fails N times, then answers normally', async () => {
		sonarr.setFault('/api/v3/series', {
			status: 500,
			body: '{"message":"database is locked"}',
			times: 2
		});
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) {
			statuses.push((await call(sonarr, '/api/v3/series')).status);
		}
		expect(statuses).toEqual([500, 500, 200, 200]);
	});

	it('answers a 401 fault with an empty body and no content type, like the apps', async () => {
		sonarr.setFault('/api/v3/system', { status: 401, times: 1 });
		const r = await call(sonarr, '/api/v3/system/status');
		expect(r.status).toBe(401);
		expect(r.text).toBe('');
		expect(r.headers.get('content-type')).toBeNull();
		// The real 401 (wrong key) looks the same.
		const real = await call(sonarr, '/api/v3/system/status', { key: 'wrong' });
		expect([real.status, real.text, real.headers.get('content-type')]).toEqual([401, '', null]);
	});

	it('holds a request open without answering until the client gives up', async () => {
		expect(FAULT_TIMEOUT_CAP_MS).toBe(120_000);
		sonarr.setFault('/api/v3/episode', { timeout: true, times: 1 });
		sim.clearRequests();
		const t0 = performance.now();
		let error: unknown = null;
		try {
			await fetch(`${sonarr.baseUrl}/api/v3/episode?seriesId=1`, {
				headers: { 'X-Api-Key': KEY },
				signal: AbortSignal.timeout(200)
			});
		} catch (err) {
			error = err;
		}
		const elapsed = performance.now() - t0;
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).name).toMatch(/TimeoutError|AbortError/);
		expect(elapsed).toBeGreaterThanOrEqual(190);
		expect(elapsed).toBeLessThan(5_000);
		// The simulator saw the request and noticed that the client left (status stays 0).
		await new Promise((r) => setTimeout(r, 50));
		expect(sim.requests.map((r) => [r.path, r.status])).toEqual([['/api/v3/episode', 0]]);
		// `times: 1`: the next request is answered.
		expect((await call(sonarr, '/api/v3/episode?seriesId=1')).status).toBe(200);
	});

	it('releases held requests when the simulator stops', async () => {
		const own = await startSimulator({
			instances: [{ type: 'radarr', urlBase: '/radarr', apiKey: KEY, movies: 2 }]
		});
		own.instance('/radarr').setFault('/api/v3/movie', { timeout: true });
		let settled = false;
		const pending = fetch(`${own.url}/radarr/api/v3/movie`, { headers: { 'X-Api-Key': KEY } }).then(
			(r) => r.status,
			() => 'connection closed'
		);
		void pending.then(() => {
			settled = true;
		});
		await new Promise((r) => setTimeout(r, 150));
		expect(settled).toBe(false);
		const t0 = performance.now();
		await own.stop();
		expect(performance.now() - t0).toBeLessThan(2_000);
		expect(['connection closed', 504]).toContain(await pending);
	});

	it('releases a fault delay early when the client gives up', async () => {
		sonarr.setFault('/api/v3/rootfolder', { delayMs: 60_000, times: 1 });
		sim.clearRequests();
		await expect(
			fetch(`${sonarr.baseUrl}/api/v3/rootfolder`, {
				headers: { 'X-Api-Key': KEY },
				signal: AbortSignal.timeout(100)
			})
		).rejects.toThrow();
		await new Promise((r) => setTimeout(r, 50));
		expect(sim.requests.map((r) => r.status)).toEqual([0]);
	});
});

describe('control routes', () => {
	let sim: Simulator;
	let sonarr: SimInstance;
	let whisparr: SimInstance;

	beforeAll(async () => {
		sim = await startSimulator({
			instances: [
				{ type: 'sonarr', urlBase: '/sonarr', apiKey: KEY, series: 2 },
				{ type: 'whisparr-v2', urlBase: '/whisparr', apiKey: KEY, series: 2 }
			]
		});
		sonarr = sim.instance('/sonarr');
		whisparr = sim.instance('/whisparr');
	});
	afterAll(async () => {
		await sim.stop();
	});

	const post = (path: string, body: unknown): Promise<Response> =>
		fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

	it('POST /__sim/fault accepts headers, timeout and times', async () => {
		const res = await post('/__sim/fault', {
			urlBase: 'sonarr',
			pathPrefix: '/api/v3/wanted',
			fault: { status: 429, headers: { 'Retry-After': '2' }, times: 1 }
		});
		expect(res.status).toBe(200);
		const limited = await call(sonarr, '/api/v3/wanted/missing');
		expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
		expect((await call(sonarr, '/api/v3/wanted/missing')).status).toBe(200);

		expect(
			(
				await post('/__sim/fault', {
					urlBase: '/sonarr',
					pathPrefix: '/api/v3/series',
					fault: { timeout: true, times: 1 }
				})
			).status
		).toBe(200);
		await expect(
			fetch(`${sonarr.baseUrl}/api/v3/series`, {
				headers: { 'X-Api-Key': KEY },
				signal: AbortSignal.timeout(200)
			})
		).rejects.toThrow();
		expect((await call(sonarr, '/api/v3/series')).status).toBe(200);

		expect(
			(
				await post('/__sim/fault', {
					urlBase: '/sonarr',
					pathPrefix: '/api/v3/tag',
					fault: { status: 401 }
				})
			).status
		).toBe(200);
		const unauthorized = await call(sonarr, '/api/v3/tag');
		expect([unauthorized.status, unauthorized.text]).toEqual([401, '']);
		expect(
			(await post('/__sim/fault', { urlBase: '/sonarr', pathPrefix: '/api/v3/tag', fault: null }))
				.status
		).toBe(200);
		expect((await call(sonarr, '/api/v3/tag')).status).toBe(200);
	});

	it('POST /__sim/health sets what GET /api/v3/health returns', async () => {
		const items = [
			{
				source: 'IndexerStatusCheck',
				type: 'warning',
				message: 'Indexers unavailable due to failures',
				wikiUrl: 'https://wiki.servarr.com/whisparr/system#indexers'
			},
			{ source: 'UpdateCheck', type: 'notice', message: 'New update is available' }
		];
		const res = await post('/__sim/health', { urlBase: '/whisparr', items });
		expect(res.status).toBe(200);
		expect(await getJson(whisparr, '/api/v3/health')).toEqual(items);
		expect(await getJson(sonarr, '/api/v3/health')).toEqual([]);
		const spec = loadSpec('whisparr-v2');
		if (spec) {
			expect(
				spec.validateList(await getJson(whisparr, '/api/v3/health'), 'HealthResource')
			).toEqual([]);
		}

		expect(
			(
				await post('/__sim/health', {
					urlBase: '/whisparr',
					items: [{ source: 'X', type: 'fatal', message: 'm' }]
				})
			).status
		).toBe(400);
		expect((await post('/__sim/health', { urlBase: '/whisparr' })).status).toBe(400);
		expect((await post('/__sim/health', { urlBase: '/nope', items: [] })).status).toBe(404);

		expect((await post('/__sim/health', { urlBase: '/whisparr', items: [] })).status).toBe(200);
		expect(await getJson(whisparr, '/api/v3/health')).toEqual([]);
		// Control requests are not recorded.
		expect(sim.requests.some((r) => r.path.startsWith('/__sim'))).toBe(false);
	});
});
