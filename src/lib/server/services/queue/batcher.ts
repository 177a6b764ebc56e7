/**
 * The batcher: turns prioritised, eligible search candidates into commands. Pure logic.
 *
 * Rules (spec "Episode Search Batching Logic", issue #2):
 * - A season chosen for a season pack (see `decideSeasonPacks`) becomes ONE `SeasonSearch` covering
 *   all its eligible gap episodes; it costs one search.
 * - Other episodes become `EpisodeSearch` commands with explicit `episodeIds`, grouped per series
 *   and search type, at most `maxItemsPerCommand` each, in season/episode order.
 * - Movies become `MoviesSearch` commands of at most `maxItemsPerCommand`, highest priority first.
 * - A batch's priority is the highest of its items. Batches are emitted highest priority first and
 *   stop once `searchBudget` searches are planned (the queue holds about what can be sent).
 */
import type { SearchCommandBody, SearchCommandName, SearchType } from '../../db/schema';
import { episodeSearch, seasonSearch } from '../../connectors/sonarr/commands';
import { moviesSearch } from '../../connectors/radarr/commands';

export interface EpisodeCandidate {
	kind: 'episode';
	registryId: number;
	searchType: SearchType;
	priority: number;
	/** Our series id and the *arr ids used in the command. */
	seriesId: number;
	arrSeriesId: number;
	seriesTitle: string;
	seasonNumber: number;
	episodeNumber: number | null;
	arrEpisodeId: number;
}

export interface MovieCandidate {
	kind: 'movie';
	registryId: number;
	searchType: SearchType;
	priority: number;
	arrMovieId: number;
	title: string;
	year: number | null;
}

export type Candidate = EpisodeCandidate | MovieCandidate;

/** A season whose gaps go out as one SeasonSearch. */
export interface SeasonPackChoice {
	seriesId: number;
	seasonNumber: number;
}

export interface PlannedBatch {
	command: SearchCommandName;
	searchType: SearchType;
	payload: SearchCommandBody;
	registryIds: number[];
	priority: number;
	searchCount: number;
	label: string;
	seriesId: number | null;
	seasonNumber: number | null;
}

export interface BatchLimits {
	maxItemsPerCommand: number;
	/** Stop planning once this many searches are planned. */
	searchBudget: number;
}

export interface SeasonStats {
	seriesId: number;
	seasonNumber: number;
	/** Every episode of the season in the mirror. */
	episodeCount: number;
	/** Gap episodes of the season (whatever their search state). */
	gapCount: number;
	/** True when every episode has aired (no future or unknown air date, no `nextAiring`). */
	fullyAired: boolean;
	/** A SeasonSearch for this season ran within the season-pack cooldown. */
	recentlyPacked: boolean;
}

export interface SeasonPackSettings {
	enabled: boolean;
	/** Minimum share of the season missing, in percent (default 50). */
	thresholdPct: number;
	/** More missing episodes than this force a pack even below the threshold; null = off (default). */
	maxEpisodesBeforePack: number | null;
}

/**
 * Which seasons get a season pack: fully aired regular seasons (not specials) missing at least
 * `thresholdPct` % of their episodes — or more than `maxEpisodesBeforePack` episodes when that is
 * set — with no season pack in cooldown, when packs are enabled.
 */
export function decideSeasonPacks(
	stats: readonly SeasonStats[],
	settings: SeasonPackSettings
): SeasonPackChoice[] {
	if (!settings.enabled) return [];
	return stats
		.filter(
			(s) =>
				s.seasonNumber > 0 &&
				s.fullyAired &&
				!s.recentlyPacked &&
				s.episodeCount > 0 &&
				s.gapCount > 0 &&
				(s.gapCount * 100 >= settings.thresholdPct * s.episodeCount ||
					(settings.maxEpisodesBeforePack !== null && s.gapCount > settings.maxEpisodesBeforePack))
		)
		.map((s) => ({ seriesId: s.seriesId, seasonNumber: s.seasonNumber }));
}

function pad(n: number | null): string {
	return n === null ? '??' : String(n).padStart(2, '0');
}

function chunk<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/**
 * Plans the commands for a set of candidates.
 * @param candidates eligible items, any order
 * @param packs seasons chosen by `decideSeasonPacks`
 */
export function planBatches(
	candidates: readonly Candidate[],
	packs: readonly SeasonPackChoice[],
	limits: BatchLimits
): PlannedBatch[] {
	const size = Math.max(1, limits.maxItemsPerCommand);
	const packKeys = new Set(packs.map((p) => `${p.seriesId}:${p.seasonNumber}`));
	const batches: PlannedBatch[] = [];

	const seasonGroups = new Map<string, EpisodeCandidate[]>();
	const episodeGroups = new Map<string, EpisodeCandidate[]>();
	const movieGroups = new Map<SearchType, MovieCandidate[]>();
	for (const c of candidates) {
		if (c.kind === 'movie') {
			const list = movieGroups.get(c.searchType) ?? [];
			list.push(c);
			movieGroups.set(c.searchType, list);
			continue;
		}
		const seasonKey = `${c.seriesId}:${c.seasonNumber}`;
		const map = c.searchType === 'gap' && packKeys.has(seasonKey) ? seasonGroups : episodeGroups;
		const key = map === seasonGroups ? seasonKey : `${c.seriesId}:${c.searchType}`;
		const list = map.get(key) ?? [];
		list.push(c);
		map.set(key, list);
	}

	for (const group of seasonGroups.values()) {
		const first = group[0];
		if (!first) continue;
		batches.push({
			command: 'SeasonSearch',
			searchType: 'gap',
			payload: seasonSearch(first.arrSeriesId, first.seasonNumber),
			registryIds: group.map((c) => c.registryId),
			priority: Math.max(...group.map((c) => c.priority)),
			searchCount: 1,
			label: `${first.seriesTitle} — Season ${first.seasonNumber} (season pack, ${group.length} missing)`,
			seriesId: first.seriesId,
			seasonNumber: first.seasonNumber
		});
	}

	for (const group of episodeGroups.values()) {
		const ordered = [...group].sort(
			(a, b) =>
				a.seasonNumber - b.seasonNumber ||
				(a.episodeNumber ?? 0) - (b.episodeNumber ?? 0) ||
				a.arrEpisodeId - b.arrEpisodeId
		);
		for (const part of chunk(ordered, size)) {
			const first = part[0];
			const last = part[part.length - 1];
			if (!first || !last) continue;
			const range =
				part.length === 1
					? `S${pad(first.seasonNumber)}E${pad(first.episodeNumber)}`
					: `S${pad(first.seasonNumber)}E${pad(first.episodeNumber)}–S${pad(last.seasonNumber)}E${pad(last.episodeNumber)} (${part.length} episodes)`;
			const sameSeason = part.every((c) => c.seasonNumber === first.seasonNumber);
			batches.push({
				command: 'EpisodeSearch',
				searchType: first.searchType,
				payload: episodeSearch(part.map((c) => c.arrEpisodeId)),
				registryIds: part.map((c) => c.registryId),
				priority: Math.max(...part.map((c) => c.priority)),
				searchCount: part.length,
				label: `${first.seriesTitle} — ${range}${first.searchType === 'upgrade' ? ' (upgrade)' : ''}`,
				seriesId: first.seriesId,
				seasonNumber: sameSeason ? first.seasonNumber : null
			});
		}
	}

	for (const [searchType, group] of movieGroups) {
		const ordered = [...group].sort(
			(a, b) => b.priority - a.priority || a.arrMovieId - b.arrMovieId
		);
		for (const part of chunk(ordered, size)) {
			const first = part[0];
			if (!first) continue;
			const names = part.map((c) => (c.year ? `${c.title} (${c.year})` : c.title));
			batches.push({
				command: 'MoviesSearch',
				searchType,
				payload: moviesSearch(part.map((c) => c.arrMovieId)),
				registryIds: part.map((c) => c.registryId),
				priority: first.priority,
				searchCount: part.length,
				label:
					(names.length <= 3
						? names.join(', ')
						: `${names.slice(0, 3).join(', ')} +${names.length - 3} more`) +
					(searchType === 'upgrade' ? ' (upgrade)' : ''),
				seriesId: null,
				seasonNumber: null
			});
		}
	}

	batches.sort((a, b) => b.priority - a.priority);
	// The budget here only bounds the queue's length (the dispatcher enforces the daily budget).
	const planned: PlannedBatch[] = [];
	let plannedSearches = 0;
	for (const batch of batches) {
		if (plannedSearches >= limits.searchBudget) break;
		planned.push(batch);
		plannedSearches += batch.searchCount;
	}
	return planned;
}
