/**
 * Guards of the search state (issue 9: "guarded by no test"), with one manual clock for the
 * simulator and Comradarr, and searches that find nothing (`grabRate: 0`):
 * - an item that is never found backs off by the profile's multiplier (capped) and ends
 *   `exhausted` after the max attempts, after which no sweep queues it again;
 * - a season whose pack was searched within the pack cooldown is held (no second SeasonSearch),
 *   and once the cooldown has passed its remaining episodes go out as EpisodeSearch.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { useWorld, RADARR_KEY, SONARR_KEY } from '../helpers/world';
import { manualClock } from '../arr-sim/test-helpers';
import {
	events,
	requestQueue,
	searchRegistry,
	series,
	throttleProfiles,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { trackCommands } from '../../src/lib/server/services/queue/command-tracker';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { DEFAULT_COOLDOWN_RULES } from '../../src/lib/server/services/queue/registry-states';
import type { SimInstance } from '../arr-sim';
import {
	getSettings,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = manualClock(Date.parse('2026-06-01T12:00:00Z'));

const world = useWorld([
	{
		type: 'sonarr',
		urlBase: '/sonarr',
		apiKey: SONARR_KEY,
		series: 1,
		grabRate: 0,
		commandDurationMs: 1000,
		now: clock.now
	},
	{
		type: 'radarr',
		urlBase: '/radarr',
		apiKey: RADARR_KEY,
		movies: 12,
		grabRate: 0,
		commandDurationMs: 1000,
		now: clock.now
	}
]);

async function cycle(connector: Connector) {
	const profile = await profileFor(world.db, connector);
	const client = clientFor(connector, world.secrets);
	const dispatched = await dispatchConnector({
		db: world.db,
		connector,
		client,
		profile,
		clock: clock.now
	});
	clock.advance(60_000); // the simulator finishes them (1 s each, three at once)
	await trackCommands({ db: world.db, connector, client, profile, clock: clock.now });
	return dispatched;
}

function commandPosts(sim: SimInstance) {
	return sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/command');
}

describe('backing off and giving up', () => {
	it('waits longer after each search that finds nothing, then is exhausted and no longer queued', async () => {
		const multiplier = 1.5;
		await world.db
			.update(throttleProfiles)
			.set({
				maxCommandsPerWindow: 100,
				maxInFlight: 100,
				dailySearchBudget: 10_000,
				backoffMultiplier: multiplier
			})
			.where(eq(throttleProfiles.name, 'Moderate'));
		const radarr = await world.addConnector('/radarr');
		await syncConnector({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets)
		});
		// A no-results wait of 2 days (Settings → Search behaviour): 48 h, × 1.5 each time, ≤ 7 days.
		await updateSettings(world.db, 'search', {
			...(await getSettings(world.db)).search,
			noResultsCooldownDays: 2
		});
		const profile = await profileFor(world.db, radarr);
		const standard = radarr.searchCooldownHours ?? profile.searchCooldownHours;
		const base = 48;
		expect(base).not.toBe(standard);
		const { capHours, maxAttempts } = DEFAULT_COOLDOWN_RULES;

		await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: clock.now });
		const [target] = await world.db
			.select()
			.from(searchRegistry)
			.where(and(eq(searchRegistry.connectorId, radarr.id), eq(searchRegistry.state, 'queued')))
			.limit(1);
		expect(target).toBeDefined();

		const waits: number[] = [];
		for (let attempt = 0; attempt < maxAttempts; attempt++) {
			if (attempt > 0) {
				await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: clock.now });
			}
			const [before] = await world.db
				.select()
				.from(searchRegistry)
				.where(eq(searchRegistry.id, target!.id));
			expect(before?.state, `search ${attempt + 1} queued`).toBe('queued');
			await cycle(radarr);
			const [row] = await world.db
				.select()
				.from(searchRegistry)
				.where(eq(searchRegistry.id, target!.id));
			expect(row).toMatchObject({ attempts: attempt + 1, failureCategory: 'no_results' });
			const wait = (row!.nextEligibleAt.getTime() - row!.lastSearchedAt!.getTime()) / HOUR;
			waits.push(wait);
			if (attempt < maxAttempts - 1) {
				expect(row!.state).toBe('cooldown');
				// Not eligible a minute before its time: the next sweep leaves it alone.
				clock.set(row!.nextEligibleAt.getTime() - 60_000);
				await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: clock.now });
				const [early] = await world.db
					.select()
					.from(searchRegistry)
					.where(eq(searchRegistry.id, target!.id));
				expect(early?.state).toBe('cooldown');
				clock.set(row!.nextEligibleAt.getTime() + 60_000);
			} else {
				expect(row!.state).toBe('exhausted');
			}
		}
		// base × multiplier^attempts, capped; each wait longer than the one before until the cap.
		expect(waits).toEqual(waits.map((_, i) => Math.min(capHours, base * multiplier ** i)));
		for (let i = 1; i < waits.length; i++) {
			if (waits[i - 1]! < capHours) expect(waits[i]).toBeGreaterThan(waits[i - 1]!);
			else expect(waits[i]).toBe(capHours);
		}
		expect(waits[0]).toBe(base);

		// Exhausted: a sweep long after does not queue it again.
		clock.advance(60 * DAY);
		await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: clock.now });
		const [final] = await world.db
			.select()
			.from(searchRegistry)
			.where(eq(searchRegistry.id, target!.id));
		expect(final?.state).toBe('exhausted');
		const linked = await world.db.execute(sql`
			select 1 from request_queue_items i join request_queue q on q.id = i.request_id
			where i.registry_id = ${target!.id} and q.status = 'pending'`);
		expect(linked).toHaveLength(0);
		const gaveUp = await world.db.select().from(events).where(eq(events.type, 'search.exhausted'));
		expect(gaveUp.some((e) => (e.subject.movieIds ?? []).includes(target!.movieId!))).toBe(true);
	});
});

describe('max attempts from Settings → Search behaviour', () => {
	it('exhausts an item after the configured number of searches, not the default 10', async () => {
		await world.db
			.update(throttleProfiles)
			.set({ maxCommandsPerWindow: 100, maxInFlight: 100, dailySearchBudget: 10_000 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		await updateSettings(world.db, 'search', {
			...(await getSettings(world.db)).search,
			maxAttempts: 3
		});
		const radarr = await world.addConnector('/radarr');
		await syncConnector({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets)
		});
		const states: string[] = [];
		for (let attempt = 0; attempt < 3; attempt++) {
			await runSweep({ db: world.db, connector: radarr, kind: 'gaps', clock: clock.now });
			await cycle(radarr);
			const rows = await world.db
				.select({ state: searchRegistry.state, attempts: searchRegistry.attempts })
				.from(searchRegistry)
				.where(eq(searchRegistry.connectorId, radarr.id));
			const searched = rows.filter((r) => r.attempts === attempt + 1);
			expect(searched.length).toBeGreaterThan(0);
			states.push([...new Set(searched.map((r) => r.state))].join());
			clock.advance(91 * DAY); // past any cooldown (a no-results wait is at most 90 days)
		}
		expect(states).toEqual(['cooldown', 'cooldown', 'exhausted']);
	});
});

describe('the season-pack cooldown', () => {
	it('holds a season whose pack was searched within the cooldown, then sends its episodes one by one', async () => {
		await world.db
			.update(throttleProfiles)
			.set({ maxCommandsPerWindow: 100, maxInFlight: 100, dailySearchBudget: 10_000 })
			.where(eq(throttleProfiles.name, 'Moderate'));
		const sim = world.sim.instance('/sonarr');
		const show = sim.addSeries(
			{ monitored: true, title: 'Pack cooldown' },
			{ kind: 'ended', seasons: 1, episodesPerSeason: 10, missingRatio: 1, specials: false }
		);
		for (const season of show.seasons) season.monitored = true;
		const episodeIds = sim.episodesOf(show.id).map((e) => {
			e.monitored = true;
			if (e.episodeFileId !== 0) sim.setEpisodeFile(e.id, null);
			return e.id;
		});
		sim.reindex();
		const sonarr = await world.addConnector('/sonarr');
		await syncConnector({
			db: world.db,
			connector: sonarr,
			client: clientFor(sonarr, world.secrets)
		});
		// Episodes whose pack found nothing wait a day (a no-results wait of 1 day), so after the
		// pack cooldown they are eligible again and branch 3 of the decision tree decides.
		await updateSettings(world.db, 'search', {
			...(await getSettings(world.db)).search,
			noResultsCooldownDays: 1
		});
		const connector = await world.connector(sonarr.id);
		const cooldownHours = connector.seasonPackCooldownHours;
		const [ours] = await world.db.select().from(series).where(eq(series.arrId, show.id));
		const pending = () =>
			world.db
				.select()
				.from(requestQueue)
				.where(and(eq(requestQueue.seriesId, ours!.id), inArray(requestQueue.status, ['pending'])));
		const postsFor = (name: string) =>
			commandPosts(sim).filter((p) => {
				const body = p.body as { name: string; seriesId?: number; episodeIds?: number[] };
				return (
					body.name === name &&
					(body.seriesId === show.id ||
						(body.episodeIds ?? []).some((id) => episodeIds.includes(id)))
				);
			});

		// 1. Fully aired, all missing: one SeasonSearch, which finds nothing.
		const t0 = clock.now().getTime();
		await runSweep({ db: world.db, connector, kind: 'gaps', clock: clock.now });
		expect((await pending()).map((q) => q.payload)).toEqual([
			{ name: 'SeasonSearch', seriesId: show.id, seasonNumber: 1 }
		]);
		await cycle(connector);
		expect(postsFor('SeasonSearch')).toHaveLength(1);

		// 2. Two days on the episodes' own cooldown has passed, the pack's has not: held.
		clock.set(t0 + 2 * DAY);
		await runSweep({ db: world.db, connector, kind: 'gaps', clock: clock.now });
		expect(await pending()).toEqual([]);
		await cycle(connector);
		expect(postsFor('SeasonSearch')).toHaveLength(1);
		expect(postsFor('EpisodeSearch')).toHaveLength(0);

		// 3. After the pack cooldown: the remaining episodes as EpisodeSearch, no second pack.
		clock.set(t0 + cooldownHours * HOUR + HOUR);
		await runSweep({ db: world.db, connector, kind: 'gaps', clock: clock.now });
		const next = await pending();
		expect(next.length).toBeGreaterThan(0);
		expect(next.every((q) => q.command === 'EpisodeSearch')).toBe(true);
		await cycle(connector);
		expect(postsFor('SeasonSearch')).toHaveLength(1);
		const searched = postsFor('EpisodeSearch').flatMap(
			(p) => (p.body as { episodeIds: number[] }).episodeIds
		);
		expect(searched.sort((a, b) => a - b)).toEqual([...episodeIds].sort((a, b) => a - b));
	});
});
