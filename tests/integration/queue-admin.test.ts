/**
 * Queue control and history against a real PostgreSQL and the *arr simulator: pause / resume,
 * remove, clear, reprioritise (409 once claimed), the paged queue and the filtered history with
 * its CSV export — through the services and through the route handlers.
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { eq, inArray, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import {
	queuePauses,
	requestQueue,
	requestQueueItems,
	searchHistory,
	searchRegistry,
	type Connector
} from '../../src/lib/server/db/schema';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { clientFor } from '../../src/lib/server/connectors';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import {
	clearPending,
	estimateDispatch,
	isDispatchPaused,
	listPending,
	pauseDispatch,
	removeRequest,
	resumeDispatch,
	setRequestPriority
} from '../../src/lib/server/services/queue/queue-admin';
import { csvField, grabCount } from '../../src/lib/server/services/history/history-service';
import * as queueRoute from '../../src/routes/api/v1/queue/+server';
import * as queueItemRoute from '../../src/routes/api/v1/queue/[id]/+server';
import * as pauseRoute from '../../src/routes/api/v1/queue/pause/+server';
import * as resumeRoute from '../../src/routes/api/v1/queue/resume/+server';
import * as historyRoute from '../../src/routes/api/v1/history/+server';
import * as historyCsvRoute from '../../src/routes/api/v1/history.csv/+server';

const world = useWorld();
useTestRuntime(world);
const NOW = new Date('2026-12-02T12:00:00Z');

type Handler = (event: RequestEvent) => Promise<Response> | Response;

async function call(
	handler: unknown,
	path: string,
	init: { method?: string; body?: unknown; params?: Record<string, string> } = {}
): Promise<Response> {
	const url = new URL(`http://comradarr.lan${path}`);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		...(init.body !== undefined
			? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
			: {})
	});
	const event = { url, request, params: init.params ?? {}, locals: {} } as unknown as RequestEvent;
	return (handler as Handler)(event);
}

async function queued(): Promise<Connector> {
	const sonarr = await world.addConnector('/sonarr');
	await syncConnector({
		db: world.db,
		connector: sonarr,
		client: clientFor(sonarr, world.secrets)
	});
	await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
	return world.connector(sonarr.id);
}

async function pendingRows(connectorId?: number) {
	const rows = await world.db
		.select()
		.from(requestQueue)
		.where(eq(requestQueue.status, 'pending'))
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id);
	return connectorId === undefined ? rows : rows.filter((r) => r.connectorId === connectorId);
}

async function registryStatesOf(requestId: number) {
	const links = await world.db
		.select({ id: requestQueueItems.registryId })
		.from(requestQueueItems)
		.where(eq(requestQueueItems.requestId, requestId));
	return links.map((l) => l.id);
}

describe('pause and resume', () => {
	it('pauses dispatch for every connector, or one, until resumed; both are idempotent', async () => {
		const sonarr = await queued();
		const radarr = await world.addConnector('/radarr');
		expect(await isDispatchPaused(world.db, sonarr.id)).toEqual({ paused: false });

		await pauseDispatch(world.db, { connectorId: sonarr.id, now: NOW });
		expect(await isDispatchPaused(world.db, sonarr.id)).toMatchObject({
			paused: true,
			scope: 'connector'
		});
		expect(await isDispatchPaused(world.db, radarr.id)).toEqual({ paused: false });

		await pauseDispatch(world.db, { now: NOW });
		await pauseDispatch(world.db, { now: new Date(NOW.getTime() + 1000) });
		const all = await isDispatchPaused(world.db, radarr.id);
		expect(all).toMatchObject({ paused: true, scope: 'all' });
		expect(all.paused && all.since.toISOString()).toBe(NOW.toISOString());
		expect(await world.db.select().from(queuePauses)).toHaveLength(2);

		// Resuming the queue leaves the connector's own pause.
		await resumeDispatch(world.db, {});
		expect(await isDispatchPaused(world.db, radarr.id)).toEqual({ paused: false });
		expect((await isDispatchPaused(world.db, sonarr.id)).paused).toBe(true);
		await resumeDispatch(world.db, { connectorId: sonarr.id });
		expect(await isDispatchPaused(world.db, sonarr.id)).toEqual({ paused: false });
	});

	it('toggles through POST /api/v1/queue/pause and /resume, with or without a body', async () => {
		const sonarr = await queued();
		const paused = await call(pauseRoute.POST, '/api/v1/queue/pause', { method: 'POST' });
		expect(paused.status).toBe(200);
		expect(((await paused.json()) as { all: unknown }).all).not.toBeNull();
		expect((await isDispatchPaused(world.db, sonarr.id)).paused).toBe(true);
		await call(resumeRoute.POST, '/api/v1/queue/resume', { method: 'POST' });
		expect((await isDispatchPaused(world.db, sonarr.id)).paused).toBe(false);

		const one = await call(pauseRoute.POST, '/api/v1/queue/pause', {
			method: 'POST',
			body: { connectorId: sonarr.id }
		});
		expect(((await one.json()) as { connectors: { connectorId: number }[] }).connectors).toEqual([
			expect.objectContaining({ connectorId: sonarr.id })
		]);
		expect(await isDispatchPaused(world.db, sonarr.id)).toMatchObject({ scope: 'connector' });
		await call(resumeRoute.POST, '/api/v1/queue/resume', {
			method: 'POST',
			body: { connectorId: sonarr.id }
		});
		expect((await isDispatchPaused(world.db, sonarr.id)).paused).toBe(false);
	});

	it('refuses an unknown connector with 404 and a bad body with 400 naming the field', async () => {
		const missing = await call(pauseRoute.POST, '/api/v1/queue/pause', {
			method: 'POST',
			body: { connectorId: 999 }
		});
		expect(missing.status).toBe(404);
		expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
			'connectors.not_found'
		);
		const bad = await call(pauseRoute.POST, '/api/v1/queue/pause', {
			method: 'POST',
			body: { connectorId: 'x' }
		});
		expect(bad.status).toBe(400);
		expect(
			((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields
		).toHaveProperty('connectorId');
	});
});

describe('remove, clear, reprioritise', () => {
	it('removes one pending batch and puts its registry rows into cooldown', async () => {
		const sonarr = await queued();
		const [first] = await pendingRows(sonarr.id);
		expect(first).toBeDefined();
		const registryIds = await registryStatesOf(first!.id);
		expect(registryIds.length).toBeGreaterThan(0);

		const response = await call(queueItemRoute.DELETE, `/api/v1/queue/${first!.id}`, {
			method: 'DELETE',
			params: { id: String(first!.id) }
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({
			removed: 1,
			searches: first!.searchCount,
			released: registryIds.length
		});
		expect(
			await world.db.select().from(requestQueue).where(eq(requestQueue.id, first!.id))
		).toHaveLength(0);
		const states = await world.db
			.select({ state: searchRegistry.state })
			.from(searchRegistry)
			.where(inArray(searchRegistry.id, registryIds));
		expect(states.map((s) => s.state)).toEqual(registryIds.map(() => 'cooldown'));
	});

	it('answers 409 queue.not_pending for a claimed batch and 404 for an unknown one', async () => {
		const sonarr = await queued();
		const [first] = await pendingRows(sonarr.id);
		await world.db
			.update(requestQueue)
			.set({ status: 'sending', claimedAt: NOW })
			.where(eq(requestQueue.id, first!.id));

		for (const [handler, method, body] of [
			[queueItemRoute.DELETE, 'DELETE', undefined],
			[queueItemRoute.PATCH, 'PATCH', { priority: 5 }]
		] as const) {
			const refused = await call(handler, `/api/v1/queue/${first!.id}`, {
				method,
				body,
				params: { id: String(first!.id) }
			});
			expect(refused.status).toBe(409);
			const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
			expect(error.code).toBe('queue.not_pending');
			expect(error.message).toMatch(/claimed for sending.*Only pending requests/);
		}
		const [still] = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.id, first!.id));
		expect(still?.status).toBe('sending');
		expect(still?.priority).toBe(first!.priority);

		await world.db
			.update(requestQueue)
			.set({ status: 'sent' })
			.where(eq(requestQueue.id, first!.id));
		await expect(removeRequest(world.db, { id: first!.id, now: NOW })).rejects.toMatchObject({
			code: 'queue.not_pending',
			status: 409
		});
		const unknown = await call(queueItemRoute.DELETE, '/api/v1/queue/99999', {
			method: 'DELETE',
			params: { id: '99999' }
		});
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
			'queue.not_found'
		);
	});

	it('clears every pending batch, or one connector’s, and leaves claimed ones', async () => {
		const sonarr = await queued();
		const radarr = await world.addConnector('/radarr');
		await syncConnector({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets)
		});
		await runSweep({ db: world.db, connector: radarr, kind: 'both' });
		const [claimed] = await pendingRows(sonarr.id);
		await world.db
			.update(requestQueue)
			.set({ status: 'sending', claimedAt: NOW })
			.where(eq(requestQueue.id, claimed!.id));
		const radarrBefore = (await pendingRows(radarr.id)).length;
		expect(radarrBefore).toBeGreaterThan(0);

		const cleared = await call(queueRoute.DELETE, `/api/v1/queue?connectorId=${sonarr.id}`, {
			method: 'DELETE'
		});
		expect(cleared.status).toBe(200);
		expect(((await cleared.json()) as { removed: number }).removed).toBeGreaterThan(0);
		expect(await pendingRows(sonarr.id)).toHaveLength(0);
		expect(await pendingRows(radarr.id)).toHaveLength(radarrBefore);
		const [kept] = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.id, claimed!.id));
		expect(kept?.status).toBe('sending');
		const stillQueued = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(searchRegistry)
			.where(
				sql`${searchRegistry.connectorId} = ${sonarr.id} and ${searchRegistry.state} = 'queued'`
			);
		// Only the claimed batch's rows are still `queued` (this test claimed it by hand).
		expect(stillQueued[0]?.n).toBe((await registryStatesOf(claimed!.id)).length);

		const all = await clearPending(world.db, { now: NOW });
		expect(all.removed).toBe(radarrBefore);
		expect(await pendingRows()).toHaveLength(0);
	});

	it('changes a pending batch’s priority, moving it to the front of the dispatch order', async () => {
		const sonarr = await queued();
		const rows = await pendingRows(sonarr.id);
		const last = rows[rows.length - 1]!;
		const top = rows[0]!.priority + 1;
		const response = await call(queueItemRoute.PATCH, `/api/v1/queue/${last.id}`, {
			method: 'PATCH',
			body: { priority: top },
			params: { id: String(last.id) }
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ id: last.id, priority: top });
		const listing = await listPending(world.db, { page: 1, pageSize: 1, now: NOW });
		expect(listing.items[0]?.id).toBe(last.id);
		expect(listing.items[0]?.position).toBe(0);

		const bad = await call(queueItemRoute.PATCH, `/api/v1/queue/${last.id}`, {
			method: 'PATCH',
			body: { priority: 1.5 },
			params: { id: String(last.id) }
		});
		expect(bad.status).toBe(400);
		expect(
			((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields
		).toHaveProperty('priority');
		await expect(setRequestPriority(world.db, { id: 424242, priority: 1 })).rejects.toMatchObject({
			code: 'queue.not_found'
		});
	});
});

describe('GET /api/v1/queue', () => {
	it('pages pending batches in dispatch order (priority desc, id), 50 by default, at most 500', async () => {
		const sonarr = await queued();
		const rows = await pendingRows(sonarr.id);
		expect(rows.length).toBeGreaterThan(3);
		const first = (await (await call(queueRoute.GET, '/api/v1/queue?pageSize=2')).json()) as {
			items: { id: number }[];
			total: number;
			pageSize: number;
		};
		const second = (await (
			await call(queueRoute.GET, '/api/v1/queue?pageSize=2&page=2')
		).json()) as {
			items: { id: number }[];
		};
		expect([...first.items, ...second.items].map((i) => i.id)).toEqual(
			rows.slice(0, 4).map((r) => r.id)
		);
		expect(first.total).toBe(rows.length);
		const byDefault = (await (await call(queueRoute.GET, '/api/v1/queue')).json()) as {
			pageSize: number;
		};
		expect(byDefault.pageSize).toBe(50);
		const past = (await (await call(queueRoute.GET, '/api/v1/queue?page=999')).json()) as {
			items: unknown[];
			total: number;
		};
		expect(past).toMatchObject({ items: [], total: rows.length });

		for (const query of ['pageSize=501', 'pageSize=0', 'page=0', 'page=x&pageSize=1.5']) {
			const bad = await call(queueRoute.GET, `/api/v1/queue?${query}`);
			expect(bad.status, query).toBe(400);
		}
		const both = await call(queueRoute.GET, '/api/v1/queue?page=0&pageSize=9999&connectorId=-1');
		expect(
			Object.keys(((await both.json()) as { error: { fields: object } }).error.fields).sort()
		).toEqual(['connectorId', 'page', 'pageSize']);
		expect((await call(queueRoute.GET, '/api/v1/queue?pageSize=500')).status).toBe(200);
	});

	it('estimates dispatch from the throttle: now, then one window per full window of commands, paused when paused', async () => {
		const profile = {
			maxCommandsPerWindow: 5,
			windowSeconds: 60,
			dailySearchBudget: 100,
			activeWindows: []
		};
		const base = { profile, now: NOW, timeZone: 'UTC', paused: false };
		const usage = { commandsInWindow: 3, searchesToday: 0 };
		expect(estimateDispatch({ ...base, usage, position: 1, searchesThrough: 10 })).toEqual({
			at: NOW,
			reason: 'ready'
		});
		expect(estimateDispatch({ ...base, usage, position: 2, searchesThrough: 10 })).toEqual({
			at: new Date(NOW.getTime() + 60_000),
			reason: 'window'
		});
		expect(estimateDispatch({ ...base, usage, position: 7, searchesThrough: 10 }).at).toEqual(
			new Date(NOW.getTime() + 120_000)
		);
		expect(estimateDispatch({ ...base, usage, position: 0, searchesThrough: 101 })).toEqual({
			at: new Date('2026-12-03T00:00:00Z'),
			reason: 'budget'
		});
		expect(
			estimateDispatch({ ...base, paused: true, usage, position: 0, searchesThrough: 1 })
		).toEqual({ at: null, reason: 'paused' });
		// Outside the profile's active hours (01:00–07:00 local), the next one opens tomorrow at 01:00
		// and the window arithmetic starts there.
		const night = {
			...base,
			profile: { ...profile, activeWindows: [{ start: '01:00', end: '07:00' }] }
		};
		expect(estimateDispatch({ ...night, usage, position: 0, searchesThrough: 1 })).toEqual({
			at: new Date('2026-12-03T01:00:00Z'),
			reason: 'outside_window'
		});
		expect(estimateDispatch({ ...night, usage, position: 2, searchesThrough: 1 })).toEqual({
			at: new Date('2026-12-03T01:01:00Z'),
			reason: 'window'
		});

		// Through the service: a paused connector's batches say so.
		const sonarr = await queued();
		await pauseDispatch(world.db, { connectorId: sonarr.id, now: NOW });
		const listing = await listPending(world.db, { page: 1, pageSize: 3, now: NOW });
		expect(listing.items.map((i) => i.estimate.reason)).toEqual(['paused', 'paused', 'paused']);
	});
});

describe('history', () => {
	async function seedHistory(connector: Connector) {
		const base = {
			connectorId: connector.id,
			payload: { name: 'EpisodeSearch' as const, episodeIds: [1] },
			searchCount: 1
		};
		await world.db.insert(searchHistory).values([
			{
				...base,
				command: 'EpisodeSearch',
				searchType: 'gap',
				label: 'Alpha Show — S01E01',
				outcome: 'completed',
				message: 'Episode search completed. 2 reports downloaded.',
				finishedAt: new Date('2026-11-30T10:00:00Z')
			},
			{
				...base,
				command: 'SeasonSearch',
				searchType: 'gap',
				label: 'Beta 100% Show — S02 (season pack)',
				outcome: 'failed',
				message: 'boom',
				finishedAt: new Date('2026-12-01T10:00:00Z')
			},
			{
				...base,
				command: 'EpisodeSearch',
				searchType: 'upgrade',
				label: '=HYPERLINK("x"), "quoted"',
				outcome: 'completed',
				message: 'Episode search completed. 0 reports downloaded.',
				finishedAt: new Date('2026-12-02T10:00:00Z')
			}
		]);
	}

	it('filters by connector, outcome, search type, command, date range and title, newest first', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const radarr = await world.addConnector('/radarr');
		await seedHistory(sonarr);
		const get = async (query: string) =>
			(await (await call(historyRoute.GET, `/api/v1/history?${query}`)).json()) as {
				items: { label: string; grabs: number | null }[];
				total: number;
			};
		expect((await get('')).items.map((i) => i.label)[0]).toMatch(/HYPERLINK/);
		expect((await get('')).total).toBe(3);
		expect((await get(`connectorId=${radarr.id}`)).total).toBe(0);
		expect((await get('outcome=failed')).items.map((i) => i.label)).toEqual([
			'Beta 100% Show — S02 (season pack)'
		]);
		expect((await get('searchType=upgrade')).total).toBe(1);
		expect((await get('command=SeasonSearch')).total).toBe(1);
		expect((await get('from=2026-12-01&to=2026-12-01')).items.map((i) => i.label)).toEqual([
			'Beta 100% Show — S02 (season pack)'
		]);
		expect((await get('from=2026-11-30T10:00:00Z&to=2026-11-30T10:00:00Z')).total).toBe(1);
		expect((await get('q=alpha')).total).toBe(1);
		expect((await get('q=100%25')).total).toBe(1);
		expect((await get('q=%25')).total).toBe(1);
		expect((await get('q=_')).total).toBe(0);
		expect((await get('outcome=completed')).items.map((i) => i.grabs)).toEqual([0, 2]);
		const paged = await get('pageSize=1&page=2');
		expect(paged).toMatchObject({
			total: 3,
			items: [{ label: 'Beta 100% Show — S02 (season pack)' }]
		});
	});

	it('answers 400 naming each bad parameter', async () => {
		const bad = await call(
			historyRoute.GET,
			'/api/v1/history?outcome=great&searchType=x&command=Rss&from=yesterday&to=2026-02-30&connectorId=0&pageSize=501&format=xml'
		);
		expect(bad.status).toBe(400);
		const error = (
			(await bad.json()) as { error: { code: string; fields: Record<string, string> } }
		).error;
		expect(error.code).toBe('validation.failed');
		expect(Object.keys(error.fields).sort()).toEqual(
			['command', 'connectorId', 'format', 'from', 'outcome', 'pageSize', 'searchType', 'to'].sort()
		);
		const reversed = await call(historyRoute.GET, '/api/v1/history?from=2026-12-02&to=2026-12-01');
		expect(((await reversed.json()) as { error: { fields: object } }).error.fields).toHaveProperty(
			'to'
		);
	});

	it('exports every matching row as CSV, quoting fields and defusing formulas', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await seedHistory(sonarr);
		for (const response of [
			await call(historyRoute.GET, '/api/v1/history?format=csv&searchType=upgrade'),
			await call(historyCsvRoute.GET, '/api/v1/history.csv?searchType=upgrade')
		]) {
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
			expect(response.headers.get('content-disposition')).toMatch(
				/attachment; filename="comradarr-history-/
			);
			const lines = (await response.text()).split('\r\n');
			expect(lines[0]).toMatch(/^id,finishedAt,sentAt,connectorId,connectorName,command/);
			expect(lines).toHaveLength(3);
			expect(lines[1]).toContain(`"'=HYPERLINK(""x""), ""quoted"""`);
			expect(lines[1]).toContain(',0,');
		}
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('-1+2')).toBe("'-1+2");
		expect(grabCount('Season search completed. 12 reports downloaded.')).toBe(12);
		expect(grabCount('Completed')).toBeNull();
	});

	it('streams exports larger than one read chunk without losing or repeating a row', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await world.db.execute(sql`
			insert into search_history (connector_id, command, search_type, search_count, label, payload, outcome, finished_at)
			select ${sonarr.id}, 'EpisodeSearch', 'gap', 1, 'Row ' || g, '{"name":"EpisodeSearch","episodeIds":[1]}'::jsonb,
			       'completed', timestamptz '2026-12-01T00:00:00Z' + (g % 7) * interval '1 minute'
			from generate_series(1, 2503) g`);
		const text = await (await call(historyCsvRoute.GET, '/api/v1/history.csv')).text();
		const ids = text
			.trim()
			.split('\r\n')
			.slice(1)
			.map((l) => l.split(',')[0]);
		expect(ids).toHaveLength(2503);
		expect(new Set(ids).size).toBe(2503);
	});
});

describe('the dispatcher and a removed batch', () => {
	it('never sends a batch that was removed', async () => {
		const sonarr = await queued();
		const rows = await pendingRows(sonarr.id);
		const removedIds = new Set(rows.slice(0, 2).map((r) => r.id));
		for (const id of removedIds) await removeRequest(world.db, { id, now: NOW });
		await dispatchConnector({
			db: world.db,
			connector: sonarr,
			client: clientFor(sonarr, world.secrets),
			profile: await profileFor(world.db, sonarr)
		});
		const sent = await world.db
			.select({ id: requestQueue.id })
			.from(requestQueue)
			.where(sql`${requestQueue.status} <> 'pending'`);
		expect(sent.length).toBeGreaterThan(0);
		expect(sent.some((s) => removedIds.has(s.id))).toBe(false);
	});
});
