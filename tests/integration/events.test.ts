/**
 * Domain events: what happened is appended to `events` in the transaction of the change itself,
 * so notifications and analytics can read only this table.
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world';
import {
	events,
	requestQueue,
	searchRegistry,
	throttleProfiles
} from '../../src/lib/server/db/schema';
import { readEvents } from '../../src/lib/server/db/queries/events';
import {
	checkOne,
	cycleOne,
	sweepOne,
	syncOne,
	trackAll,
	type OperationDeps
} from '../../src/lib/server/services/operations';
import { recordFailure } from '../../src/lib/server/services/health/health-state';
import { MAX_ATTEMPTS } from '../../src/lib/server/services/queue/outcome';
import type { EventType } from '../../src/lib/types/events';

const world = useWorld();
const deps = (): OperationDeps => ({ db: world.db, secrets: world.secrets });

async function eventsOf(type: EventType) {
	return world.db.select().from(events).where(eq(events.type, type)).orderBy(events.id);
}

describe('domain events', () => {
	it('record a health change once, with from, to and the reason, and nothing when it stays', async () => {
		const radarr = await world.addConnector('/radarr');
		expect(radarr.health).toBe('healthy'); // tested when it was added
		await checkOne(deps(), radarr); // healthy → healthy: no event
		expect(await eventsOf('connector.health_changed')).toHaveLength(0);
		const failure = new Error('connect ECONNREFUSED');
		await recordFailure(world.db, radarr.id, failure, {
			afterRetries: true,
			context: 'Sync failed'
		});
		await recordFailure(world.db, radarr.id, failure, {
			afterRetries: true,
			context: 'Sync failed'
		});
		const changes = await eventsOf('connector.health_changed');
		expect(changes).toHaveLength(1);
		expect(changes[0]).toMatchObject({
			connectorId: radarr.id,
			payload: { from: 'healthy', to: (await world.connector(radarr.id)).health }
		});
		expect(String(changes[0]!.payload.reason)).toMatch(/^Sync failed/);
	});

	it('are written in the transaction of the change: a rolled-back change leaves no event', async () => {
		const radarr = await world.addConnector('/radarr');
		await expect(
			world.db.transaction(async (tx) => {
				await recordFailure(tx, radarr.id, new Error('boom'), {
					afterRetries: true,
					context: 'Sync failed'
				});
				expect(
					await tx.select().from(events).where(eq(events.type, 'connector.health_changed'))
				).toHaveLength(1);
				throw new Error('roll back');
			})
		).rejects.toThrow('roll back');
		expect(await eventsOf('connector.health_changed')).toHaveLength(0);
		expect((await world.connector(radarr.id)).health).toBe('healthy');
	});

	it('follow a search from the sweep that queued it to the app finishing it', async () => {
		const radarr = await world.addConnector('/radarr');
		await syncOne(deps(), radarr);
		const sweep = await sweepOne(deps(), radarr, 'gaps');
		const [swept] = await eventsOf('sweep.completed');
		expect(swept).toMatchObject({
			connectorId: radarr.id,
			payload: { kind: 'gaps', queuedBatches: sweep.queuedBatches }
		});

		const cycle = await cycleOne(deps(), await world.connector(radarr.id));
		expect(cycle.dispatch.sent).toBeGreaterThan(0);
		const sent = await eventsOf('search.sent');
		expect(sent).toHaveLength(cycle.dispatch.sent);
		const rows = await world.db
			.select()
			.from(requestQueue)
			.where(isNotNull(requestQueue.arrCommandId))
			.orderBy(requestQueue.id);
		expect(sent.map((e) => e.subject.commandId)).toEqual(rows.map((r) => r.id));
		expect(sent[0]!.subject.arrMovieIds).toEqual(
			(rows[0]!.payload as { movieIds: number[] }).movieIds
		);
		expect(sent[0]!.payload).toMatchObject({
			command: 'MoviesSearch',
			searchType: 'gap',
			// The registry rows it searches: one per movie it names.
			itemCount: (rows[0]!.payload as { movieIds: number[] }).movieIds.length
		});

		await Bun.sleep(60); // the simulator finishes commands after 20 ms
		await trackAll(deps());
		const completed = await eventsOf('search.completed');
		expect(completed.map((e) => e.subject.commandId).sort()).toEqual(rows.map((r) => r.id).sort());
		expect(completed[0]!.payload).toHaveProperty('outcome');
		// A reader's cursor sees them in order.
		const after = await readEvents(world.db, { afterId: swept!.id, types: ['search.completed'] });
		expect(after.map((e) => e.id)).toEqual(completed.map((e) => e.id));
	});

	it('say when an item has been searched the maximum number of times', async () => {
		// The command below is the last in dispatch order: lift the in-flight limit (2) for it.
		await world.db.update(throttleProfiles).set({ maxInFlight: 100 });
		const radarr = await world.addConnector('/radarr');
		await syncOne(deps(), radarr);
		await sweepOne(deps(), radarr, 'gaps');
		// One command's items are one search short of giving up.
		const [first] = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.status, 'pending'))
			.orderBy(requestQueue.priority, requestQueue.id)
			.limit(1);
		await world.db.execute(sql`
			update search_registry set attempts = ${MAX_ATTEMPTS - 1}
			where id in (select registry_id from request_queue_items where request_id = ${first!.id})`);
		await cycleOne(deps(), await world.connector(radarr.id));
		await Bun.sleep(60);
		await trackAll(deps());
		const exhausted = await eventsOf('search.exhausted');
		expect(exhausted).toHaveLength(1);
		const gaveUp = await world.db
			.select({ movieId: searchRegistry.movieId })
			.from(searchRegistry)
			.where(and(eq(searchRegistry.connectorId, radarr.id), eq(searchRegistry.state, 'exhausted')));
		expect(exhausted[0]!.subject.commandId).toBe(first!.id);
		expect([...(exhausted[0]!.subject.movieIds ?? [])].sort()).toEqual(
			gaveUp.map((r) => r.movieId).sort()
		);
		expect(exhausted[0]!.payload).toMatchObject({ attempts: MAX_ATTEMPTS });
	});
});
