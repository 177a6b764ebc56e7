/**
 * The priority model (services/queue/prioritizer.ts) in SQL against a real PostgreSQL and the
 * simulator: each item's score part by part, the weights of Settings → Search behaviour, the
 * overrides per item, series and connector, and the queue's order by value per query.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	episodes,
	movies,
	priorityOverrides,
	requestQueue,
	searchRegistry,
	series,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import {
	getSettings,
	invalidateSettingsCache,
	resetSettings,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { DEFAULT_SEARCH_WEIGHTS } from '../../src/lib/schemas/settings';

const world = useWorld();

async function syncAndSweep(connector: Connector) {
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'gaps' });
}

async function queued(connectorId: number) {
	return world.db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.connectorId, connectorId), eq(requestQueue.status, 'pending')))
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id);
}

/** The item score the model gives a never-searched gap movie released at `date`, now. */
function expectedMovieScore(date: Date | null, now: Date, w = DEFAULT_SEARCH_WEIGHTS): number {
	const ageDays = date === null ? 365 : (now.getTime() - date.getTime()) / 86_400_000;
	return (
		100 +
		w.gapOverUpgrade +
		Math.round(w.contentAge * Math.max(0, 1 - ageDays / 365)) +
		0 + // missing duration: the registry row is seconds old
		w.neverSearched +
		w.leastRecentlySearched // never searched: the least recently searched
	);
}

describe('priority', () => {
	it('scores each movie part by part and queues the registry row with that score', async () => {
		const radarr = await world.addConnector('/radarr');
		await syncAndSweep(radarr);
		const rows = await world.db
			.select({
				priority: searchRegistry.priority,
				state: searchRegistry.state,
				releaseDate: movies.releaseDate,
				added: movies.added,
				lastSearchTime: movies.lastSearchTime
			})
			.from(searchRegistry)
			.innerJoin(movies, eq(movies.id, searchRegistry.movieId))
			.where(eq(searchRegistry.connectorId, radarr.id));
		const now = new Date();
		const checked = rows.filter((r) => r.state === 'queued' && r.lastSearchTime === null);
		expect(checked.length).toBeGreaterThan(3);
		for (const r of checked) {
			// ±1: the sweep's clock and this test's differ by the run's duration.
			expect(
				Math.abs(r.priority - expectedMovieScore(r.releaseDate ?? r.added, now))
			).toBeLessThanOrEqual(1);
		}
	});

	it('follows the weights of Settings → Search behaviour', async () => {
		const radarr = await world.addConnector('/radarr');
		await updateSettings(world.db, 'search', {
			weights: { ...DEFAULT_SEARCH_WEIGHTS, gapOverUpgrade: 0, neverSearched: 0, contentAge: 0 }
		});
		try {
			await syncAndSweep(radarr);
			const [row] = await world.db
				.select({ priority: searchRegistry.priority, lastSearchTime: movies.lastSearchTime })
				.from(searchRegistry)
				.innerJoin(movies, eq(movies.id, searchRegistry.movieId))
				.where(and(eq(searchRegistry.connectorId, radarr.id), eq(searchRegistry.state, 'queued')))
				.limit(1);
			// base 100 + least recently searched (never: full 20, or by days since lastSearchTime)
			expect(row?.priority).toBeGreaterThanOrEqual(100);
			expect(row?.priority).toBeLessThanOrEqual(120);
		} finally {
			await resetSettings(world.db, 'search');
			invalidateSettingsCache();
		}
	});

	it('refuses a weight out of range, naming it, and keeps the stored weights', async () => {
		await expect(
			updateSettings(world.db, 'search', {
				weights: { ...DEFAULT_SEARCH_WEIGHTS, failurePenalty: -5 }
			})
		).rejects.toThrow('Failure penalty: at least 0.');
		const { search } = await getSettings(world.db);
		expect(search.weights).toEqual(DEFAULT_SEARCH_WEIGHTS);
	});

	it('puts a boosted movie, series or connector first', async () => {
		const radarr = await world.addConnector('/radarr');
		await syncAndSweep(radarr);
		const before = await queued(radarr.id);
		const last = before.at(-1);
		const lastMovieArrId =
			last && 'movieIds' in last.payload ? last.payload.movieIds.at(-1) : undefined;
		expect(lastMovieArrId).toBeDefined();
		const [movie] = await world.db
			.select({ id: movies.id })
			.from(movies)
			.where(and(eq(movies.connectorId, radarr.id), eq(movies.arrId, lastMovieArrId!)));
		await world.db
			.insert(priorityOverrides)
			.values({ connectorId: radarr.id, movieId: movie!.id, delta: 5000 });
		await runSweep({ db: world.db, connector: radarr, kind: 'gaps' });
		const after = await queued(radarr.id);
		const first = after[0];
		expect(first && 'movieIds' in first.payload && first.payload.movieIds[0]).toBe(lastMovieArrId);
		expect(first?.score?.averageItem.override).toBeGreaterThan(0);
	});

	it('gives a series boost to every episode of it', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await syncAndSweep(sonarr);
		const [target] = await world.db
			.select({ id: series.id })
			.from(series)
			.where(eq(series.connectorId, sonarr.id))
			.orderBy(sql`${series.id} desc`)
			.limit(1);
		await world.db
			.insert(priorityOverrides)
			.values({ connectorId: sonarr.id, seriesId: target!.id, delta: 3000 });
		await runSweep({ db: world.db, connector: sonarr, kind: 'gaps' });
		const boosted = await world.db
			.select({ priority: searchRegistry.priority })
			.from(searchRegistry)
			.innerJoin(episodes, eq(episodes.id, searchRegistry.episodeId))
			.where(and(eq(episodes.seriesId, target!.id), eq(searchRegistry.state, 'queued')));
		expect(boosted.length).toBeGreaterThan(0);
		for (const b of boosted) expect(b.priority).toBeGreaterThan(3000);
		const [top] = await queued(sonarr.id);
		expect(top?.seriesId).toBe(target!.id);
	});

	it('adds a connector-wide boost to every item of that connector only', async () => {
		const radarr = await world.addConnector('/radarr');
		await syncAndSweep(radarr);
		const plain = (await queued(radarr.id))[0]?.priority ?? 0;
		await world.db.insert(priorityOverrides).values({ connectorId: radarr.id, delta: 1000 });
		await runSweep({ db: world.db, connector: radarr, kind: 'gaps' });
		const boosted = (await queued(radarr.id))[0]?.priority ?? 0;
		expect(boosted - plain).toBeGreaterThanOrEqual(990);
		expect(boosted - plain).toBeLessThanOrEqual(1010);
	});

	it('orders the queue by value per query and records how each score was reached', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await syncAndSweep(sonarr);
		const rows = await queued(sonarr.id);
		expect(rows.length).toBeGreaterThan(1);
		const perQuery = rows.map((r) => r.score?.perQuery ?? -1);
		expect(perQuery).toEqual([...perQuery].sort((a, b) => b - a));
		for (const r of rows) {
			expect(r.score?.queries).toBe(r.command === 'SeasonSearch' ? 1 : r.searchCount);
			expect(r.score?.rule).toMatch(
				r.command === 'SeasonSearch' ? /^season pack: / : /^episodes: /
			);
			expect(r.priority).toBe(Math.round(r.score!.perQuery));
		}
	});
});
