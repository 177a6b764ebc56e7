/**
 * What a sweep queues, against a real PostgreSQL and the *arr simulator: the post-release grace
 * period, the connector's include / exclude tag filters, custom-format-score upgrade candidates
 * (opt-in per connector) and manual queue rows that survive a sweep's rebuild.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	connectors,
	episodes,
	movies,
	requestQueue,
	requestQueueItems,
	searchRegistry,
	series,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import {
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { DEFAULT_SEARCH_WEIGHTS } from '../../src/lib/schemas/settings';

const world = useWorld();
const HOUR = 3_600_000;

// Settings are cached per process for a few seconds: each test starts from the stored defaults.
beforeEach(() => invalidateSettingsCache());

async function sync(connector: Connector) {
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
}

async function setGrace(hours: number) {
	await updateSettings(world.db, 'search', {
		gracePeriodHours: hours,
		weights: DEFAULT_SEARCH_WEIGHTS
	});
	invalidateSettingsCache();
}

async function patchConnector(id: number, patch: Partial<Connector>): Promise<Connector> {
	await world.db.update(connectors).set(patch).where(eq(connectors.id, id));
	return world.connector(id);
}

async function pending(connectorId: number) {
	return world.db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.connectorId, connectorId), eq(requestQueue.status, 'pending')))
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id);
}

async function registryStateOfEpisode(episodeId: number) {
	const [row] = await world.db
		.select({ state: searchRegistry.state })
		.from(searchRegistry)
		.where(and(eq(searchRegistry.episodeId, episodeId), eq(searchRegistry.searchType, 'gap')));
	return row?.state;
}

/** The most recently aired gap episode of the mirror (monitored series and episode, no file). */
async function latestGapEpisode() {
	const [row] = await world.db
		.select({ id: episodes.id, airDateUtc: episodes.airDateUtc, runtime: episodes.runtime })
		.from(episodes)
		.innerJoin(series, eq(series.id, episodes.seriesId))
		.where(
			sql`${series.monitored} and ${episodes.monitored} and not ${episodes.hasFile}
				and ${episodes.airDateUtc} is not null and ${episodes.airDateUtc} < now() - interval '1 day'`
		)
		.orderBy(sql`${episodes.airDateUtc} desc`)
		.limit(1);
	if (!row?.airDateUtc) throw new Error('the simulator library has no aired gap episode');
	return { id: row.id, airDateUtc: row.airDateUtc };
}

describe('grace period after release', () => {
	it('holds back an episode aired 2 h ago, queues it at 7 h, and 0 turns the grace off', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await sync(sonarr);
		const episode = await latestGapEpisode();
		const at = (hours: number) => () => new Date(episode.airDateUtc.getTime() + hours * HOUR);

		// Default 6 h: 2 h after it aired the episode is wanted but not queued yet.
		await runSweep({ db: world.db, connector: sonarr, kind: 'gaps', clock: at(2) });
		expect(await registryStateOfEpisode(episode.id)).toBe('pending');

		await runSweep({ db: world.db, connector: sonarr, kind: 'gaps', clock: at(7) });
		expect(await registryStateOfEpisode(episode.id)).toBe('queued');

		await setGrace(0);
		await runSweep({ db: world.db, connector: sonarr, kind: 'gaps', clock: at(2) });
		expect(await registryStateOfEpisode(episode.id)).toBe('queued');

		await setGrace(3);
		await runSweep({ db: world.db, connector: sonarr, kind: 'gaps', clock: at(2) });
		expect(await registryStateOfEpisode(episode.id)).toBe('pending');
	});

	it('holds back a movie within the grace period after its release date', async () => {
		const radarr = await world.addConnector('/radarr');
		await sync(radarr);
		const [movie] = await world.db
			.select({ id: movies.id, releaseDate: movies.releaseDate })
			.from(movies)
			.where(
				sql`${movies.monitored} and not ${movies.hasFile} and ${movies.isAvailable}
					and ${movies.releaseDate} is not null`
			)
			.orderBy(sql`${movies.releaseDate} desc`)
			.limit(1);
		expect(movie?.releaseDate).toBeTruthy();
		const at = (hours: number) => () => new Date(movie!.releaseDate!.getTime() + hours * HOUR);
		const state = async () =>
			(
				await world.db
					.select({ state: searchRegistry.state })
					.from(searchRegistry)
					.where(eq(searchRegistry.movieId, movie!.id))
			)[0]?.state;

		await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: at(2) });
		expect(await state()).toBe('pending');
		await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: at(7) });
		expect(await state()).toBe('queued');
	});
	/**
	 * A one-season show that has fully aired with every episode missing and monitored, mirrored
	 * by a first sync: its connector, our series id, the finale's air time (ms) and a reader of
	 * its pending SeasonSearch rows.
	 */
	async function fullyMissingShow(title: string, episodesPerSeason: number) {
		const sim = world.sim.instance('/sonarr');
		const show = sim.addSeries(
			{ monitored: true, title },
			{ kind: 'ended', seasons: 1, episodesPerSeason, missingRatio: 0, specials: false }
		);
		for (const season of show.seasons) season.monitored = true;
		const eps = sim.episodesOf(show.id);
		for (const e of eps) {
			e.monitored = true;
			if (e.episodeFileId !== 0) sim.setEpisodeFile(e.id, null);
		}
		sim.reindex();
		const sonarr = await world.addConnector('/sonarr');
		await sync(sonarr);
		const [ours] = await world.db
			.select({ id: series.id })
			.from(series)
			.where(and(eq(series.connectorId, sonarr.id), eq(series.arrId, show.id)));
		const seriesId = ours!.id;
		return {
			sonarr,
			seriesId,
			finale: Math.max(...eps.map((e) => e.airDateUtc!.getTime())),
			packs: async () =>
				(await pending(sonarr.id)).filter(
					(r) => r.seriesId === seriesId && r.command === 'SeasonSearch'
				)
		};
	}

	it('holds a season pack until the season finale is past the grace period too', async () => {
		const { sonarr, finale, packs } = await fullyMissingShow('Grace Finale', 8);
		// 2 h after the finale: the other 7 go out as episodes, no pack yet.
		await runSweep({
			db: world.db,
			connector: sonarr,
			kind: 'gaps',
			clock: () => new Date(finale + 2 * HOUR)
		});
		expect(await packs()).toHaveLength(0);
		// 7 h after it: one SeasonSearch for all 8.
		await runSweep({
			db: world.db,
			connector: sonarr,
			kind: 'gaps',
			clock: () => new Date(finale + 7 * HOUR)
		});
		const [pack] = await packs();
		expect(pack?.label).toContain('(season pack, 8 missing)');
	});
	it("holds a season pack while the app's season statistics announce another episode", async () => {
		const { sonarr, seriesId, finale, packs } = await fullyMissingShow('Announced Episode', 6);
		const now = finale + 7 * HOUR;
		// Every listed episode has aired, but the season's `nextAiring` (SeasonStatisticsResource) is
		// a day ahead: an episode the app knows of is still to come, so a pack now would be partial.
		await world.db.execute(sql`
			update seasons set next_airing = ${new Date(now + 24 * HOUR).toISOString()}::timestamptz
			where series_id = ${seriesId}`);
		await runSweep({ db: world.db, connector: sonarr, kind: 'gaps', clock: () => new Date(now) });
		expect(await packs()).toHaveLength(0);
		await runSweep({
			db: world.db,
			connector: sonarr,
			kind: 'gaps',
			clock: () => new Date(now + 25 * HOUR)
		});
		expect(await packs()).toHaveLength(1);
	});
});

describe('tag filters', () => {
	/** Tags two series in the simulator (before the first sync): A carries 1, B carries 2. */
	function tagSeries() {
		const sim = world.sim.instance('/sonarr');
		sim.setTags([
			{ id: 1, label: 'anime' },
			{ id: 2, label: 'kids' }
		]);
		const wanted = sim.series.filter(
			(s) =>
				s.monitored &&
				sim
					.episodesOf(s.id)
					.some(
						(e) =>
							e.monitored &&
							e.episodeFileId === 0 &&
							e.airDateUtc !== null &&
							e.airDateUtc.getTime() < Date.now() - 86_400_000
					)
		);
		expect(wanted.length).toBeGreaterThanOrEqual(3);
		const [a, b] = wanted;
		for (const s of sim.series) s.tags = [];
		a!.tags = [1];
		b!.tags = [2, 3];
		return { a: a!, b: b! };
	}

	async function seriesIdOf(arrId: number, connectorId: number) {
		const [row] = await world.db
			.select({ id: series.id })
			.from(series)
			.where(and(eq(series.arrId, arrId), eq(series.connectorId, connectorId)));
		return row!.id;
	}

	/** Our series ids of the connector's pending requests (by their items). */
	async function queuedSeries(connectorId: number) {
		const rows = await world.db
			.selectDistinct({ seriesId: episodes.seriesId })
			.from(requestQueue)
			.innerJoin(requestQueueItems, eq(requestQueueItems.requestId, requestQueue.id))
			.innerJoin(searchRegistry, eq(searchRegistry.id, requestQueueItems.registryId))
			.innerJoin(episodes, eq(episodes.id, searchRegistry.episodeId))
			.where(and(eq(requestQueue.connectorId, connectorId), eq(requestQueue.status, 'pending')));
		return new Set(rows.map((r) => r.seriesId));
	}

	it('with include tags, queues only series carrying one of them', async () => {
		const { a } = tagSeries();
		const sonarr = await world.addConnector('/sonarr');
		await sync(sonarr);
		await setGrace(0);
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		expect((await queuedSeries(sonarr.id)).size).toBeGreaterThan(1);

		const filtered = await patchConnector(sonarr.id, { includeTagIds: [1, 7] });
		await runSweep({ db: world.db, connector: filtered, kind: 'both' });
		expect([...(await queuedSeries(sonarr.id))]).toEqual([await seriesIdOf(a.id, sonarr.id)]);
	});

	it('with exclude tags, never queues series carrying one of them', async () => {
		const { a, b } = tagSeries();
		const sonarr = await world.addConnector('/sonarr');
		await sync(sonarr);
		await setGrace(0);
		const bId = await seriesIdOf(b.id, sonarr.id);
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		expect(await queuedSeries(sonarr.id)).toContain(bId);

		const filtered = await patchConnector(sonarr.id, { excludeTagIds: [3] });
		await runSweep({ db: world.db, connector: filtered, kind: 'both' });
		const after = await queuedSeries(sonarr.id);
		expect(after).not.toContain(bId);
		expect(after).toContain(await seriesIdOf(a.id, sonarr.id));
		expect(after.size).toBeGreaterThan(1);
	});
});

describe('custom-format-score upgrades', () => {
	/**
	 * Every profile of the simulator wants a custom format score of 100; in the mirror every file
	 * scores 100 and meets its quality cutoff except one episode file (40) and one movie file (40).
	 */
	async function onlyOneBelowCutoff(base: '/sonarr' | '/radarr', upgradeAllowed = true) {
		const sim = world.sim.instance(base);
		for (const p of sim.qualityProfiles()) {
			sim.setQualityProfile(p.id, { cutoffFormatScore: 100, upgradeAllowed });
		}
		const connector = await world.addConnector(base);
		await sync(connector);
		const table = base === '/sonarr' ? episodes : movies;
		await world.db
			.update(table)
			.set({ customFormatScore: 100, qualityCutoffNotMet: false })
			.where(eq(table.hasFile, true));
		if (base === '/sonarr') {
			// An episode of a monitored series.
			const [ep] = await world.db
				.select({ id: episodes.id })
				.from(episodes)
				.innerJoin(series, eq(series.id, episodes.seriesId))
				.where(and(eq(episodes.hasFile, true), eq(episodes.monitored, true), series.monitored))
				.orderBy(episodes.id)
				.limit(1);
			await world.db.update(episodes).set({ customFormatScore: 40 }).where(eq(episodes.id, ep!.id));
			return { connector, itemId: ep!.id };
		}
		const [target] = await world.db
			.select({ id: movies.id })
			.from(movies)
			.where(and(eq(movies.hasFile, true), eq(movies.monitored, true)))
			.orderBy(movies.id)
			.limit(1);
		await world.db.update(movies).set({ customFormatScore: 40 }).where(eq(movies.id, target!.id));
		return { connector, itemId: target!.id };
	}

	async function upgradeRegistry(connectorId: number) {
		return world.db
			.select()
			.from(searchRegistry)
			.where(
				and(eq(searchRegistry.connectorId, connectorId), eq(searchRegistry.searchType, 'upgrade'))
			);
	}

	it('is off by default: a file below the cutoff format score is no upgrade candidate', async () => {
		const { connector } = await onlyOneBelowCutoff('/sonarr');
		await runSweep({ db: world.db, connector, kind: 'upgrades' });
		expect(await upgradeRegistry(connector.id)).toHaveLength(0);
		expect(await pending(connector.id)).toHaveLength(0);
	});

	it('when on, queues the episode file whose score is below the cutoff and says why', async () => {
		const { connector, itemId } = await onlyOneBelowCutoff('/sonarr');
		const on = await patchConnector(connector.id, { customFormatUpgrades: true });
		await runSweep({ db: world.db, connector: on, kind: 'upgrades' });
		const registry = await upgradeRegistry(connector.id);
		expect(registry.map((r) => r.episodeId)).toEqual([itemId]);
		const rows = await pending(connector.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ command: 'EpisodeSearch', searchType: 'upgrade' });
		expect(rows[0]!.label).toContain('(upgrade: custom format score 40 < cutoff 100)');
		expect(rows[0]!.score?.rule).toBe('episodes: custom format score 40 < cutoff 100');

		// Meeting the cutoff format score ends it.
		await world.db.update(episodes).set({ customFormatScore: 100 }).where(eq(episodes.id, itemId));
		await runSweep({ db: world.db, connector: on, kind: 'upgrades' });
		expect(await upgradeRegistry(connector.id)).toHaveLength(0);
	});

	it('when on, queues the movie file below the cutoff format score', async () => {
		const { connector, itemId } = await onlyOneBelowCutoff('/radarr');
		const on = await patchConnector(connector.id, { customFormatUpgrades: true });
		await runSweep({ db: world.db, connector: on, kind: 'upgrades' });
		expect((await upgradeRegistry(connector.id)).map((r) => r.movieId)).toEqual([itemId]);
		const rows = await pending(connector.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]!.score?.rule).toBe('movies: custom format score 40 < cutoff 100');
	});

	it('ignores profiles that do not allow upgrades', async () => {
		const { connector } = await onlyOneBelowCutoff('/sonarr', false);
		const on = await patchConnector(connector.id, { customFormatUpgrades: true });
		await runSweep({ db: world.db, connector: on, kind: 'upgrades' });
		expect(await upgradeRegistry(connector.id)).toHaveLength(0);
	});
});

describe('manual queue rows', () => {
	it('survive a sweep, and their items are not queued a second time', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await sync(sonarr);
		await setGrace(0);
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const before = await pending(sonarr.id);
		expect(before.length).toBeGreaterThan(3);
		// A user's priority makes a row manual (as the queue's PATCH does).
		const chosen = before[before.length - 1]!;
		await world.db
			.update(requestQueue)
			.set({ origin: 'manual', priority: 99_999 })
			.where(eq(requestQueue.id, chosen.id));
		const items = (
			await world.db
				.select({ id: requestQueueItems.registryId })
				.from(requestQueueItems)
				.where(eq(requestQueueItems.requestId, chosen.id))
		).map((i) => i.id);

		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const after = await pending(sonarr.id);
		const kept = after.find((r) => r.id === chosen.id);
		expect(kept).toMatchObject({ origin: 'manual', priority: 99_999, label: chosen.label });
		// Every sweep row was rebuilt (new ids), the manual one kept its id.
		expect(after.filter((r) => r.origin === 'sweep').every((r) => r.id > chosen.id)).toBe(true);
		const links = await world.db
			.select({ requestId: requestQueueItems.requestId })
			.from(requestQueueItems)
			.where(inArray(requestQueueItems.registryId, items));
		expect(new Set(links.map((l) => l.requestId))).toEqual(new Set([chosen.id]));
		const states = await world.db
			.select({ state: searchRegistry.state })
			.from(searchRegistry)
			.where(inArray(searchRegistry.id, items));
		expect(states.every((s) => s.state === 'queued')).toBe(true);
	});

	it('never queue the items of a manual search-now whose registry rows are still eligible', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await sync(sonarr);
		await setGrace(0);
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const [chosen] = await pending(sonarr.id);
		await world.db
			.update(requestQueue)
			.set({ origin: 'manual' })
			.where(eq(requestQueue.id, chosen!.id));
		const items = (
			await world.db
				.select({ id: requestQueueItems.registryId })
				.from(requestQueueItems)
				.where(eq(requestQueueItems.requestId, chosen!.id))
		).map((i) => i.id);
		// A search now of items in cooldown leaves their registry rows as they were.
		await world.db
			.update(searchRegistry)
			.set({ state: 'cooldown', nextEligibleAt: new Date(Date.now() - HOUR) })
			.where(inArray(searchRegistry.id, items));

		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const links = await world.db
			.select({ requestId: requestQueueItems.requestId })
			.from(requestQueueItems)
			.where(inArray(requestQueueItems.registryId, items));
		expect(new Set(links.map((l) => l.requestId))).toEqual(new Set([chosen!.id]));
	});
});
