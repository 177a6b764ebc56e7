/**
 * Item actions and priority overrides (issue 9 §3, §10) against a real PostgreSQL and the *arr
 * simulator: search now (a manual request the dispatcher sends on its next pass and a sweep
 * keeps), overrides that reorder the queue at once and after a rebuild (item, series inherited by
 * its episodes, connector), mark exhausted, clear search state — through the services and the
 * route handlers, with every validation error of the API.
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import {
	episodes,
	MAX_PRIORITY_OVERRIDE,
	movies,
	priorityOverrides,
	requestQueue,
	requestQueueItems,
	searchRegistry,
	series,
	throttleProfiles,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import {
	markExhausted,
	MANUAL_SEARCH_PRIORITY,
	searchNow
} from '../../src/lib/server/services/items/item-actions';
import {
	clearPriorityOverride,
	setPriorityOverride
} from '../../src/lib/server/services/items/priority-overrides';
import { OVERRIDE_LIMIT } from '../../src/lib/schemas/items';
import * as seriesRoute from '../../src/routes/api/v1/series/[id]/+server';
import * as seriesSearchRoute from '../../src/routes/api/v1/series/[id]/search/+server';
import * as seriesExhaustRoute from '../../src/routes/api/v1/series/[id]/exhaust/+server';
import * as seriesClearRoute from '../../src/routes/api/v1/series/[id]/clear-search-state/+server';
import * as seriesListRoute from '../../src/routes/api/v1/series/+server';
import * as movieListRoute from '../../src/routes/api/v1/movies/+server';
import * as movieRoute from '../../src/routes/api/v1/movies/[id]/+server';
import * as movieSearchRoute from '../../src/routes/api/v1/movies/[id]/search/+server';
import * as movieExhaustRoute from '../../src/routes/api/v1/movies/[id]/exhaust/+server';
import * as movieClearRoute from '../../src/routes/api/v1/movies/[id]/clear-search-state/+server';
import * as overridesRoute from '../../src/routes/api/v1/priority-overrides/+server';

const world = useWorld();
useTestRuntime(world);

type Handler = (event: RequestEvent) => Promise<Response> | Response;

async function call(
	handler: unknown,
	path: string,
	init: {
		method?: string;
		body?: unknown;
		rawBody?: string;
		contentType?: string;
		params?: Record<string, string>;
	} = {}
): Promise<Response> {
	const url = new URL(`http://comradarr.lan${path}`);
	const body = init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		...(body !== undefined
			? { body, headers: { 'content-type': init.contentType ?? 'application/json' } }
			: {})
	});
	const event = { url, request, params: init.params ?? {}, locals: {} } as unknown as RequestEvent;
	return (handler as Handler)(event);
}

async function errorOf(response: Response) {
	return ((await response.json()) as { error: { code: string; fields?: Record<string, string> } })
		.error;
}

async function synced(urlBase: '/sonarr' | '/radarr'): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'both' });
	return world.connector(connector.id);
}

async function pending(connectorId: number) {
	return world.db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.connectorId, connectorId), eq(requestQueue.status, 'pending')))
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id);
}

/** The series with the most gap registry rows, and those rows. */
async function seriesWithMostGaps(connectorId: number) {
	const rows = await world.db
		.select({ seriesId: episodes.seriesId, n: sql<number>`count(*)::int` })
		.from(searchRegistry)
		.innerJoin(episodes, eq(episodes.id, searchRegistry.episodeId))
		.where(and(eq(searchRegistry.connectorId, connectorId), eq(searchRegistry.searchType, 'gap')))
		.groupBy(episodes.seriesId)
		.orderBy(sql`count(*) desc`, episodes.seriesId)
		.limit(1);
	const top = rows[0];
	if (!top) throw new Error('no series with gaps in the simulator library');
	return top;
}

async function registryOfSeries(seriesId: number) {
	return world.db
		.select({ r: searchRegistry, arrId: episodes.arrId })
		.from(searchRegistry)
		.innerJoin(episodes, eq(episodes.id, searchRegistry.episodeId))
		.where(eq(episodes.seriesId, seriesId))
		.orderBy(searchRegistry.id);
}

async function requestsHolding(registryIds: number[]) {
	if (registryIds.length === 0) return [];
	return world.db
		.selectDistinct({ q: requestQueue })
		.from(requestQueue)
		.innerJoin(requestQueueItems, eq(requestQueueItems.requestId, requestQueue.id))
		.where(
			and(eq(requestQueue.status, 'pending'), inArray(requestQueueItems.registryId, registryIds))
		);
}

/** The pending row holding the registry row, or undefined. */
async function rowHolding(registryId: number) {
	return (await requestsHolding([registryId]))[0]?.q;
}

describe('search now', () => {
	it('queues the wanted episodes of a series as manual EpisodeSearch requests, next in line', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId, n } = await seriesWithMostGaps(sonarr.id);
		expect(n).toBeGreaterThan(2);
		const before = await registryOfSeries(seriesId);
		const wanted = before.filter((b) => b.r.state !== 'exhausted');

		const result = await searchNow(world.db, {
			target: { kind: 'series', seriesId },
			now: new Date()
		});
		expect(result.items).toBe(wanted.length);
		const rows = await world.db
			.select()
			.from(requestQueue)
			.where(and(eq(requestQueue.origin, 'manual'), eq(requestQueue.status, 'pending')));
		expect(rows.map((r) => r.id).sort()).toEqual(result.requests.map((r) => r.id).sort());
		for (const row of rows) {
			expect(row.command).toBe('EpisodeSearch');
			expect(row.priority).toBe(MANUAL_SEARCH_PRIORITY);
			expect(row.seriesId).toBe(seriesId);
		}
		// Exactly the series' wanted episodes, each once, by their *arr ids.
		const sent = rows.flatMap((r) =>
			r.payload.name === 'EpisodeSearch' ? r.payload.episodeIds : []
		);
		expect(sent.sort((a, b) => a - b)).toEqual(wanted.map((w) => w.arrId).sort((a, b) => a - b));
		// Registry rows queued and linked to the manual rows; the series is in no sweep batch now.
		const after = await registryOfSeries(seriesId);
		expect(after.every((a) => a.r.state === 'queued')).toBe(true);
		const holders = await requestsHolding(after.map((a) => a.r.id));
		expect(holders.every((h) => h.q.origin === 'manual')).toBe(true);
		const linked = await world.db
			.select()
			.from(requestQueueItems)
			.where(
				inArray(
					requestQueueItems.requestId,
					rows.map((r) => r.id)
				)
			);
		expect(linked).toHaveLength(wanted.length);
		// Highest priority: the head of the connector's queue.
		expect((await pending(sonarr.id))[0]?.origin).toBe('manual');
	});

	it('splits the episodes by the throttle profile batch size', async () => {
		const sonarr = await synced('/sonarr');
		const profile = await profileFor(world.db, sonarr);
		await world.db
			.update(throttleProfiles)
			.set({ maxItemsPerCommand: 2 })
			.where(eq(throttleProfiles.id, profile.id));
		const { seriesId, n } = await seriesWithMostGaps(sonarr.id);
		const result = await searchNow(world.db, {
			target: { kind: 'series', seriesId },
			now: new Date()
		});
		expect(result.requests.length).toBe(Math.ceil(result.items / 2));
		expect(result.items).toBeGreaterThanOrEqual(Math.min(n, 3));
		for (const r of result.requests) expect(r.searchCount).toBeLessThanOrEqual(2);
	});

	it('is sent on the dispatcher’s next pass before every sweep batch, under the throttle', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const lowest = (await pending(sonarr.id)).at(-1);
		expect(lowest).toBeDefined();
		const result = await searchNow(world.db, {
			target: { kind: 'series', seriesId },
			now: new Date()
		});
		world.sim.clearRequests();
		const profile = await profileFor(world.db, sonarr);
		const pass = await dispatchConnector({
			db: world.db,
			connector: sonarr,
			client: clientFor(sonarr, world.secrets),
			profile
		});
		expect(pass.sent).toBeGreaterThan(0);
		// One pass sends at most the window's commands and the profile's in-flight limit.
		const perPass = Math.min(profile.maxCommandsPerWindow, profile.maxInFlight);
		expect(pass.sent).toBeLessThanOrEqual(perPass);
		const posts = world.sim.requests.filter(
			(r) => r.method === 'POST' && r.path === '/api/v3/command'
		);
		const ours = result.requests.map((r) => r.id);
		const firstOurs = await world.db
			.select({ payload: requestQueue.payload })
			.from(requestQueue)
			.where(eq(requestQueue.id, ours[0] ?? 0));
		expect(posts[0]?.body).toEqual(firstOurs[0]?.payload);
		const claimed = await world.db
			.select({ status: requestQueue.status })
			.from(requestQueue)
			.where(inArray(requestQueue.id, ours.slice(0, perPass)));
		expect(claimed.every((c) => c.status !== 'pending')).toBe(true);
	});

	it('survives the next sweep: the manual row stays and its items are not queued again', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const result = await searchNow(world.db, {
			target: { kind: 'series', seriesId },
			now: new Date()
		});
		expect(result.requests.length).toBeGreaterThan(0);
		const [first] = await world.db
			.select({ origin: requestQueue.origin })
			.from(requestQueue)
			.where(eq(requestQueue.id, result.requests[0]?.id ?? 0));
		expect(first?.origin).toBe('manual');
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const kept = await world.db
			.select({ id: requestQueue.id })
			.from(requestQueue)
			.where(
				inArray(
					requestQueue.id,
					result.requests.map((r) => r.id)
				)
			);
		expect(kept).toHaveLength(result.requests.length);
		const holders = await requestsHolding((await registryOfSeries(seriesId)).map((r) => r.r.id));
		expect(holders.every((h) => h.q.origin === 'manual')).toBe(true);
	});

	it('searches only the episodes named, and refuses an episode of another series', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const rows = await registryOfSeries(seriesId);
		const one = rows[0];
		expect(one).toBeDefined();
		const [episode] = await world.db
			.select({ id: episodes.id })
			.from(episodes)
			.where(eq(episodes.id, one?.r.episodeId ?? 0));
		const result = await searchNow(world.db, {
			target: { kind: 'series', seriesId, episodeIds: [episode?.id ?? 0] },
			now: new Date()
		});
		expect(result.items).toBe(1);
		expect(result.requests).toHaveLength(1);

		const [other] = await world.db
			.select({ id: episodes.id })
			.from(episodes)
			.where(sql`${episodes.seriesId} <> ${seriesId}`)
			.limit(1);
		const refused = await call(seriesSearchRoute.POST, `/api/v1/series/${seriesId}/search`, {
			method: 'POST',
			params: { id: String(seriesId) },
			body: { episodeIds: [other?.id ?? 0] }
		});
		expect(refused.status).toBe(400);
		const error = await errorOf(refused);
		expect(error.code).toBe('validation.failed');
		expect(error.fields?.episodeIds).toContain('not part of series');
	});

	it('refuses with 409 when everything is already in a search now, when nothing is wanted, and when all is exhausted', async () => {
		const radarr = await synced('/radarr');
		const [gap] = await world.db
			.select({ movieId: searchRegistry.movieId })
			.from(searchRegistry)
			.where(and(eq(searchRegistry.connectorId, radarr.id), isNotNull(searchRegistry.movieId)))
			.limit(1);
		const movieId = gap?.movieId ?? 0;
		const first = await call(movieSearchRoute.POST, `/api/v1/movies/${movieId}/search`, {
			method: 'POST',
			params: { id: String(movieId) }
		});
		expect(first.status).toBe(202);
		const body = (await first.json()) as { requests: { command: string }[] };
		expect(body.requests.map((r) => r.command)).toEqual(['MoviesSearch']);
		const again = await call(movieSearchRoute.POST, `/api/v1/movies/${movieId}/search`, {
			method: 'POST',
			params: { id: String(movieId) }
		});
		expect(again.status).toBe(409);
		expect((await errorOf(again)).code).toBe('items.already_queued');

		const [owned] = await world.db
			.select({ id: movies.id })
			.from(movies)
			.where(
				and(
					eq(movies.connectorId, radarr.id),
					sql`not exists (select 1 from search_registry r where r.movie_id = ${movies.id})`
				)
			)
			.limit(1);
		const nothing = await call(movieSearchRoute.POST, `/api/v1/movies/${owned?.id}/search`, {
			method: 'POST',
			params: { id: String(owned?.id) }
		});
		expect(nothing.status).toBe(409);
		expect((await errorOf(nothing)).code).toBe('items.nothing_wanted');

		const [other] = await world.db
			.select({ movieId: searchRegistry.movieId })
			.from(searchRegistry)
			.where(
				and(eq(searchRegistry.connectorId, radarr.id), sql`${searchRegistry.movieId} <> ${movieId}`)
			)
			.limit(1);
		await markExhausted(world.db, {
			target: { kind: 'movie', movieId: other?.movieId ?? 0 },
			now: new Date()
		});
		const exhausted = await call(movieSearchRoute.POST, `/api/v1/movies/${other?.movieId}/search`, {
			method: 'POST',
			params: { id: String(other?.movieId) }
		});
		expect(exhausted.status).toBe(409);
		expect((await errorOf(exhausted)).code).toBe('items.exhausted');
	});
});

describe('priority overrides', () => {
	it('moves a boosted low movie to the head of the queue at once, and after a rebuild', async () => {
		const radarr = await synced('/radarr');
		const rows = await pending(radarr.id);
		const last = rows.at(-1);
		expect(rows.length).toBeGreaterThan(2);
		const [link] = await world.db
			.select({ movieId: searchRegistry.movieId, registryId: searchRegistry.id })
			.from(requestQueueItems)
			.innerJoin(searchRegistry, eq(searchRegistry.id, requestQueueItems.registryId))
			.where(eq(requestQueueItems.requestId, last?.id ?? 0))
			.limit(1);
		const movieId = link?.movieId ?? 0;

		const put = await call(overridesRoute.PUT, '/api/v1/priority-overrides', {
			method: 'PUT',
			body: { target: 'movie', id: movieId, delta: 5000 }
		});
		expect(put.status).toBe(200);
		expect(await put.json()).toMatchObject({
			target: 'movie',
			id: movieId,
			delta: 5000,
			rescored: 1
		});
		// At once: the batch holding it is re-scored and moves up from the end of the queue.
		const atOnce = await pending(radarr.id);
		const moved = atOnce.findIndex((r) => r.id === last?.id);
		expect(moved).toBeLessThan(rows.length - 1);
		expect(atOnce[moved]?.priority).toBeGreaterThan(last?.priority ?? Infinity);
		expect(atOnce[moved]?.score?.averageItem.override).toBeGreaterThan(0);

		// After a rebuild the batch that holds it still ranks above the end, with the override.
		await runSweep({ db: world.db, connector: radarr, kind: 'both' });
		const rebuilt = await pending(radarr.id);
		const holderAfter = await rowHolding(link?.registryId ?? 0);
		const place = rebuilt.findIndex((r) => r.id === holderAfter?.id);
		expect(place).toBeGreaterThanOrEqual(0);
		expect(place).toBeLessThan(rebuilt.length - 1);
		expect(holderAfter?.score?.averageItem.override).toBeGreaterThan(0);

		// Cleared: it falls back.
		const del = await call(overridesRoute.DELETE, '/api/v1/priority-overrides', {
			method: 'DELETE',
			body: { target: 'movie', id: movieId }
		});
		expect(del.status).toBe(200);
		const holder = await rowHolding(link?.registryId ?? 0);
		expect(holder?.score?.averageItem.override).toBe(0);
		expect(holder?.priority).toBeLessThan(holderAfter?.priority ?? -Infinity);
	});

	it('gives a series override to every episode of it (inherited), in the queue at once', async () => {
		const sonarr = await synced('/sonarr');
		const rows = await pending(sonarr.id);
		const low = rows.at(-1);
		const seriesId = low?.seriesId ?? 0;
		const before = new Map(rows.map((r) => [r.id, r.priority]));
		const change = await setPriorityOverride(world.db, {
			target: 'series',
			id: seriesId,
			delta: 3000,
			now: new Date()
		});
		expect(change.rescored).toBeGreaterThan(0);
		const after = await pending(sonarr.id);
		for (const row of after) {
			if (row.seriesId === seriesId) {
				expect(row.priority).toBeGreaterThan(before.get(row.id) ?? Infinity);
				expect(row.score?.averageItem.override).toBe(3000);
			} else {
				expect(row.priority).toBe(before.get(row.id));
			}
		}
		expect(after[0]?.seriesId).toBe(seriesId);
		// After a rebuild, each of its queued episodes carries the series' delta in its score.
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const rebuilt = await pending(sonarr.id);
		expect(rebuilt[0]?.seriesId).toBe(seriesId);
		expect(
			rebuilt
				.filter((r) => r.seriesId === seriesId)
				.every((r) => r.score?.averageItem.override === 3000)
		).toBe(true);
	});

	it('adds a connector override to every item of that connector only', async () => {
		const sonarr = await synced('/sonarr');
		const radarr = await synced('/radarr');
		const sonarrBefore = await pending(sonarr.id);
		const radarrBefore = new Map((await pending(radarr.id)).map((r) => [r.id, r.priority]));
		await setPriorityOverride(world.db, {
			target: 'connector',
			id: radarr.id,
			delta: 200,
			now: new Date()
		});
		for (const row of await pending(radarr.id)) {
			expect(row.score?.averageItem.override).toBe(200);
			expect(row.priority).toBeGreaterThan(radarrBefore.get(row.id) ?? Infinity);
		}
		expect((await pending(sonarr.id)).map((r) => r.priority)).toEqual(
			sonarrBefore.map((r) => r.priority)
		);
		// Setting it again replaces the delta (one row per target).
		await setPriorityOverride(world.db, {
			target: 'connector',
			id: radarr.id,
			delta: -50,
			now: new Date()
		});
		const stored = await world.db.select().from(priorityOverrides);
		expect(stored.map((s) => s.delta)).toEqual([-50]);
		const list = await call(overridesRoute.GET, '/api/v1/priority-overrides');
		expect(await list.json()).toMatchObject({
			total: 1,
			items: [{ target: 'connector', id: radarr.id, delta: -50 }]
		});
	});

	it('leaves a search-now row’s priority alone', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const result = await searchNow(world.db, {
			target: { kind: 'series', seriesId },
			now: new Date()
		});
		await setPriorityOverride(world.db, {
			target: 'series',
			id: seriesId,
			delta: -9000,
			now: new Date()
		});
		const rows = await world.db
			.select({ priority: requestQueue.priority })
			.from(requestQueue)
			.where(
				inArray(
					requestQueue.id,
					result.requests.map((r) => r.id)
				)
			);
		expect(rows.every((r) => r.priority === MANUAL_SEARCH_PRIORITY)).toBe(true);
	});

	it('matches the database limit', () => {
		expect(OVERRIDE_LIMIT).toBe(MAX_PRIORITY_OVERRIDE);
	});
});

describe('mark exhausted and clear search state', () => {
	it('exhausts a series’ wanted episodes, takes them out of pending batches, and sweeps skip them', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const ids = (await registryOfSeries(seriesId)).map((r) => r.r.id);
		expect((await requestsHolding(ids)).length).toBeGreaterThan(0);
		const response = await call(seriesExhaustRoute.POST, `/api/v1/series/${seriesId}/exhaust`, {
			method: 'POST',
			params: { id: String(seriesId) }
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ changed: ids.length, skippedSearching: 0 });
		const after = await registryOfSeries(seriesId);
		expect(after.every((a) => a.r.state === 'exhausted')).toBe(true);
		expect(await requestsHolding(ids)).toEqual([]);
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		expect(await requestsHolding(ids)).toEqual([]);

		const again = await call(seriesExhaustRoute.POST, `/api/v1/series/${seriesId}/exhaust`, {
			method: 'POST',
			params: { id: String(seriesId) }
		});
		expect(again.status).toBe(409);
		expect((await errorOf(again)).code).toBe('items.already_exhausted');
	});

	it('returns the other items of a batch it broke up to pending', async () => {
		const radarr = await synced('/radarr');
		const multi = (await pending(radarr.id)).find((r) => r.searchCount > 1);
		expect(multi).toBeDefined();
		const links = await world.db
			.select({ registryId: requestQueueItems.registryId, movieId: searchRegistry.movieId })
			.from(requestQueueItems)
			.innerJoin(searchRegistry, eq(searchRegistry.id, requestQueueItems.registryId))
			.where(eq(requestQueueItems.requestId, multi?.id ?? 0));
		const [victim, ...others] = links;
		const result = await markExhausted(world.db, {
			target: { kind: 'movie', movieId: victim?.movieId ?? 0 },
			now: new Date()
		});
		expect(result).toMatchObject({ changed: 1, removedRequests: 1, released: others.length });
		const states = await world.db
			.select({ state: searchRegistry.state })
			.from(searchRegistry)
			.where(
				inArray(
					searchRegistry.id,
					others.map((o) => o.registryId)
				)
			);
		expect(states.every((s) => s.state === 'pending')).toBe(true);
	});

	it('clears search state: pending, 0 attempts, no failure, eligible now; the next sweep queues it', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const ids = (await registryOfSeries(seriesId)).map((r) => r.r.id);
		await markExhausted(world.db, { target: { kind: 'series', seriesId }, now: new Date() });
		const later = new Date(Date.now() + 7 * 86_400_000);
		await world.db
			.update(searchRegistry)
			.set({ attempts: 7, failureCategory: 'no_results', nextEligibleAt: later })
			.where(inArray(searchRegistry.id, ids));
		const now = new Date();
		const response = await call(
			seriesClearRoute.POST,
			`/api/v1/series/${seriesId}/clear-search-state`,
			{ method: 'POST', params: { id: String(seriesId) } }
		);
		expect(response.status).toBe(200);
		const rows = await world.db
			.select()
			.from(searchRegistry)
			.where(inArray(searchRegistry.id, ids));
		for (const row of rows) {
			expect(row.state).toBe('pending');
			expect(row.attempts).toBe(0);
			expect(row.failureCategory).toBeNull();
			expect(row.nextEligibleAt.getTime()).toBeLessThanOrEqual(Date.now());
			expect(row.nextEligibleAt.getTime()).toBeGreaterThanOrEqual(now.getTime() - 1000);
		}
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		expect((await requestsHolding(ids)).length).toBeGreaterThan(0);
	});

	it('never touches an item whose command is in flight', async () => {
		const radarr = await synced('/radarr');
		const [row] = await world.db
			.select()
			.from(searchRegistry)
			.where(eq(searchRegistry.connectorId, radarr.id))
			.limit(1);
		await world.db
			.update(searchRegistry)
			.set({ state: 'searching' })
			.where(eq(searchRegistry.id, row?.id ?? 0));
		const movieId = String(row?.movieId);
		for (const route of [movieExhaustRoute, movieClearRoute]) {
			const response = await call(route.POST, `/api/v1/movies/${movieId}/x`, {
				method: 'POST',
				params: { id: movieId }
			});
			expect(response.status).toBe(409);
			expect((await errorOf(response)).code).toBe('items.searching');
		}
		const search = await call(movieSearchRoute.POST, `/api/v1/movies/${movieId}/search`, {
			method: 'POST',
			params: { id: movieId }
		});
		expect((await errorOf(search)).code).toBe('items.already_queued');
		const [still] = await world.db
			.select({ state: searchRegistry.state })
			.from(searchRegistry)
			.where(eq(searchRegistry.id, row?.id ?? 0));
		expect(still?.state).toBe('searching');
	});
});

describe('detail endpoints', () => {
	it('lists series and movies by title, a page at a time, with their wanted counts', async () => {
		const sonarr = await synced('/sonarr');
		await synced('/radarr');
		const first = await call(
			seriesListRoute.GET,
			`/api/v1/series?connectorId=${sonarr.id}&pageSize=5`
		);
		const page1 = (await first.json()) as {
			total: number;
			items: { id: number; title: string; wanted: number; connectorId: number }[];
		};
		const stored = await world.db.select().from(series).where(eq(series.connectorId, sonarr.id));
		expect(page1.total).toBe(stored.length);
		expect(page1.items).toHaveLength(5);
		const second = (await (
			await call(seriesListRoute.GET, `/api/v1/series?connectorId=${sonarr.id}&pageSize=5&page=2`)
		).json()) as { items: { id: number }[] };
		expect(second.items.map((i) => i.id)).not.toContain(page1.items[0]?.id);
		const { seriesId, n } = await seriesWithMostGaps(sonarr.id);
		const all = (await (await call(seriesListRoute.GET, `/api/v1/series?pageSize=500`)).json()) as {
			items: { id: number; wanted: number }[];
		};
		expect(all.items.find((i) => i.id === seriesId)?.wanted).toBeGreaterThanOrEqual(n);
		const moviesPage = (await (
			await call(movieListRoute.GET, '/api/v1/movies?pageSize=1')
		).json()) as {
			total: number;
			items: unknown[];
		};
		expect(moviesPage.items).toHaveLength(1);
		expect(moviesPage.total).toBe((await world.db.select().from(movies)).length);
		for (const route of [seriesListRoute, movieListRoute]) {
			const bad = await call(route.GET, '/x?pageSize=0');
			expect(bad.status).toBe(400);
			expect((await errorOf(bad)).fields).toHaveProperty('pageSize');
		}
	});

	it('shows a series with seasons, episodes, file state and search state per episode', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		await setPriorityOverride(world.db, {
			target: 'series',
			id: seriesId,
			delta: 42,
			now: new Date()
		});
		const response = await call(seriesRoute.GET, `/api/v1/series/${seriesId}`, {
			params: { id: String(seriesId) }
		});
		expect(response.status).toBe(200);
		const body = (await response.json()) as {
			title: string;
			override: number;
			connector: { id: number };
			seasons: {
				episodes: {
					id: number;
					hasFile: boolean;
					search: { state: string; attempts: number } | null;
				}[];
			}[];
		};
		const [stored] = await world.db.select().from(series).where(eq(series.id, seriesId));
		expect(body.title).toBe(stored?.title);
		expect(body.override).toBe(42);
		expect(body.connector.id).toBe(sonarr.id);
		const all = body.seasons.flatMap((s) => s.episodes);
		const withState = all.filter((e) => e.search !== null);
		expect(withState.length).toBe((await registryOfSeries(seriesId)).length);
		expect(withState.every((e) => !e.hasFile || e.search?.state)).toBe(true);
	});

	it('shows a movie with its search state', async () => {
		const radarr = await synced('/radarr');
		const [row] = await world.db
			.select()
			.from(searchRegistry)
			.where(eq(searchRegistry.connectorId, radarr.id))
			.limit(1);
		const response = await call(movieRoute.GET, `/api/v1/movies/${row?.movieId}`, {
			params: { id: String(row?.movieId) }
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({
			id: row?.movieId,
			search: { state: row?.state, attempts: row?.attempts, searchType: row?.searchType }
		});
	});
});

describe('API validation', () => {
	it('answers unknown and malformed ids with 404 and the item’s code', async () => {
		for (const id of ['999999', 'abc', '0', '-1', '1.5', '99999999999']) {
			const s = await call(seriesRoute.GET, `/api/v1/series/${id}`, { params: { id } });
			expect(s.status, id).toBe(404);
			expect((await errorOf(s)).code).toBe('series.not_found');
			const m = await call(movieRoute.GET, `/api/v1/movies/${id}`, { params: { id } });
			expect(m.status, id).toBe(404);
			expect((await errorOf(m)).code).toBe('movies.not_found');
		}
		for (const route of [seriesSearchRoute, seriesExhaustRoute, seriesClearRoute]) {
			const r = await call(route.POST, '/x', { method: 'POST', params: { id: '424242' } });
			expect(r.status).toBe(404);
			expect((await errorOf(r)).code).toBe('series.not_found');
		}
		for (const route of [movieSearchRoute, movieExhaustRoute, movieClearRoute]) {
			const r = await call(route.POST, '/x', { method: 'POST', params: { id: '424242' } });
			expect(r.status).toBe(404);
			expect((await errorOf(r)).code).toBe('movies.not_found');
		}
	});

	it('refuses bad bodies of the series actions, naming the field', async () => {
		const sonarr = await synced('/sonarr');
		const { seriesId } = await seriesWithMostGaps(sonarr.id);
		const params = { id: String(seriesId) };
		const cases: [unknown, string][] = [
			[{ episodeIds: [] }, 'episodeIds'],
			[{ episodeIds: 'all' }, 'episodeIds'],
			[{ episodeIds: [1.5] }, 'episodeIds.0'],
			[{ episodeIds: [-3] }, 'episodeIds.0'],
			[{ episodeIds: [1], extra: true }, 'extra']
		];
		for (const route of [seriesSearchRoute, seriesExhaustRoute, seriesClearRoute]) {
			for (const [body, field] of cases) {
				const r = await call(route.POST, '/x', { method: 'POST', params, body });
				expect(r.status, JSON.stringify(body)).toBe(400);
				const error = await errorOf(r);
				expect(error.code).toBe('validation.failed');
				expect(Object.keys(error.fields ?? {})).toContain(field);
			}
			const notJson = await call(route.POST, '/x', { method: 'POST', params, rawBody: '{nope' });
			expect(notJson.status).toBe(400);
			expect((await errorOf(notJson)).code).toBe('request.invalid_json');
			const array = await call(route.POST, '/x', { method: 'POST', params, body: [1] });
			expect((await errorOf(array)).code).toBe('request.invalid_json');
			const form = await call(route.POST, '/x', {
				method: 'POST',
				params,
				rawBody: 'episodeIds=1',
				contentType: 'application/x-www-form-urlencoded'
			});
			expect(form.status).toBe(415);
		}
		// Nothing was written by any refused request.
		expect(
			await world.db.select().from(requestQueue).where(eq(requestQueue.origin, 'manual'))
		).toEqual([]);
		const movieBody = await call(movieSearchRoute.POST, '/x', {
			method: 'POST',
			params: { id: '1' },
			body: { episodeIds: [1] }
		});
		expect(movieBody.status).toBe(400);
	});

	it('refuses bad overrides, naming the field, and writes nothing', async () => {
		const radarr = await synced('/radarr');
		const [movie] = await world.db.select({ id: movies.id }).from(movies).limit(1);
		const id = movie?.id ?? 0;
		const cases: [unknown, string][] = [
			[{ target: 'season', id, delta: 10 }, 'target'],
			[{ id, delta: 10 }, 'target'],
			[{ target: 'movie', delta: 10 }, 'id'],
			[{ target: 'movie', id: -1, delta: 10 }, 'id'],
			[{ target: 'movie', id: '7', delta: 10 }, 'id'],
			[{ target: 'movie', id }, 'delta'],
			[{ target: 'movie', id, delta: 0 }, 'delta'],
			[{ target: 'movie', id, delta: 1.5 }, 'delta'],
			[{ target: 'movie', id, delta: OVERRIDE_LIMIT + 1 }, 'delta'],
			[{ target: 'movie', id, delta: -OVERRIDE_LIMIT - 1 }, 'delta'],
			[{ target: 'movie', id, delta: '10' }, 'delta'],
			[{ target: 'movie', id, delta: 10, note: 'x' }, 'note']
		];
		for (const [body, field] of cases) {
			const r = await call(overridesRoute.PUT, '/api/v1/priority-overrides', {
				method: 'PUT',
				body
			});
			expect(r.status, JSON.stringify(body)).toBe(400);
			const error = await errorOf(r);
			expect(error.code).toBe('validation.failed');
			expect(Object.keys(error.fields ?? {}), JSON.stringify(body)).toContain(field);
		}
		const edge = await call(overridesRoute.PUT, '/api/v1/priority-overrides', {
			method: 'PUT',
			body: { target: 'movie', id, delta: -OVERRIDE_LIMIT }
		});
		expect(edge.status).toBe(200);
		await clearPriorityOverride(world.db, { target: 'movie', id, now: new Date() });

		for (const [target, code] of [
			['connector', 'connectors.not_found'],
			['series', 'series.not_found'],
			['episode', 'episodes.not_found'],
			['movie', 'movies.not_found']
		] as const) {
			const put = await call(overridesRoute.PUT, '/api/v1/priority-overrides', {
				method: 'PUT',
				body: { target, id: 999_999, delta: 5 }
			});
			expect(put.status).toBe(404);
			expect((await errorOf(put)).code).toBe(code);
		}
		const missing = await call(overridesRoute.DELETE, '/api/v1/priority-overrides', {
			method: 'DELETE',
			body: { target: 'connector', id: radarr.id }
		});
		expect(missing.status).toBe(404);
		expect((await errorOf(missing)).code).toBe('priority_overrides.not_found');
		const badDelete = await call(overridesRoute.DELETE, '/api/v1/priority-overrides', {
			method: 'DELETE',
			body: { target: 'connector', id: radarr.id, delta: 3 }
		});
		expect((await errorOf(badDelete)).fields).toHaveProperty('delta');
		const noBody = await call(overridesRoute.DELETE, '/api/v1/priority-overrides', {
			method: 'DELETE'
		});
		expect(noBody.status).toBe(415);
		for (const query of ['pageSize=501', 'page=0', 'page=x', 'connectorId=-1', 'sort=delta']) {
			const r = await call(overridesRoute.GET, `/api/v1/priority-overrides?${query}`);
			expect(r.status, query).toBe(400);
			expect((await errorOf(r)).code).toBe('validation.failed');
		}
		expect(await world.db.select().from(priorityOverrides)).toEqual([]);
	});
});
