/**
 * Per-item outcomes of a command that grabbed something (command-tracker.ts, outcome.ts
 * `itemFailure`): the app's `grabbed` history says which items of a `MoviesSearch` were grabbed;
 * the others are finished as `no_results` with its longer cooldown, and when the history cannot be
 * read every item keeps the command's outcome. One manual clock for the simulator and Comradarr.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useWorld, RADARR_KEY } from '../helpers/world';
import { manualClock } from '../arr-sim/test-helpers';
import {
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

const clock = manualClock(Date.parse('2026-06-01T12:00:00Z'));

const world = useWorld([
	{
		type: 'radarr',
		urlBase: '/radarr',
		apiKey: RADARR_KEY,
		movies: 60,
		grabRate: 0.5,
		commandDurationMs: 1000,
		now: clock.now
	}
]);

/** Syncs, sweeps, sends one MoviesSearch of up to 10 movies and tracks it to its end. */
async function searchOnce(): Promise<Connector> {
	await world.db
		.update(throttleProfiles)
		.set({ maxCommandsPerWindow: 1, maxInFlight: 1 })
		.where(eq(throttleProfiles.name, 'Moderate'));
	const radarr = await world.addConnector('/radarr');
	const client = clientFor(radarr, world.secrets);
	await syncConnector({ db: world.db, connector: radarr, client });
	await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: clock.now });
	const profile = await profileFor(world.db, radarr);
	const sent = await dispatchConnector({
		db: world.db,
		connector: radarr,
		client,
		profile,
		clock: clock.now
	});
	expect(sent.sent).toBe(1);
	clock.advance(60_000);
	const tracked = await trackCommands({
		db: world.db,
		connector: radarr,
		client,
		profile,
		clock: clock.now
	});
	expect(tracked.finished).toBe(1);
	return radarr;
}

/** The searched registry rows with the app's movie id, the failure category and the wait (h). */
async function searched(connectorId: number) {
	const rows = await world.db
		.select({
			arrMovieId: movies.arrId,
			failure: searchRegistry.failureCategory,
			lastSearchedAt: searchRegistry.lastSearchedAt,
			nextEligibleAt: searchRegistry.nextEligibleAt
		})
		.from(searchRegistry)
		.innerJoin(movies, eq(movies.id, searchRegistry.movieId))
		.where(eq(searchRegistry.connectorId, connectorId));
	return rows
		.filter((r) => r.lastSearchedAt !== null)
		.map((r) => ({
			arrMovieId: r.arrMovieId,
			failure: r.failure,
			waitHours: (r.nextEligibleAt.getTime() - r.lastSearchedAt!.getTime()) / 3_600_000
		}));
}

describe('per-item outcome of a command that grabbed something', () => {
	it('gives the grabbed movies the grab cooldown and the others no_results', async () => {
		const radarr = await searchOnce();
		const sim = world.sim.instance('/radarr');
		const grabbedIds = new Set(
			sim.history.filter((h) => h.eventType === 'grabbed').map((h) => h.movieId)
		);
		const rows = await searched(radarr.id);
		expect(rows.length).toBeGreaterThan(3);
		// grabRate 0.5: both kinds are there (the seed is fixed).
		expect(grabbedIds.size).toBeGreaterThan(0);
		expect(grabbedIds.size).toBeLessThan(rows.length);
		for (const row of rows) {
			expect(row.failure, `movie ${row.arrMovieId}`).toBe(
				grabbedIds.has(row.arrMovieId) ? null : 'no_results'
			);
		}
		// Only grabs were asked for, from the app's history.
		const reads = sim.requests.filter((r) => r.path === '/api/v3/history/since');
		expect(reads).toHaveLength(1);
		expect(reads[0]?.query.eventType).toEqual(['grabbed']);
	});

	it('keeps the command outcome for every movie when the history cannot be read', async () => {
		world.sim.instance('/radarr').setFault('/api/v3/history', { status: 500 });
		const radarr = await searchOnce();
		const rows = await searched(radarr.id);
		expect(rows.length).toBeGreaterThan(3);
		expect(rows.every((r) => r.failure === null)).toBe(true);
	});
});
