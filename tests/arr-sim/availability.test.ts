/**
 * The opt-in availability model (README "Availability"): findability falls with age, seeded
 * season packs, a pack grab fills its season, unfindable items stay missing. Each test fails
 * when the model is removed (the grabRate coin would grab other items, or none/all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findableProbability, resolveAvailability, startSimulator, type Simulator } from './index';
import type { SimInstance } from './instance';
import { getJson, manualClock, postCommand, type WireCommand } from './test-helpers';

const KEY = 'c'.repeat(32);
const DAY = 86_400_000;
const clock = manualClock();
const MODEL = { pMax: 0.9, halfLifeDays: 1000, pMin: 0.05, packShare: 0.5 };

let sim: Simulator;
let son: SimInstance;
let plain: SimInstance;
let twin: SimInstance;
let packOnly: SimInstance;

beforeAll(async () => {
	const common = {
		type: 'sonarr' as const,
		apiKey: KEY,
		series: 60,
		seed: 5,
		commandDurationMs: 100,
		now: clock.now,
		seriesShape: {
			kind: 'ended' as const,
			seasons: 4,
			episodesPerSeason: 10,
			specials: false,
			cutoffUnmetRatio: 0
		}
	};
	sim = await startSimulator({
		instances: [
			{ ...common, urlBase: '/avail', availability: MODEL, grabRate: 0 },
			{ ...common, urlBase: '/twin', availability: MODEL, grabRate: 1 },
			{ ...common, urlBase: '/plain', grabRate: 1 },
			{
				...common,
				urlBase: '/packonly',
				availability: { ...MODEL, seasonSearchFindsEpisodes: false },
				grabRate: 0
			}
		]
	});
	packOnly = sim.instance('/packonly');
	son = sim.instance('/avail');
	twin = sim.instance('/twin');
	plain = sim.instance('/plain');
});

afterAll(async () => {
	await sim.stop();
});

/** Runs a command to completion on the manual clock and returns its final resource. */
async function run(inst: SimInstance, body: Record<string, unknown>): Promise<WireCommand> {
	const cmd = await postCommand(inst, body);
	expect(cmd.status).toBe(201);
	clock.advance(1000);
	const done = await getJson<WireCommand>(inst, `/api/v3/command/${cmd.json.id}`);
	expect(done.status).toBe('completed');
	return done;
}

function grabbedOf(inst: SimInstance, id: number): number[] {
	return inst.commands.find((c) => c.id === id)?.grabbedIds ?? [];
}

/** Fully aired monitored seasons with at least `min` monitored missing episodes. */
function seasonsWithGaps(inst: SimInstance, min: number) {
	const wanted = inst.wantedEpisodes('missing');
	const bySeason = new Map<string, { seriesId: number; seasonNumber: number; ids: number[] }>();
	for (const e of wanted) {
		const key = `${e.seriesId}:${e.seasonNumber}`;
		const entry = bySeason.get(key) ?? {
			seriesId: e.seriesId,
			seasonNumber: e.seasonNumber,
			ids: []
		};
		entry.ids.push(e.id);
		bySeason.set(key, entry);
	}
	return [...bySeason.values()].filter((s) => s.seasonNumber > 0 && s.ids.length >= min);
}

describe('availability model', () => {
	it('findable probability halves every halfLifeDays down to the floor', () => {
		const a = resolveAvailability(MODEL);
		expect(findableProbability(a, 0)).toBeCloseTo(0.9, 6);
		expect(findableProbability(a, 1000 * DAY)).toBeCloseTo(0.45, 6);
		expect(findableProbability(a, 2000 * DAY)).toBeCloseTo(0.225, 6);
		expect(findableProbability(a, 100_000 * DAY)).toBe(0.05);
		expect(resolveAvailability({})).toEqual({
			pMax: 0.9,
			halfLifeDays: 365,
			pMin: 0.05,
			packShare: 0.5,
			seasonSearchFindsEpisodes: true,
			packNeedsUpgradableFiles: true
		});
	});

	it('makes young episodes findable more often than old ones, deterministically from the seed', () => {
		const now = clock.now().getTime();
		const young = son.episodes.filter(
			(e) => e.airDateUtc && now - e.airDateUtc.getTime() < 800 * DAY
		);
		const old = son.episodes.filter(
			(e) => e.airDateUtc && now - e.airDateUtc.getTime() > 3000 * DAY
		);
		expect(young.length).toBeGreaterThan(100);
		expect(old.length).toBeGreaterThan(100);
		const share = (list: typeof young) =>
			list.filter((e) => son.findable(e.id)).length / list.length;
		expect(share(young)).toBeGreaterThan(0.5);
		expect(share(old)).toBeLessThan(0.2);
		// Same seed, same answers; the model is off by default.
		expect(son.episodes.every((e) => son.findable(e.id) === twin.findable(e.id))).toBe(true);
		expect(() => plain.findable(1)).toThrow(/no availability model/);
	});

	it('EpisodeSearch grabs exactly the findable listed episodes, whatever grabRate says', async () => {
		const ids = son
			.wantedEpisodes('missing')
			.map((e) => e.id)
			.filter((_, i) => i % 3 === 0)
			.slice(0, 150);
		const expected = ids.filter((id) => son.findable(id));
		expect(expected.length).toBeGreaterThan(5);
		expect(expected.length).toBeLessThan(ids.length);
		const done = await run(son, { name: 'EpisodeSearch', episodeIds: ids });
		expect([...grabbedOf(son, done.id)].sort((a, b) => a - b)).toEqual(
			[...expected].sort((a, b) => a - b)
		);
		expect(done.message).toBe(`Episode search completed. ${expected.length} reports downloaded.`);
		const wantedNow = new Set(son.wantedEpisodes('missing').map((e) => e.id));
		expect(expected.every((id) => !wantedNow.has(id))).toBe(true);
		// The unfindable ones stay unfindable: searching them again finds nothing.
		const again = await run(son, {
			name: 'EpisodeSearch',
			episodeIds: ids.filter((id) => !expected.includes(id))
		});
		expect(grabbedOf(son, again.id)).toEqual([]);
		expect(again.message).toBe('Episode search completed. 0 reports downloaded.');
	});

	it('SeasonSearch of a season with a pack fills every missing episode of it; without one it grabs the findable episodes', async () => {
		const seasons = seasonsWithGaps(son, 3);
		const withPack = seasons.find((s) => son.seasonPackAccepted(s.seriesId, s.seasonNumber));
		const without = seasons.find(
			(s) =>
				!son.seasonPackAvailable(s.seriesId, s.seasonNumber) &&
				s.ids.some((id) => son.findable(id)) &&
				s.ids.some((id) => !son.findable(id))
		);
		if (!withPack || !without) {
			throw new Error('the seeded library lacks the seasons this test needs');
		}
		const packed = await run(son, {
			name: 'SeasonSearch',
			seriesId: withPack.seriesId,
			seasonNumber: withPack.seasonNumber
		});
		expect([...grabbedOf(son, packed.id)].sort((a, b) => a - b)).toEqual(
			[...withPack.ids].sort((a, b) => a - b)
		);
		expect(packed.message).toBe('Season search completed. 1 reports downloaded.');
		// No pack: the season query's single-episode releases are grabbed (Sonarr's
		// SeasonMatchSpecification and EpisodeRequestedSpecification accept them), one report each.
		const findable = without.ids.filter((id) => son.findable(id));
		const singles = await run(son, {
			name: 'SeasonSearch',
			seriesId: without.seriesId,
			seasonNumber: without.seasonNumber
		});
		expect([...grabbedOf(son, singles.id)].sort((a, b) => a - b)).toEqual(
			[...findable].sort((a, b) => a - b)
		);
		expect(singles.message).toBe(`Season search completed. ${findable.length} reports downloaded.`);
		const left = new Set(son.wantedEpisodes('missing').map((e) => e.id));
		expect(withPack.ids.some((id) => left.has(id))).toBe(false);
		expect(without.ids.filter((id) => left.has(id))).toEqual(
			without.ids.filter((id) => !findable.includes(id))
		);
	});

	it('rejects a season pack when a file of the season is at the cutoff, as Sonarr does', async () => {
		// A season with a pack and a file that meets the cutoff: Sonarr's UpgradeDiskSpecification
		// rejects the pack (not an upgrade of that file), so only findable single episodes come.
		const season = seasonsWithGaps(son, 2).find(
			(s) =>
				son.seasonPackAvailable(s.seriesId, s.seasonNumber) &&
				!son.seasonPackAccepted(s.seriesId, s.seasonNumber)
		);
		if (!season) throw new Error('the seeded library lacks the season this test needs');
		const findable = season.ids.filter((id) => son.findable(id));
		const done = await run(son, {
			name: 'SeasonSearch',
			seriesId: season.seriesId,
			seasonNumber: season.seasonNumber
		});
		expect([...grabbedOf(son, done.id)].sort((a, b) => a - b)).toEqual(
			[...findable].sort((a, b) => a - b)
		);
		expect(findable.length).toBeLessThan(season.ids.length);
	});

	it('with seasonSearchFindsEpisodes off, a season search without a pack finds nothing', async () => {
		const without = seasonsWithGaps(packOnly, 3).find(
			(s) =>
				!packOnly.seasonPackAvailable(s.seriesId, s.seasonNumber) &&
				s.ids.some((id) => packOnly.findable(id))
		);
		if (!without) throw new Error('the seeded library lacks the season this test needs');
		const none = await run(packOnly, {
			name: 'SeasonSearch',
			seriesId: without.seriesId,
			seasonNumber: without.seasonNumber
		});
		expect(grabbedOf(packOnly, none.id)).toEqual([]);
		expect(none.message).toBe('Season search completed. 0 reports downloaded.');
	});

	it('gives about packShare of fully aired seasons a pack', () => {
		const seasons = son.series.flatMap((s) =>
			s.seasons.map((x) => [s.id, x.seasonNumber] as const)
		);
		const share =
			seasons.filter(([id, n]) => son.seasonPackAvailable(id, n)).length / seasons.length;
		expect(share).toBeGreaterThan(0.35);
		expect(share).toBeLessThan(0.65);
	});
});
