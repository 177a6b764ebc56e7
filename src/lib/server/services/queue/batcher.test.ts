import { describe, expect, it } from 'vitest';
import { decideSeasonPacks, planBatches, type Candidate, type SeasonStats } from './batcher';

function episode(
	id: number,
	season: number,
	number: number,
	over: Partial<Candidate> = {}
): Candidate {
	return {
		kind: 'episode',
		registryId: id,
		searchType: 'gap',
		priority: 1000 - id,
		seriesId: 1,
		arrSeriesId: 11,
		seriesTitle: 'Show',
		seasonNumber: season,
		episodeNumber: number,
		arrEpisodeId: 100 + id,
		...over
	} as Candidate;
}

const season = (over: Partial<SeasonStats>): SeasonStats => ({
	seriesId: 1,
	seasonNumber: 1,
	episodeCount: 10,
	gapCount: 5,
	fullyAired: true,
	recentlyPacked: false,
	...over
});

describe('season pack decision', () => {
	const on = { enabled: true, thresholdPct: 50, maxEpisodesBeforePack: null };
	it('packs a fully aired season missing at least the threshold share', () => {
		expect(decideSeasonPacks([season({ gapCount: 5 })], on)).toEqual([
			{ seriesId: 1, seasonNumber: 1 }
		]);
		expect(decideSeasonPacks([season({ gapCount: 4 })], on)).toEqual([]);
	});
	it('forces a pack above maxEpisodesBeforePack missing episodes, even below the threshold', () => {
		const big = season({ episodeCount: 24, gapCount: 6 });
		expect(decideSeasonPacks([big], on)).toEqual([]);
		expect(decideSeasonPacks([big], { ...on, maxEpisodesBeforePack: 5 })).toEqual([
			{ seriesId: 1, seasonNumber: 1 }
		]);
		expect(
			decideSeasonPacks([season({ episodeCount: 24, gapCount: 5 })], {
				...on,
				maxEpisodesBeforePack: 5
			})
		).toEqual([]);
	});
	it('never sends a season pack for a season still airing', () => {
		expect(decideSeasonPacks([season({ gapCount: 10, fullyAired: false })], on)).toEqual([]);
	});
	it('never packs specials, a season in pack cooldown, or when packs are disabled', () => {
		expect(decideSeasonPacks([season({ seasonNumber: 0, gapCount: 10 })], on)).toEqual([]);
		expect(decideSeasonPacks([season({ gapCount: 10, recentlyPacked: true })], on)).toEqual([]);
		expect(
			decideSeasonPacks([season({ gapCount: 10 })], {
				enabled: false,
				thresholdPct: 50,
				maxEpisodesBeforePack: null
			})
		).toEqual([]);
	});
});

describe('batch planning', () => {
	it('turns a packed season into one SeasonSearch costing one search', () => {
		const candidates = [1, 2, 3, 4, 5, 6].map((n) => episode(n, 1, n));
		const [batch, ...rest] = planBatches(candidates, [{ seriesId: 1, seasonNumber: 1 }], {
			maxItemsPerCommand: 10,
			searchBudget: 500
		});
		expect(rest).toEqual([]);
		expect(batch?.payload).toEqual({ name: 'SeasonSearch', seriesId: 11, seasonNumber: 1 });
		expect(batch?.searchCount).toBe(1);
		expect(batch?.registryIds).toEqual([1, 2, 3, 4, 5, 6]);
	});

	it('chunks episodes per series into EpisodeSearch commands of at most maxItemsPerCommand, in episode order', () => {
		const candidates = Array.from({ length: 23 }, (_, i) => episode(i + 1, 2, 23 - i));
		const batches = planBatches(candidates, [], { maxItemsPerCommand: 10, searchBudget: 500 });
		expect(batches.map((b) => b.searchCount).sort((a, b) => a - b)).toEqual([3, 10, 10]);
		for (const b of batches) {
			expect(b.payload.name).toBe('EpisodeSearch');
			// Within a command, episode order: arrEpisodeId = 100 + registryId, episode number = 24 - registryId.
			const inCommand = 'episodeIds' in b.payload ? b.payload.episodeIds : [];
			expect(inCommand).toEqual([...inCommand].sort((x, y) => y - x));
		}
		const ids = batches.flatMap((b) => ('episodeIds' in b.payload ? b.payload.episodeIds : []));
		expect(ids).toHaveLength(23);
		expect(new Set(ids).size).toBe(23);
	});

	it('never mixes series or gap and upgrade searches in one command', () => {
		const candidates = [
			episode(1, 1, 1),
			episode(2, 1, 2, { seriesId: 2, arrSeriesId: 22 } as Partial<Candidate>),
			episode(3, 1, 3, { searchType: 'upgrade' })
		];
		const batches = planBatches(candidates, [], { maxItemsPerCommand: 10, searchBudget: 500 });
		expect(batches).toHaveLength(3);
	});

	it('groups movies highest priority first and stops planning at the search budget', () => {
		const movies: Candidate[] = Array.from({ length: 30 }, (_, i) => ({
			kind: 'movie',
			registryId: i + 1,
			searchType: 'gap',
			priority: i,
			arrMovieId: 500 + i,
			title: `Movie ${i}`,
			year: 2000 + i
		}));
		const batches = planBatches(movies, [], { maxItemsPerCommand: 10, searchBudget: 15 });
		expect(batches).toHaveLength(2);
		expect(batches[0]?.payload).toMatchObject({ name: 'MoviesSearch' });
		expect(batches[0]?.priority).toBe(29);
		expect('movieIds' in batches[0]!.payload && batches[0]!.payload.movieIds[0]).toBe(529);
	});
});
