/**
 * The Queue page's writes and the sweep that follows them, against a real PostgreSQL and the *arr
 * simulator: a priority a person set (`origin = 'manual'`) survives the next sweep without its
 * items being queued twice; a removed batch's items wait out the connector's search cooldown
 * instead of being queued straight back; and the page's read model (queue-view.ts).
 */
import { describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	connectors,
	queuePauses,
	requestQueue,
	requestQueueItems,
	searchRegistry,
	type Connector
} from '../../src/lib/server/db/schema';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { clientFor } from '../../src/lib/server/connectors';
import {
	clearPending,
	pauseDispatch,
	removeRequest,
	setRequestPriority
} from '../../src/lib/server/services/queue/queue-admin';
import {
	listPauses,
	listQueuePage,
	topPriority
} from '../../src/lib/server/services/queue/queue-view';

const world = useWorld();
const NOW = new Date('2026-12-02T12:00:00Z');
/** The sweep reads the real clock: a cooldown meant to outlast it must start now. */
const realNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);
const HOUR = 3_600_000;

async function synced(urlBase = '/sonarr'): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await syncConnector({
		db: world.db,
		connector,
		client: clientFor(connector, world.secrets)
	});
	return world.connector(connector.id);
}

async function sweep(connector: Connector): Promise<void> {
	await runSweep({ db: world.db, connector: await world.connector(connector.id), kind: 'both' });
}

async function pending(connectorId: number) {
	return world.db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.status, 'pending'), eq(requestQueue.connectorId, connectorId)))
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id);
}

async function itemsOf(requestId: number): Promise<number[]> {
	const rows = await world.db
		.select({ id: requestQueueItems.registryId })
		.from(requestQueueItems)
		.where(eq(requestQueueItems.requestId, requestId));
	return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** Registry ids of every given request, ascending. */
async function allItems(rows: readonly { id: number }[]): Promise<number[]> {
	return (await Promise.all(rows.map((r) => itemsOf(r.id)))).flat().sort((a, b) => a - b);
}

/** Registry ids linked to more than one pending request. */
async function queuedTwice(connectorId: number): Promise<number[]> {
	const rows = await world.db.execute<{ registry_id: number }>(sql`
		select i.registry_id from request_queue_items i
		join request_queue q on q.id = i.request_id
		where q.connector_id = ${connectorId} and q.status = 'pending'
		group by i.registry_id having count(*) > 1`);
	return [...rows].map((r) => r.registry_id);
}

describe('a priority set by hand', () => {
	it('marks the batch manual, and the next sweep keeps it, its priority and its items once', async () => {
		const sonarr = await synced();
		await sweep(sonarr);
		const before = await pending(sonarr.id);
		expect(before.length).toBeGreaterThan(2);
		const last = before[before.length - 1]!;
		const top = before[0]!.priority + 100;
		const items = await itemsOf(last.id);
		expect(items.length).toBeGreaterThan(0);
		const allBefore = await allItems(before);

		await setRequestPriority(world.db, { id: last.id, priority: top });
		const [marked] = await world.db
			.select({ origin: requestQueue.origin })
			.from(requestQueue)
			.where(eq(requestQueue.id, last.id));
		expect(marked?.origin).toBe('manual');

		await sweep(sonarr);
		const after = await pending(sonarr.id);
		const kept = after.find((r) => r.id === last.id);
		expect(kept, 'the manual batch survives the sweep').toBeDefined();
		expect(kept?.priority).toBe(top);
		expect(kept?.origin).toBe('manual');
		expect(after[0]?.id).toBe(last.id);
		expect(await itemsOf(last.id)).toEqual(items);
		expect(await queuedTwice(sonarr.id)).toEqual([]);
		// The sweep rebuilt the others: every item of the first build is queued again, once.
		expect(await allItems(after)).toEqual(allBefore);
	});
});

describe('removing a batch', () => {
	it('puts its items into cooldown for the connector’s search cooldown; the next sweep skips them', async () => {
		const sonarr = await synced();
		await world.db
			.update(connectors)
			.set({ searchCooldownHours: 12 })
			.where(eq(connectors.id, sonarr.id));
		await sweep(sonarr);
		const [first] = await pending(sonarr.id);
		const items = await itemsOf(first!.id);
		const before = await world.db
			.select()
			.from(searchRegistry)
			.where(inArray(searchRegistry.id, items));

		const now = realNow();
		const result = await removeRequest(world.db, { id: first!.id, now });
		expect(result).toEqual({ removed: 1, searches: first!.searchCount, released: items.length });

		const after = await world.db
			.select()
			.from(searchRegistry)
			.where(inArray(searchRegistry.id, items));
		for (const row of after) {
			expect(row.state).toBe('cooldown');
			expect(row.nextEligibleAt.toISOString()).toBe(
				new Date(now.getTime() + 12 * HOUR).toISOString()
			);
			const was = before.find((b) => b.id === row.id)!;
			expect(row.attempts).toBe(was.attempts);
			expect(row.lastSearchedAt).toEqual(was.lastSearchedAt);
		}

		await sweep(sonarr);
		const requeued = await world.db
			.select({ id: requestQueueItems.registryId })
			.from(requestQueueItems)
			.innerJoin(requestQueue, eq(requestQueue.id, requestQueueItems.requestId))
			.where(and(eq(requestQueue.status, 'pending'), inArray(requestQueueItems.registryId, items)));
		expect(requeued, 'removed items are not queued straight back').toEqual([]);
	});

	it('falls back to the throttle profile’s search cooldown when the connector has none', async () => {
		const sonarr = await synced();
		expect(sonarr.searchCooldownHours).toBeNull();
		await sweep(sonarr);
		const [first] = await pending(sonarr.id);
		const items = await itemsOf(first!.id);
		const now = realNow();
		await removeRequest(world.db, { id: first!.id, now });
		const [row] = await world.db
			.select()
			.from(searchRegistry)
			.where(inArray(searchRegistry.id, items));
		// The presets' search cooldown is 24 h.
		expect(row?.nextEligibleAt.toISOString()).toBe(
			new Date(now.getTime() + 24 * HOUR).toISOString()
		);
	});

	it('clearing returns the items to pending, so the next sweep queues them again', async () => {
		const sonarr = await synced();
		await sweep(sonarr);
		const rows = await pending(sonarr.id);
		const items = await allItems(rows);
		await clearPending(world.db, { connectorId: sonarr.id, now: NOW });
		expect(await pending(sonarr.id)).toEqual([]);
		await sweep(sonarr);
		const again = await pending(sonarr.id);
		expect(await allItems(again)).toEqual(items);
	});
});

describe('the Queue page read model', () => {
	it('lists each batch with its score, origin, item count and mirror link targets', async () => {
		const sonarr = await synced();
		const radarr = await synced('/radarr');
		await sweep(sonarr);
		await sweep(radarr);
		const page = await listQueuePage(world.db, { page: 1, pageSize: 500, now: NOW });
		expect(page.items.length).toBe(page.total);
		const episodeBatch = page.items.find((i) => i.connectorId === sonarr.id)!;
		const movieBatch = page.items.find((i) => i.connectorId === radarr.id)!;
		expect(episodeBatch.score?.perQuery).toBeGreaterThan(0);
		expect(episodeBatch.origin).toBe('sweep');
		expect(episodeBatch.itemCount).toBe((await itemsOf(episodeBatch.id)).length);
		const [row] = await world.db
			.select({ seriesId: requestQueue.seriesId })
			.from(requestQueue)
			.where(eq(requestQueue.id, episodeBatch.id));
		expect(episodeBatch.targets).toEqual([
			expect.objectContaining({ kind: 'series', id: row?.seriesId })
		]);
		expect(movieBatch.command).toBe('MoviesSearch');
		expect(movieBatch.targets.length).toBe(Math.min(10, movieBatch.itemCount));
		expect(movieBatch.targets.every((t) => t.kind === 'movie')).toBe(true);
	});

	it('computes the priority that moves a batch to the top', async () => {
		const sonarr = await synced();
		expect(await topPriority(world.db, { fallback: 7 })).toBe(7);
		await sweep(sonarr);
		const [first] = await pending(sonarr.id);
		expect(await topPriority(world.db, { fallback: 7 })).toBe(first!.priority + 1);
		expect(await topPriority(world.db, { connectorId: sonarr.id, fallback: 7 })).toBe(
			first!.priority + 1
		);
	});

	it('lists the pauses in force, with until and reason when Comradarr set them', async () => {
		const sonarr = await synced();
		await pauseDispatch(world.db, { now: NOW });
		await world.db.insert(queuePauses).values({
			connectorId: sonarr.id,
			pausedAt: NOW,
			until: new Date(NOW.getTime() + HOUR),
			reason: 'rate limited by the app (HTTP 429)'
		});
		const radarr = await world.addConnector('/radarr');
		await world.db.insert(queuePauses).values({
			connectorId: radarr.id,
			pausedAt: new Date(NOW.getTime() - 2 * HOUR),
			until: new Date(NOW.getTime() - HOUR),
			reason: 'rate limited by the app (HTTP 429)'
		});
		// Radarr's pause has run out: it is not listed.
		expect(await listPauses(world.db, NOW)).toEqual([
			{ connectorId: null, connectorName: null, pausedAt: NOW, until: null, reason: null },
			{
				connectorId: sonarr.id,
				connectorName: sonarr.name,
				pausedAt: NOW,
				until: new Date(NOW.getTime() + HOUR),
				reason: 'rate limited by the app (HTTP 429)'
			}
		]);
	});
});
