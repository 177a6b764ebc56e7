/**
 * The main job end to end against a real PostgreSQL and the *arr simulator:
 * sync → discovery → queue → dispatch → tracking, with the throttle and the cooldown.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	episodes,
	movies,
	requestQueue,
	searchHistory,
	searchRegistry,
	series,
	throttleProfiles,
	type Connector
} from '../../src/lib/server/db/schema';
import {
	RadarrClient,
	clientFor,
	libraryKind,
	type SonarrClient
} from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import {
	countWanted,
	refreshRegistry
} from '../../src/lib/server/services/discovery/discovery-service';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { trackCommands } from '../../src/lib/server/services/queue/command-tracker';
import { recoverInFlight } from '../../src/lib/server/services/queue/recovery';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { utcDayStart } from '../../src/lib/server/time/day-start';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import type { SimInstance } from '../arr-sim';

const world = useWorld();

async function sync(connector: Connector) {
	return syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
}

async function dispatch(connector: Connector, clock?: () => Date) {
	const profile = await profileFor(world.db, connector);
	return dispatchConnector({
		db: world.db,
		connector,
		client: clientFor(connector, world.secrets),
		profile,
		...(clock ? { clock } : {})
	});
}

function commandPosts(instance: SimInstance) {
	return instance.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/command');
}

/** Polls until every sent command of the connector is finished (the simulator runs them in ~20 ms). */
async function trackUntilDone(connector: Connector, clock?: () => Date) {
	const profile = await profileFor(world.db, connector);
	for (let i = 0; i < 50; i++) {
		await trackCommands({
			db: world.db,
			connector,
			client: clientFor(connector, world.secrets),
			profile,
			...(clock ? { clock } : {})
		});
		const [left] = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(requestQueue)
			.where(and(eq(requestQueue.connectorId, connector.id), eq(requestQueue.status, 'sent')));
		if ((left?.n ?? 0) === 0) return;
		await Bun.sleep(20);
	}
	throw new Error('commands did not finish');
}

describe('sync', () => {
	it('mirrors every series, episode and movie, then removes what the app no longer has', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const radarr = await world.addConnector('/radarr');
		const sim = world.sim.instance('/sonarr');
		const report = await sync(sonarr);
		expect(report.status).toBe('success');
		expect(report.seriesCount).toBe(sim.series.length);
		expect(report.episodeCount).toBe(sim.episodes.length);
		const [{ n: episodeRows } = { n: 0 }] = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(episodes);
		expect(episodeRows).toBe(sim.episodes.length);

		const movieReport = await sync(radarr);
		expect(movieReport.movieCount).toBe(world.sim.instance('/radarr').movies.length);

		// Searchable state hangs off the mirror: removing a series in the app removes it here with it.
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const victim = sim.series.find((s) =>
			sim.episodesOf(s.id).some((e) => e.episodeFileId === 0 && e.monitored)
		);
		expect(victim).toBeDefined();
		sim.removeSeries(victim!.id);
		const second = await sync(await world.connector(sonarr.id));
		expect(second.removed).toBeGreaterThan(0);
		const left = await world.db.select().from(series).where(eq(series.arrId, victim!.id));
		expect(left).toHaveLength(0);
		const orphaned = await world.db.execute(sql`
			select r.id from search_registry r left join episodes e on e.id = r.episode_id
			where r.episode_id is not null and e.id is null`);
		expect(orphaned).toHaveLength(0);
		const [{ n: afterRows } = { n: 0 }] = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(episodes);
		expect(afterRows).toBe(sim.episodes.length);
	});

	it('updates changed items in place and keeps unchanged rows untouched', async () => {
		const radarr = await world.addConnector('/radarr');
		const sim = world.sim.instance('/radarr');
		await sync(radarr);
		const missing = sim.movies.find((m) => m.movieFileId === 0);
		expect(missing).toBeDefined();
		sim.setMovieFile(missing!.id, { cutoffNotMet: true });
		await sync(radarr);
		const [row] = await world.db.select().from(movies).where(eq(movies.arrId, missing!.id));
		expect(row?.hasFile).toBe(true);
		expect(row?.qualityCutoffNotMet).toBe(true);
		expect(row?.quality).not.toBeNull();
	});
});

describe('discovery', () => {
	it('counts exactly the gaps and upgrade candidates the apps report in wanted/missing and wanted/cutoff', async () => {
		for (const base of ['/sonarr', '/radarr']) {
			const connector = await world.addConnector(base);
			await sync(connector);
			const counts = await countWanted(world.db, connector.id, libraryKind(connector), new Date());
			const sim = world.sim.instance(base);
			expect(counts.gaps).toBe(sim.wantedMissingTotal());
			expect(counts.upgrades).toBe(sim.wantedCutoffTotal());
			// And exactly the items the app's own wanted lists name, read page by page over HTTP.
			const client = clientFor(connector, world.secrets);
			for (const [kind, condition] of [
				['missing', 'gap'],
				['cutoff', 'upgrade']
			] as const) {
				const appIds: number[] = [];
				const pages =
					client instanceof RadarrClient
						? client.wantedMovieIds(kind)
						: (client as SonarrClient).wantedEpisodeIds(kind);
				for await (const page of pages) appIds.push(...page.items);
				await refreshRegistry(
					world.db,
					connector.id,
					libraryKind(connector),
					[condition],
					new Date()
				);
				const ours = await world.db.execute<{ arr_id: number }>(sql`
					select coalesce(e.arr_id, m.arr_id) as arr_id from search_registry r
					left join episodes e on e.id = r.episode_id left join movies m on m.id = r.movie_id
					where r.connector_id = ${connector.id} and r.search_type = ${condition}`);
				expect(ours.map((r) => r.arr_id).sort((a, b) => a - b)).toEqual(
					appIds.sort((a, b) => a - b)
				);
			}
			expect(counts.gaps + counts.upgrades).toBeGreaterThan(0);
		}
	});
});

/** A controlled series: `seasons` fully aired seasons of 10 monitored episodes, every one with a file. */
function controlledSeries(sim: SimInstance, kind: 'ended' | 'continuing') {
	const s = sim.addSeries(
		{ monitored: true, title: `Controlled ${kind}` },
		{
			kind,
			seasons: 3,
			episodesPerSeason: 10,
			missingRatio: 0,
			cutoffUnmetRatio: 0,
			specials: false
		}
	);
	for (const season of s.seasons) season.monitored = true;
	for (const e of sim.episodesOf(s.id)) {
		e.monitored = true;
		if (e.episodeFileId === 0 && e.airDateUtc && e.airDateUtc.getTime() < Date.now() - 86_400_000) {
			sim.setEpisodeFile(e.id, { cutoffNotMet: false });
		}
	}
	sim.reindex();
	return s;
}

describe('season pack decisions', () => {
	it('sends one SeasonSearch for a fully aired season missing several episodes, EpisodeSearch for a single one or a season still airing', async () => {
		const sim = world.sim.instance('/sonarr');
		const ended = controlledSeries(sim, 'ended');
		const eps = sim.episodesOf(ended.id);
		const s1 = eps.filter((e) => e.seasonNumber === 1);
		const s2 = eps.filter((e) => e.seasonNumber === 2);
		for (const e of s1.slice(0, 6)) sim.setEpisodeFile(e.id, null); // 60 % missing → pack
		for (const e of s2.slice(0, 1)) sim.setEpisodeFile(e.id, null); // 1 missing, below the pack minimum of 2 → episodes

		const airing = controlledSeries(sim, 'continuing');
		const last = Math.max(...sim.episodesOf(airing.id).map((e) => e.seasonNumber));
		// The season's final episode airs next week: the season is still airing.
		const finale = sim
			.episodesOf(airing.id)
			.filter((e) => e.seasonNumber === last)
			.at(-1)!;
		if (finale.episodeFileId > 0) sim.setEpisodeFile(finale.id, null);
		finale.airDateUtc = new Date(Date.now() + 7 * 86_400_000);
		finale.airDate = finale.airDateUtc.toISOString().slice(0, 10);
		sim.reindex();
		const airingAired = sim
			.episodesOf(airing.id)
			.filter(
				(e) =>
					e.seasonNumber === last &&
					e.airDateUtc &&
					e.airDateUtc.getTime() < Date.now() - 86_400_000
			);
		for (const e of airingAired) sim.setEpisodeFile(e.id, null); // everything aired is missing, but still airing
		expect(airingAired.length).toBeGreaterThan(0);

		const connector = await world.addConnector('/sonarr');
		await sync(connector);
		await runSweep({ db: world.db, connector, kind: 'gaps' });
		const queued = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.connectorId, connector.id));
		const [ourEnded] = await world.db.select().from(series).where(eq(series.arrId, ended.id));
		const [ourAiring] = await world.db.select().from(series).where(eq(series.arrId, airing.id));

		const packs = queued.filter((q) => q.command === 'SeasonSearch' && q.seriesId === ourEnded?.id);
		expect(packs.map((p) => p.payload)).toEqual([
			{ name: 'SeasonSearch', seriesId: ended.id, seasonNumber: 1 }
		]);
		expect(packs[0]?.searchCount).toBe(1);

		const season2 = queued.filter(
			(q) => q.seriesId === ourEnded?.id && q.command === 'EpisodeSearch'
		);
		const ids = season2.flatMap((q) => ('episodeIds' in q.payload ? q.payload.episodeIds : []));
		expect(ids).toEqual([s2[0]?.id]);

		const airingRequests = queued.filter((q) => q.seriesId === ourAiring?.id);
		expect(airingRequests.length).toBeGreaterThan(0);
		expect(airingRequests.every((q) => q.command === 'EpisodeSearch')).toBe(true);
		const airingIds = airingRequests.flatMap((q) =>
			'episodeIds' in q.payload ? q.payload.episodeIds : []
		);
		expect(new Set(airingIds)).toEqual(new Set(airingAired.map((e) => e.id)));
	});

	it('falls back to episode searches when season packs are disabled for the connector', async () => {
		const sim = world.sim.instance('/sonarr');
		const ended = controlledSeries(sim, 'ended');
		for (const e of sim.episodesOf(ended.id).filter((x) => x.seasonNumber === 1)) {
			sim.setEpisodeFile(e.id, null);
		}
		const connector = await world.addConnector('/sonarr');
		await world.db
			.update((await import('../../src/lib/server/db/schema')).connectors)
			.set({ seasonPackEnabled: false });
		await sync(connector);
		await runSweep({ db: world.db, connector: await world.connector(connector.id), kind: 'gaps' });
		const queued = await world.db.select().from(requestQueue);
		expect(queued.some((q) => q.command === 'SeasonSearch')).toBe(false);
		expect(queued.every((q) => q.searchCount <= 10)).toBe(true);
	});
});

describe('dispatch under the throttle', () => {
	it('sends at most 5 commands in any rolling 60 s window, each of at most 10 items, and only targeted searches', async () => {
		// The in-flight limit has its own test (dispatch-limits.test.ts); here only the window binds.
		await world.db.update(throttleProfiles).set({ maxInFlight: 100 });
		const connector = await world.addConnector('/radarr');
		await sync(connector);
		await runSweep({ db: world.db, connector, kind: 'both' });
		const sim = world.sim.instance('/radarr');
		// Wanted before anything is searched (searched movies may gain files while we dispatch).
		const wanted = new Set(
			[...sim.wantedMovies('missing'), ...sim.wantedMovies('cutoff')].map((m) => m.id)
		);
		const t0 = new Date();
		const first = await dispatch(connector, () => t0);
		expect(first.sent).toBe(5);
		expect(first.stoppedBy).toBe('window');
		expect((await dispatch(connector, () => new Date(t0.getTime() + 59_000))).sent).toBe(0);
		const third = await dispatch(connector, () => new Date(t0.getTime() + 61_000));
		expect(third.sent).toBeGreaterThan(0);
		expect(third.sent).toBeLessThanOrEqual(5);

		const posts = commandPosts(sim);
		expect(posts).toHaveLength(first.sent + third.sent);
		for (const post of posts) {
			const body = post.body as { name: string; movieIds: number[] };
			expect(body.name).toBe('MoviesSearch');
			expect(body.movieIds.length).toBeGreaterThan(0);
			expect(body.movieIds.length).toBeLessThanOrEqual(10);
			for (const id of body.movieIds) expect(wanted.has(id)).toBe(true);
			expect(post.headers['x-api-key']).toBe(sim.options.apiKey);
			expect(post.query.apikey).toBeUndefined();
		}
	});

	it('stops at the daily search budget', async () => {
		await world.db
			.update(throttleProfiles)
			.set({ dailySearchBudget: 12, maxCommandsPerWindow: 100, maxInFlight: 100 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		const connector = await world.addConnector('/radarr');
		await sync(connector);
		await runSweep({ db: world.db, connector, kind: 'both' });
		await world.db
			.update(throttleProfiles)
			.set({ dailySearchBudget: 25 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		const result = await dispatch(connector);
		expect(result.stoppedBy === 'budget' || result.stoppedBy === 'empty').toBe(true);
		expect(result.searches).toBeLessThanOrEqual(25);
		const posted = commandPosts(world.sim.instance('/radarr')).reduce(
			(n, p) => n + (p.body as { movieIds: number[] }).movieIds.length,
			0
		);
		expect(posted).toBe(result.searches);
		expect((await dispatch(connector)).sent).toBe(0);
	});

	it('starts the daily budget at local midnight of the General time zone, not at UTC midnight', async () => {
		invalidateSettingsCache();
		await world.db
			.update(throttleProfiles)
			.set({ dailySearchBudget: 100, maxCommandsPerWindow: 100, maxInFlight: 100 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		const connector = await world.addConnector('/radarr');
		await sync(connector);
		await runSweep({ db: world.db, connector, kind: 'both' });
		// Room for exactly one command of 10 movies a day.
		await world.db
			.update(throttleProfiles)
			.set({ dailySearchBudget: 10 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		const general = { displayName: 'Comradarr', logLevel: 'info' as const };
		// Tomorrow (the swept searches are due from now on): 09:30 UTC is 23:30 in Kiritimati
		// (UTC+14, no daylight saving), 10:30 UTC is 00:30 of the next local day.
		const tomorrow = utcDayStart(new Date(Date.now() + 86_400_000)).getTime();
		const lateEvening = () => new Date(tomorrow + 9.5 * 3_600_000);
		const pastMidnight = () => new Date(tomorrow + 10.5 * 3_600_000);

		await updateSettings(world.db, 'general', { ...general, timeZone: 'UTC' });
		const first = await dispatch(connector, lateEvening);
		expect(first.searches).toBe(10);
		expect(first.stoppedBy).toBe('budget');
		// In UTC 10:30 is the same day: the budget is spent.
		expect((await dispatch(connector, pastMidnight)).sent).toBe(0);
		// In Kiritimati a new day began at 10:00 UTC: the budget is whole again.
		await updateSettings(world.db, 'general', { ...general, timeZone: 'Pacific/Kiritimati' });
		const next = await dispatch(connector, pastMidnight);
		expect(next.searches).toBe(10);
		expect(next.stoppedBy).toBe('budget');
	});

	it('does not search an item again within 24 h, and does after', async () => {
		// The standard cooldown for every outcome, "nothing found" too (a no-results wait of 0).
		await updateSettings(world.db, 'search', {
			...(await getSettings(world.db)).search,
			noResultsCooldownDays: 0
		});
		const connector = await world.addConnector('/radarr');
		await sync(connector);
		const t0 = new Date();
		await runSweep({ db: world.db, connector, kind: 'gaps', clock: () => t0 });
		await dispatch(connector, () => t0);
		await trackUntilDone(connector, () => t0);
		const searched = await world.db
			.select()
			.from(searchRegistry)
			.where(eq(searchRegistry.state, 'cooldown'));
		expect(searched.length).toBeGreaterThan(0);
		for (const r of searched) {
			expect(r.nextEligibleAt.getTime()).toBeGreaterThanOrEqual(t0.getTime() + 24 * 3600_000);
		}
		const searchedIds = new Set(searched.map((r) => r.id));

		// Still wanted an hour later (grabRate makes some gain files; resync first): not queued again.
		const later = new Date(t0.getTime() + 3600_000);
		await sync(connector);
		await runSweep({ db: world.db, connector, kind: 'gaps', clock: () => later });
		const requeued = await world.db.execute<{ registry_id: number }>(sql`
			select i.registry_id from request_queue_items i join request_queue q on q.id = i.request_id where q.status = 'pending'`);
		expect(requeued.filter((r) => searchedIds.has(r.registry_id))).toHaveLength(0);

		const dayLater = new Date(t0.getTime() + 25 * 3600_000);
		await runSweep({ db: world.db, connector, kind: 'gaps', clock: () => dayLater });
		const again = await world.db.execute<{ registry_id: number }>(sql`
			select i.registry_id from request_queue_items i join request_queue q on q.id = i.request_id where q.status = 'pending'`);
		expect(again.some((r) => searchedIds.has(r.registry_id))).toBe(true);

		const history = await world.db.select().from(searchHistory);
		expect(history.length).toBeGreaterThan(0);
		expect(history.every((h) => h.outcome === 'completed' && h.arrCommandId !== null)).toBe(true);
	});
});

describe('crash safety', () => {
	async function recordedButUnsent(connector: Connector, claimedAgoMs: number) {
		await sync(connector);
		await runSweep({ db: world.db, connector, kind: 'gaps' });
		const [next] = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.status, 'pending'))
			.orderBy(sql`priority desc`)
			.limit(1);
		if (!next) throw new Error('nothing queued');
		const claimedAt = new Date(Date.now() - claimedAgoMs);
		await world.db
			.update(requestQueue)
			.set({ status: 'sending', claimedAt })
			.where(eq(requestQueue.id, next.id));
		return next;
	}

	it('sends a recorded-but-unsent command exactly once after a crash', async () => {
		const connector = await world.addConnector('/radarr');
		const row = await recordedButUnsent(connector, 3 * 60_000);
		const sim = world.sim.instance('/radarr');
		const profile = await profileFor(world.db, connector);
		const client = clientFor(connector, world.secrets);
		const result = await recoverInFlight({ db: world.db, connector, client, profile });
		expect(result).toEqual({ adopted: 0, resent: 1, abandoned: 0 });
		// A second recovery pass and a dispatcher pass do not send it again.
		await recoverInFlight({
			db: world.db,
			connector,
			client,
			profile,
			claimedBefore: new Date(Date.now() + 60_000)
		});
		const posts = commandPosts(sim).filter(
			(p) =>
				JSON.stringify((p.body as { movieIds: number[] }).movieIds) ===
				JSON.stringify('movieIds' in row.payload ? row.payload.movieIds : [])
		);
		expect(posts).toHaveLength(1);
		const [after] = await world.db.select().from(requestQueue).where(eq(requestQueue.id, row.id));
		expect(after?.status).toBe('sent');
		expect(after?.arrCommandId).not.toBeNull();
	});

	it('adopts a command the app already received instead of sending it twice', async () => {
		const connector = await world.addConnector('/sonarr');
		const row = await recordedButUnsent(connector, 3 * 60_000);
		const client = clientFor(connector, world.secrets) as SonarrClient;
		const sent = await client.postCommand(row.payload); // the POST that happened just before the crash
		const sim = world.sim.instance('/sonarr');
		const before = commandPosts(sim).length;
		const profile = await profileFor(world.db, connector);
		const result = await recoverInFlight({ db: world.db, connector, client, profile });
		expect(result).toEqual({ adopted: 1, resent: 0, abandoned: 0 });
		expect(commandPosts(sim).length).toBe(before);
		const [after] = await world.db.select().from(requestQueue).where(eq(requestQueue.id, row.id));
		expect(after?.arrCommandId).toBe(sent.id);
	});

	it('never re-sends when it cannot know, and keeps the items for a later search', async () => {
		const connector = await world.addConnector('/radarr');
		const row = await recordedButUnsent(connector, 30 * 60_000);
		const profile = await profileFor(world.db, connector);
		const result = await recoverInFlight({
			db: world.db,
			connector,
			client: clientFor(connector, world.secrets),
			profile
		});
		expect(result).toEqual({ adopted: 0, resent: 0, abandoned: 1 });
		expect(commandPosts(world.sim.instance('/radarr'))).toHaveLength(0);
		const items = await world.db.execute<{ state: string }>(sql`
			select r.state from search_registry r join request_queue_items i on i.registry_id = r.id where i.request_id = ${row.id}`);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((i) => i.state === 'cooldown')).toBe(true);
		const [history] = await world.db
			.select()
			.from(searchHistory)
			.where(eq(searchHistory.requestId, row.id));
		expect(history?.outcome).toBe('unknown');
	});
});
