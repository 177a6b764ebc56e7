import { describe, expect, it } from 'vitest';
import {
	decideSeason,
	decideSeasons,
	planBatches,
	type Candidate,
	type EpisodeCandidate,
	type SeasonPackSettings,
	type SeasonStats
} from './batcher';
import { PACK_LIKELIHOOD, scoreBatch, type ItemScore } from './prioritizer';

const score = (total: number): ItemScore => ({
	base: 100,
	gapOverUpgrade: 0,
	contentAge: total - 100,
	missingDuration: 0,
	neverSearched: 0,
	leastRecentlySearched: 0,
	failurePenalty: 0,
	override: 0,
	total
});

function episode(
	id: number,
	season: number,
	number: number,
	over: Partial<EpisodeCandidate> = {}
): Candidate {
	return {
		kind: 'episode',
		registryId: id,
		searchType: 'gap',
		score: score(1000 - id),
		attempts: 0,
		seriesId: 1,
		arrSeriesId: 11,
		seriesTitle: 'Show',
		seasonNumber: season,
		episodeNumber: number,
		arrEpisodeId: 100 + id,
		...over
	};
}

const season = (over: Partial<SeasonStats>): SeasonStats => ({
	seriesId: 1,
	seasonNumber: 1,
	episodeCount: 10,
	gapCount: 5,
	fullyAired: true,
	hoursSincePack: null,
	...over
});

const on: SeasonPackSettings = {
	enabled: true,
	thresholdPct: 50,
	maxEpisodesBeforePack: 5,
	minEpisodes: 3,
	cooldownHours: 168
};
const action = (s: Partial<SeasonStats>, settings: Partial<SeasonPackSettings> = {}) =>
	decideSeason(season(s), { ...on, ...settings }).action;

describe('season pack decision tree', () => {
	it('packs a fully aired season missing at least the threshold share', () => {
		expect(action({ gapCount: 5 })).toBe('pack');
		expect(action({ gapCount: 4 })).toBe('episodes');
		expect(action({ gapCount: 4 }, { thresholdPct: 40 })).toBe('pack');
	});
	it('packs above the maximum of individual episodes, even below the threshold', () => {
		expect(action({ episodeCount: 24, gapCount: 6 })).toBe('pack');
		expect(action({ episodeCount: 24, gapCount: 5 })).toBe('episodes');
		expect(action({ episodeCount: 24, gapCount: 6 }, { maxEpisodesBeforePack: null })).toBe(
			'episodes'
		);
	});
	it('never packs fewer missing than the minimum for a pack', () => {
		expect(action({ episodeCount: 4, gapCount: 2 })).toBe('episodes');
		expect(action({ episodeCount: 4, gapCount: 3 })).toBe('pack');
		expect(action({ episodeCount: 4, gapCount: 3 }, { minEpisodes: 4 })).toBe('episodes');
	});
	it('never packs a season still airing, specials, or when packs are off', () => {
		expect(action({ gapCount: 10, fullyAired: false })).toBe('episodes');
		expect(action({ seasonNumber: 0, gapCount: 10 })).toBe('episodes');
		expect(action({ gapCount: 10 }, { enabled: false })).toBe('episodes');
	});
	it('holds a season whose pack is in cooldown, then sends its episodes one by one', () => {
		expect(action({ gapCount: 10, hoursSincePack: 167 })).toBe('hold');
		expect(action({ gapCount: 10, hoursSincePack: 168 })).toBe('episodes');
		expect(action({ gapCount: 10, hoursSincePack: 168 * 4 - 1 })).toBe('episodes');
		expect(action({ gapCount: 10, hoursSincePack: 168 * 4 })).toBe('pack');
		expect(action({ gapCount: 10, hoursSincePack: 1 }, { cooldownHours: 1 })).toBe('episodes');
	});
	it('says why', () => {
		expect(decideSeason(season({ gapCount: 8 }), on).reason).toBe(
			'fully aired, 8 of 10 missing (80 % ≥ 50 %)'
		);
	});
});

describe('batch planning', () => {
	const limits = { maxItemsPerCommand: 10, searchBudget: 500 };

	it('turns a packed season into one SeasonSearch costing one search', () => {
		const candidates = [1, 2, 3, 4, 5, 6].map((n) => episode(n, 1, n));
		const seasons = decideSeasons([season({ gapCount: 6 })], on);
		const {
			batches: [batch, ...rest]
		} = planBatches(candidates, seasons, limits);
		expect(rest).toEqual([]);
		expect(batch?.payload).toEqual({ name: 'SeasonSearch', seriesId: 11, seasonNumber: 1 });
		expect(batch?.searchCount).toBe(1);
		expect(batch?.registryIds).toEqual([1, 2, 3, 4, 5, 6]);
		expect(batch?.score.rule).toMatch(/^season pack: fully aired, 6 of 10/);
	});

	it('holds the gap episodes of a season whose pack is in cooldown', () => {
		const candidates = [1, 2, 3].map((n) => episode(n, 1, n));
		const seasons = decideSeasons([season({ gapCount: 6, hoursSincePack: 2 })], on);
		const planned = planBatches(candidates, seasons, limits);
		expect(planned.batches).toEqual([]);
		expect(planned.held).toBe(3);
	});

	it('chunks episodes per series into EpisodeSearch commands of at most maxItemsPerCommand, in episode order', () => {
		const candidates = Array.from({ length: 23 }, (_, i) => episode(i + 1, 2, 23 - i));
		const { batches } = planBatches(candidates, new Map(), limits);
		expect(batches.map((b) => b.searchCount).sort((a, b) => a - b)).toEqual([3, 10, 10]);
		for (const b of batches) {
			expect(b.payload.name).toBe('EpisodeSearch');
			const inCommand = 'episodeIds' in b.payload ? b.payload.episodeIds : [];
			expect(inCommand).toEqual([...inCommand].sort((x, y) => y - x));
		}
		// The best items (lowest registry id here) go in the first command.
		expect(batches[0]?.registryIds.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		const ids = batches.flatMap((b) => ('episodeIds' in b.payload ? b.payload.episodeIds : []));
		expect(new Set(ids).size).toBe(23);
	});

	it('never mixes series or gap and upgrade searches in one command', () => {
		const candidates = [
			episode(1, 1, 1),
			episode(2, 1, 2, { seriesId: 2, arrSeriesId: 22 }),
			episode(3, 1, 3, { searchType: 'upgrade' })
		];
		expect(planBatches(candidates, new Map(), limits).batches).toHaveLength(3);
	});

	it('ranks by value per query, not by the best item: a mostly missing season beats a top episode', () => {
		const pack = [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
			episode(n, 1, n, { score: score(300), seriesId: 1 })
		);
		const star = episode(9, 1, 1, { score: score(1000), seriesId: 2, arrSeriesId: 22 });
		const seasons = decideSeasons([season({ gapCount: 8 })], on);
		const { batches } = planBatches([star, ...pack], seasons, limits);
		expect(batches.map((b) => b.command)).toEqual(['SeasonSearch', 'EpisodeSearch']);
		expect(batches[0]?.score.perQuery).toBe(PACK_LIKELIHOOD * 8 * 300);
		expect(batches[1]?.score.perQuery).toBe(1000);
	});

	it('groups movies best first and stops planning at the search budget', () => {
		const movies: Candidate[] = Array.from({ length: 30 }, (_, i) => ({
			kind: 'movie',
			registryId: i + 1,
			searchType: 'gap',
			score: score(100 + i),
			attempts: 0,
			arrMovieId: 500 + i,
			title: `Movie ${i}`,
			year: 2000 + i
		}));
		const { batches } = planBatches(movies, new Map(), {
			maxItemsPerCommand: 10,
			searchBudget: 15
		});
		expect(batches).toHaveLength(2);
		expect(batches[0]?.payload).toMatchObject({ name: 'MoviesSearch' });
		expect('movieIds' in batches[0]!.payload && batches[0]!.payload.movieIds[0]).toBe(529);
		expect(batches[0]?.priority).toBe(Math.round((129 + 120) / 2));
	});
});

describe('batch score', () => {
	it('is value per query: items cost a query each, a pack one query for all', () => {
		const items = [300, 100].map((t) => ({ score: score(t), attempts: 0 }));
		expect(scoreBatch(items, 'items', '').perQuery).toBe(200);
		expect(scoreBatch(items, 'items', '').queries).toBe(2);
		expect(scoreBatch(items, 'pack', '').perQuery).toBe(PACK_LIKELIHOOD * 400);
		expect(scoreBatch(items, 'pack', '').queries).toBe(1);
	});
	it('discounts items that earlier searches did not find', () => {
		const fresh = scoreBatch([{ score: score(100), attempts: 0 }], 'items', '');
		const tried = scoreBatch([{ score: score(100), attempts: 2 }], 'items', '');
		expect(tried.perQuery).toBeCloseTo(fresh.perQuery * 0.49, 5);
		expect(tried.expectedAcquired).toBeCloseTo(0.49, 5);
	});
	it('averages the score parts for the queue breakdown', () => {
		const s = scoreBatch(
			[
				{ score: score(300), attempts: 0 },
				{ score: score(100), attempts: 0 }
			],
			'items',
			'rule'
		);
		expect(s.averageItem).toMatchObject({ base: 100, contentAge: 100, total: 200 });
		expect(s.rule).toBe('rule');
	});
});
