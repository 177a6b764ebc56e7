/**
 * The sweep preview (services/queue/preview.ts, GET /api/v1/sweeps/preview) against a real
 * PostgreSQL and the *arr simulator: it shows exactly the commands the following real sweep
 * queues and the dispatcher sends, in order, and writes and sends nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import { requestQueue, throttleProfiles, type Connector } from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { previewSweep, type SweepPreview } from '../../src/lib/server/services/queue/preview';
import { invalidateSettingsCache } from '../../src/lib/server/services/settings/settings-service';
import { pauseDispatch, resumeDispatch } from '../../src/lib/server/services/queue/queue-admin';
import * as previewRoute from '../../src/routes/api/v1/sweeps/preview/+server';

const world = useWorld();
useTestRuntime(world);

beforeEach(() => {
	invalidateSettingsCache();
});

async function get(path: string): Promise<Response> {
	const url = new URL(`http://comradarr.lan${path}`);
	const event = {
		url,
		request: new Request(url),
		params: {},
		locals: {}
	} as unknown as RequestEvent;
	return (previewRoute.GET as (e: RequestEvent) => Promise<Response>)(event);
}

/** A fingerprint of every row of the tables a sweep or dispatch writes. */
async function fingerprint() {
	const [row] = await world.db.execute<Record<string, string | null>>(sql`
		select
		  (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from search_registry t) as registry,
		  (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from request_queue t) as queue,
		  (select md5(coalesce(string_agg(t::text, '|' order by t.request_id, t.registry_id), '')) from request_queue_items t) as items,
		  (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from events t) as events,
		  (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from search_history t) as history`);
	return row;
}

function commandPosts() {
	return world.sim.requests.filter(
		(r) => r.method === 'POST' && r.path.endsWith('/api/v3/command')
	);
}

async function synced(base: string): Promise<Connector> {
	const connector = await world.addConnector(base);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	return world.connector(connector.id);
}

async function pendingInDispatchOrder(connectorId: number) {
	return world.db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.connectorId, connectorId), eq(requestQueue.status, 'pending')))
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id);
}

const shape = (p: SweepPreview) =>
	p.commands.map((c) => ({
		command: c.command,
		payload: c.payload,
		label: c.label,
		searchCount: c.searchCount,
		priority: c.priority
	}));

describe('sweep preview', () => {
	for (const base of ['/sonarr', '/radarr'] as const) {
		it(`${base}: equals what the following sweep queues and dispatch sends, and writes nothing`, async () => {
			const connector = await synced(base);
			const t0 = new Date();
			// An earlier sweep leaves state the preview's sweep changes (and must restore).
			await runSweep({ db: world.db, connector, kind: 'both', clock: () => t0 });
			// A user's request kept by sweeps, with a low priority: it goes last, though it is the oldest row.
			const [first] = await pendingInDispatchOrder(connector.id);
			await world.db
				.update(requestQueue)
				.set({ origin: 'manual', priority: -10 })
				.where(eq(requestQueue.id, first!.id));
			const t1 = new Date(t0.getTime() + 60_000);
			world.sim.clearRequests();
			const before = await fingerprint();

			const preview = await previewSweep({ db: world.db, connector, clock: () => t1 });
			expect(await fingerprint()).toEqual(before);
			expect(commandPosts()).toHaveLength(0);
			expect(preview.commands.length).toBeGreaterThan(5);
			expect(preview.commands.at(-1)).toMatchObject({ origin: 'manual', priority: -10 });
			expect(preview.skipped).toBeNull();
			expect(preview.commands.every((c) => c.rule && c.rule === c.score?.rule)).toBe(true);
			for (const c of preview.commands) {
				if (c.command !== 'SeasonSearch') expect(c.items).toHaveLength(c.searchCount);
			}
			expect(preview.commands.every((c) => c.items.length > 0)).toBe(true);
			if (base === '/sonarr') {
				expect(preview.commands.some((c) => c.command === 'SeasonSearch')).toBe(true);
				expect(preview.commands.some((c) => c.rule?.startsWith('season pack: '))).toBe(true);
			}

			// Moderate: 5 commands per window, 500 searches today, but at most 2 in flight → the
			// first two go now, the rest wait for those to finish.
			expect(preview.throttle).toMatchObject({
				maxCommandsPerWindow: 5,
				commandsLeft: 5,
				searchesToday: 0,
				maxInFlight: 2,
				inFlight: 0,
				insideWindow: true
			});
			expect(preview.sendNow.commands).toBe(2);
			expect(preview.commands.slice(0, 2).every((c) => c.dispatch === 'now')).toBe(true);
			expect(preview.commands.slice(2).every((c) => c.dispatch === 'in_flight')).toBe(true);
			expect(preview.waiting).toBe(preview.commands.length - 2);

			// The real sweep at the same instant queues the same commands in the same order.
			const swept = await runSweep({ db: world.db, connector, kind: 'both', clock: () => t1 });
			expect(swept.queuedBatches).toBe(preview.sweep.queuedBatches);
			const rows = await pendingInDispatchOrder(connector.id);
			expect(
				rows.map((r) => ({
					command: r.command,
					payload: r.payload,
					label: r.label,
					searchCount: r.searchCount,
					priority: r.priority
				}))
			).toEqual(shape(preview));

			// And the dispatcher sends the ones the preview said go now, in that order.
			const result = await dispatchConnector({
				db: world.db,
				connector,
				client: clientFor(connector, world.secrets),
				profile: await profileFor(world.db, connector),
				clock: () => t1
			});
			expect(result.sent).toBe(preview.sendNow.commands);
			expect(commandPosts().map((r) => r.body)).toEqual(
				preview.commands.filter((c) => c.dispatch === 'now').map((c) => c.payload)
			);
		});
	}

	it('says which commands wait for a pause and for the daily budget', async () => {
		const connector = await synced('/sonarr');
		await pauseDispatch(world.db, { connectorId: connector.id, now: new Date() });
		const paused = await previewSweep({ db: world.db, connector });
		expect(paused.throttle.paused).toBe(true);
		expect(paused.sendNow.commands).toBe(0);
		expect(paused.commands.every((c) => c.dispatch === 'paused')).toBe(true);
		await resumeDispatch(world.db, { connectorId: connector.id });

		// The in-flight limit out of the way, so the window and the budget bind.
		await world.db
			.update(throttleProfiles)
			.set({ maxInFlight: 100 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		// 497 of Moderate's 500 searches were spent today (one command in the window).
		const now = new Date();
		await world.db.insert(requestQueue).values({
			connectorId: connector.id,
			command: 'EpisodeSearch',
			searchType: 'gap',
			payload: { name: 'EpisodeSearch', episodeIds: [1] },
			searchCount: 497,
			priority: 0,
			label: 'earlier today',
			status: 'completed',
			claimedAt: now,
			sentAt: now,
			finishedAt: now
		});
		const preview = await previewSweep({ db: world.db, connector, clock: () => now });
		expect(preview.throttle).toMatchObject({
			searchesToday: 497,
			searchesLeft: 3,
			commandsLeft: 4
		});
		const firstWait = preview.commands.findIndex((c) => c.dispatch !== 'now');
		expect(firstWait).toBeGreaterThanOrEqual(0);
		const sent = preview.commands.slice(0, firstWait);
		expect(sent.reduce((n, c) => n + c.searchCount, 0)).toBe(preview.sendNow.searches);
		expect(preview.sendNow.searches).toBeLessThanOrEqual(3);
		const waiting = preview.commands.slice(firstWait);
		expect(waiting[0]!.dispatch === 'budget' || waiting[0]!.dispatch === 'window').toBe(true);
		if (waiting[0]!.dispatch === 'budget') {
			expect(waiting[0]!.searchCount).toBeGreaterThan(3 - preview.sendNow.searches);
		}
		expect(preview.commands.some((c) => c.dispatch === 'budget')).toBe(true);
		expect(waiting.every((c) => c.dispatch !== 'now')).toBe(true);
	});
});

describe('GET /api/v1/sweeps/preview', () => {
	it('answers 400 for a missing or invalid connectorId or kind, 404 for an unknown connector', async () => {
		const missing = await get('/api/v1/sweeps/preview');
		expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
			'connectorId is required'
		);
		for (const query of [
			'',
			'?connectorId=',
			'?connectorId=abc',
			'?connectorId=0',
			'?connectorId=-3',
			'?connectorId=1.5',
			'?connectorId=99999999999'
		]) {
			const response = await get(`/api/v1/sweeps/preview${query}`);
			expect(response.status, query).toBe(400);
			const body = (await response.json()) as { error: { code: string; fields?: object } };
			expect(body.error.code).toBe('validation.failed');
			expect(body.error.fields).toHaveProperty('connectorId');
		}
		const connector = await synced('/radarr');
		const badKind = await get(`/api/v1/sweeps/preview?connectorId=${connector.id}&kind=all`);
		expect(badKind.status).toBe(400);
		const unknown = await get('/api/v1/sweeps/preview?connectorId=4242');
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
			'connectors.not_found'
		);
	});

	it('returns the preview and leaves the database and the app untouched', async () => {
		const connector = await synced('/radarr');
		world.sim.clearRequests();
		const before = await fingerprint();
		const response = await get(`/api/v1/sweeps/preview?connectorId=${connector.id}&kind=gaps`);
		expect(response.status).toBe(200);
		const body = (await response.json()) as SweepPreview;
		expect(body).toMatchObject({ connectorId: connector.id, kind: 'gaps', skipped: null });
		expect(body.commands.length).toBeGreaterThan(0);
		expect(body.commands[0]).toMatchObject({ position: 1, command: 'MoviesSearch' });
		expect(await fingerprint()).toEqual(before);
		expect(commandPosts()).toHaveLength(0);
	});
	it('says the commands wait for the active hours outside the profile’s windows, and when they open', async () => {
		// 02:00–03:00 UTC (the settings' zone); the preview runs at 12:00 UTC.
		await world.db
			.update(throttleProfiles)
			.set({ activeWindows: [{ start: '02:00', end: '03:00' }] })
			.where(eq(throttleProfiles.name, 'Moderate'));
		const connector = await synced('/sonarr');
		const at = new Date('2026-06-01T12:00:00Z');
		const preview = await previewSweep({ db: world.db, connector, clock: () => at });
		expect(preview.commands.length).toBeGreaterThan(0);
		expect(preview.sendNow.commands).toBe(0);
		expect(preview.commands.every((c) => c.dispatch === 'outside_window')).toBe(true);
		expect(preview.throttle).toMatchObject({
			insideWindow: false,
			opensAt: '2026-06-02T02:00:00.000Z'
		});
	});
});
