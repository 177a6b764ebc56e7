/**
 * Guard: an item the app acquired leaves the search state (issue 9: "guarded by no test"). After
 * a real search (sweep → dispatch → tracking), the simulator imports a file for a searched
 * episode / movie, a sync runs, and the item's registry row is gone (no cooldown, no later
 * search) with an `item.acquired` event naming it. sync-incremental.test.ts covers the same for
 * an item that was only queued.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	episodes,
	events,
	movies,
	searchRegistry,
	throttleProfiles,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { trackCommands } from '../../src/lib/server/services/queue/command-tracker';
import { profileFor } from '../../src/lib/server/services/queue/throttle';

const world = useWorld();

async function sync(connector: Connector) {
	return syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
}

/** Sweep, send what the throttle allows, and poll until every sent command has finished. */
async function searchOnce(connector: Connector) {
	await world.db.update(throttleProfiles).set({ maxInFlight: 100 });
	await runSweep({ db: world.db, connector, kind: 'gaps' });
	const profile = await profileFor(world.db, connector);
	const client = clientFor(connector, world.secrets);
	const sent = await dispatchConnector({ db: world.db, connector, client, profile });
	expect(sent.sent).toBeGreaterThan(0);
	for (let i = 0; i < 100; i++) {
		await trackCommands({ db: world.db, connector, client, profile });
		const [left] = await world.db.execute<{ n: number }>(sql`
			select count(*)::int as n from request_queue where status = 'sent'`);
		if (left?.n === 0) return;
		await Bun.sleep(20);
	}
	throw new Error('commands did not finish');
}

async function acquiredEvents() {
	return world.db.select().from(events).where(eq(events.type, 'item.acquired'));
}

describe('an acquired item leaves the search state', () => {
	it('clears a searched episode once the app imported a file for it', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const sim = world.sim.instance('/sonarr');
		await sync(sonarr);
		await searchOnce(sonarr);
		// A searched episode the app still lacks (the simulator's grabs gave some a file already).
		const searched = await world.db
			.select({ registryId: searchRegistry.id, episodeId: episodes.id, arrId: episodes.arrId })
			.from(searchRegistry)
			.innerJoin(episodes, eq(episodes.id, searchRegistry.episodeId))
			.where(and(eq(searchRegistry.connectorId, sonarr.id), eq(searchRegistry.state, 'cooldown')));
		const target = searched.find(
			(r) => sim.episodes.find((e) => e.id === r.arrId)?.episodeFileId === 0
		);
		expect(target).toBeDefined();
		const before = (await acquiredEvents()).length;

		sim.setEpisodeFile(target!.arrId, { cutoffNotMet: false }); // the download was imported
		await sync(await world.connector(sonarr.id));

		expect(
			await world.db.select().from(searchRegistry).where(eq(searchRegistry.id, target!.registryId))
		).toEqual([]);
		expect(
			await world.db
				.select()
				.from(searchRegistry)
				.where(eq(searchRegistry.episodeId, target!.episodeId))
		).toEqual([]);
		const acquired = await acquiredEvents();
		expect(acquired.length).toBeGreaterThan(before);
		expect(acquired.some((e) => (e.subject.episodeIds ?? []).includes(target!.episodeId))).toBe(
			true
		);
		// And no later sweep searches it again.
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const again = await world.db.execute(sql`
			select 1 from request_queue q where q.status = 'pending'
			and q.payload->'episodeIds' @> ${JSON.stringify([target!.arrId])}::jsonb`);
		expect(again).toHaveLength(0);
	});

	it('clears a searched movie once the app imported a file for it', async () => {
		const radarr = await world.addConnector('/radarr');
		const sim = world.sim.instance('/radarr');
		await sync(radarr);
		await searchOnce(radarr);
		const searched = await world.db
			.select({ registryId: searchRegistry.id, movieId: movies.id, arrId: movies.arrId })
			.from(searchRegistry)
			.innerJoin(movies, eq(movies.id, searchRegistry.movieId))
			.where(and(eq(searchRegistry.connectorId, radarr.id), eq(searchRegistry.state, 'cooldown')));
		const target = searched.find(
			(r) => sim.movies.find((m) => m.id === r.arrId)?.movieFileId === 0
		);
		expect(target).toBeDefined();

		sim.setMovieFile(target!.arrId, { cutoffNotMet: false });
		await sync(await world.connector(radarr.id));

		expect(
			await world.db
				.select()
				.from(searchRegistry)
				.where(eq(searchRegistry.movieId, target!.movieId))
		).toEqual([]);
		const acquired = await acquiredEvents();
		expect(acquired.some((e) => e.subject.movieId === target!.movieId)).toBe(true);
	});
});
