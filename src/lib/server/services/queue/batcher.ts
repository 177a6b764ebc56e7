/**
 * The batcher: turns prioritised, eligible search candidates into commands. Pure logic.
 *
 * Decision tree per season (spec "Episode Search Batching Logic", issue 9 item 2), gap episodes:
 * 1. Season packs off for the connector → episodes one by one.
 * 2. A SeasonSearch of this season was claimed within the pack cooldown (default 7 days) → hold:
 *    neither a pack nor single episodes (a SeasonSearch also took single-episode releases).
 * 3. A SeasonSearch of it was claimed within `PACK_RETRY_COOLDOWNS` pack cooldowns and the season
 *    is still wanted → the pack found (too) little: episodes one by one, no new pack yet.
 * 4. Specials (season 0) or a season not fully aired → episodes.
 * 5. Fewer missing than the minimum for a pack (default 3) → episodes.
 * 6. Missing ≥ threshold % (default 50) of the season, or more missing than the connector's
 *    maximum of individual episodes (default 5) → ONE `SeasonSearch` (one query) for all its
 *    eligible gap episodes. Otherwise → episodes.
 * "Episodes" are `EpisodeSearch` commands with explicit ids, grouped per series and search type,
 * at most `maxItemsPerCommand` each, in season/episode order. Upgrade candidates always go as
 * episodes. Movies become `MoviesSearch` commands of at most `maxItemsPerCommand`, highest score
 * first.
 *
 * Each command is scored by `scoreBatch` (points per indexer query, see prioritizer.ts); commands
 * are emitted best first and stop once `searchBudget` searches are planned (the queue holds about
 * what can be sent).
 */
import type { SearchCommandBody, SearchCommandName, SearchType } from '../../db/schema';
import { episodeSearch, seasonSearch } from '../../connectors/sonarr/commands';
import { moviesSearch } from '../../connectors/radarr/commands';
import { scoreBatch, type BatchScore, type ItemScore } from './prioritizer';

/** A pack that found too little is not tried again for this many pack cooldowns. */
export const PACK_RETRY_COOLDOWNS = 4;

interface CandidateBase {
	registryId: number;
	searchType: SearchType;
	/** The item's score (see prioritizer.ts). */
	score: ItemScore;
	/** Our earlier searches of it that found nothing. */
	attempts: number;
	/**
	 * Why an upgrade candidate is one when it is not the app's cutoff unmet, e.g. `custom format
	 * score 40 < cutoff 100`; shown in the command's rule and label.
	 */
	upgradeReason?: string | undefined;
}

export interface EpisodeCandidate extends CandidateBase {
	kind: 'episode';
	/** Our series id and the *arr ids used in the command. */
	seriesId: number;
	arrSeriesId: number;
	seriesTitle: string;
	seasonNumber: number;
	episodeNumber: number | null;
	arrEpisodeId: number;
}

export interface MovieCandidate extends CandidateBase {
	kind: 'movie';
	arrMovieId: number;
	title: string;
	year: number | null;
}

export type Candidate = EpisodeCandidate | MovieCandidate;

export interface PlannedBatch {
	command: SearchCommandName;
	searchType: SearchType;
	payload: SearchCommandBody;
	registryIds: number[];
	/** `score.perQuery`, rounded: the queue's order. */
	priority: number;
	score: BatchScore;
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
	/** Hours since a SeasonSearch of this season was last claimed; null when never. */
	hoursSincePack: number | null;
}

export interface SeasonPackSettings {
	enabled: boolean;
	/** Minimum share of the season missing, in percent (default 50). */
	thresholdPct: number;
	/** More missing episodes than this take a pack even below the threshold; null = off. */
	maxEpisodesBeforePack: number | null;
	/** Fewer missing episodes than this never take a pack (default 3). */
	minEpisodes: number;
	/** Hours after a SeasonSearch before the season is searched again in any form (default 168). */
	cooldownHours: number;
}

/** What the tree decided for one season's gap episodes, and why (shown in the queue). */
export interface SeasonDecision {
	action: 'pack' | 'episodes' | 'hold';
	reason: string;
}

const seasonKey = (seriesId: number, seasonNumber: number) => `${seriesId}:${seasonNumber}`;

/** Runs the decision tree (module docstring) for one season. Pure. */
export function decideSeason(s: SeasonStats, settings: SeasonPackSettings): SeasonDecision {
	if (!settings.enabled) return { action: 'episodes', reason: 'season packs are off' };
	if (s.hoursSincePack !== null && s.hoursSincePack < settings.cooldownHours) {
		return { action: 'hold', reason: 'season pack searched within its cooldown' };
	}
	if (
		s.hoursSincePack !== null &&
		s.hoursSincePack < settings.cooldownHours * PACK_RETRY_COOLDOWNS
	) {
		return { action: 'episodes', reason: 'the last season pack search left these missing' };
	}
	if (s.seasonNumber === 0) return { action: 'episodes', reason: 'specials' };
	if (!s.fullyAired) return { action: 'episodes', reason: 'season still airing' };
	if (s.gapCount < settings.minEpisodes) {
		return {
			action: 'episodes',
			reason: `${s.gapCount} missing, fewer than ${settings.minEpisodes} for a pack`
		};
	}
	const pct = s.episodeCount > 0 ? Math.round((s.gapCount * 100) / s.episodeCount) : 0;
	if (s.gapCount * 100 >= settings.thresholdPct * s.episodeCount) {
		return {
			action: 'pack',
			reason: `fully aired, ${s.gapCount} of ${s.episodeCount} missing (${pct} % ≥ ${settings.thresholdPct} %)`
		};
	}
	if (settings.maxEpisodesBeforePack !== null && s.gapCount > settings.maxEpisodesBeforePack) {
		return {
			action: 'pack',
			reason: `fully aired, ${s.gapCount} missing (more than ${settings.maxEpisodesBeforePack})`
		};
	}
	return {
		action: 'episodes',
		reason: `${pct} % missing, below the ${settings.thresholdPct} % pack threshold`
	};
}

/** The decision for every season in `stats`, keyed `seriesId:seasonNumber`. */
export function decideSeasons(
	stats: readonly SeasonStats[],
	settings: SeasonPackSettings
): Map<string, SeasonDecision> {
	return new Map(
		stats.map((s) => [seasonKey(s.seriesId, s.seasonNumber), decideSeason(s, settings)])
	);
}

function pad(n: number | null): string {
	return n === null ? '??' : String(n).padStart(2, '0');
}

/**
 * The label's upgrade note: ` (upgrade)`, or ` (upgrade: <reason>)` when every item of the command
 * shares one custom-format reason; empty for gaps.
 */
function upgradeSuffix(part: readonly Candidate[]): string {
	if (part[0]?.searchType !== 'upgrade') return '';
	const reasons = new Set(part.map((c) => c.upgradeReason));
	const only = reasons.size === 1 ? [...reasons][0] : undefined;
	return only ? ` (upgrade: ${only})` : ' (upgrade)';
}

function chunk<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/**
 * Plans the commands for a set of candidates.
 * @param candidates eligible items, any order
 * @param seasons `decideSeasons` for the seasons of the gap episodes (a season without a decision
 *   goes out as episodes)
 * @returns the commands, best score per query first, and how many candidates were held back
 */
export function planBatches(
	candidates: readonly Candidate[],
	seasons: ReadonlyMap<string, SeasonDecision>,
	limits: BatchLimits
): { batches: PlannedBatch[]; held: number } {
	const size = Math.max(1, limits.maxItemsPerCommand);
	const batches: PlannedBatch[] = [];
	let held = 0;

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
		const key = seasonKey(c.seriesId, c.seasonNumber);
		const decision = c.searchType === 'gap' ? seasons.get(key) : undefined;
		if (decision?.action === 'hold') {
			held++;
			continue;
		}
		const map = decision?.action === 'pack' ? seasonGroups : episodeGroups;
		const groupKey = map === seasonGroups ? key : `${c.seriesId}:${c.searchType}`;
		const list = map.get(groupKey) ?? [];
		list.push(c);
		map.set(groupKey, list);
	}

	for (const [key, group] of seasonGroups) {
		const first = group[0];
		if (!first) continue;
		const score = scoreBatch(group, 'pack', `season pack: ${seasons.get(key)?.reason ?? ''}`);
		batches.push({
			command: 'SeasonSearch',
			searchType: 'gap',
			payload: seasonSearch(first.arrSeriesId, first.seasonNumber),
			registryIds: group.map((c) => c.registryId),
			priority: Math.round(score.perQuery),
			score,
			searchCount: 1,
			label: `${first.seriesTitle} — Season ${first.seasonNumber} (season pack, ${group.length} missing)`,
			seriesId: first.seriesId,
			seasonNumber: first.seasonNumber
		});
	}

	for (const group of episodeGroups.values()) {
		// Best items first, so a series' first command carries its most valuable episodes; within
		// one command the ids go in season/episode order.
		const ranked = [...group].sort(
			(a, b) =>
				b.score.total - a.score.total ||
				a.seasonNumber - b.seasonNumber ||
				(a.episodeNumber ?? 0) - (b.episodeNumber ?? 0) ||
				a.arrEpisodeId - b.arrEpisodeId
		);
		for (const best of chunk(ranked, size)) {
			const part = best.sort(
				(a, b) =>
					a.seasonNumber - b.seasonNumber ||
					(a.episodeNumber ?? 0) - (b.episodeNumber ?? 0) ||
					a.arrEpisodeId - b.arrEpisodeId
			);
			const first = part[0];
			const last = part[part.length - 1];
			if (!first || !last) continue;
			const range =
				part.length === 1
					? `S${pad(first.seasonNumber)}E${pad(first.episodeNumber)}`
					: `S${pad(first.seasonNumber)}E${pad(first.episodeNumber)}–S${pad(last.seasonNumber)}E${pad(last.episodeNumber)} (${part.length} episodes)`;
			const sameSeason = part.every((c) => c.seasonNumber === first.seasonNumber);
			const reasons = [
				...new Set(
					part.map((c) =>
						c.searchType === 'upgrade'
							? (c.upgradeReason ?? 'upgrade candidates')
							: (seasons.get(seasonKey(c.seriesId, c.seasonNumber))?.reason ?? 'episodes')
					)
				)
			];
			const score = scoreBatch(part, 'items', `episodes: ${reasons.join('; ')}`);
			batches.push({
				command: 'EpisodeSearch',
				searchType: first.searchType,
				payload: episodeSearch(part.map((c) => c.arrEpisodeId)),
				registryIds: part.map((c) => c.registryId),
				priority: Math.round(score.perQuery),
				score,
				searchCount: part.length,
				label: `${first.seriesTitle} — ${range}${upgradeSuffix(part)}`,
				seriesId: first.seriesId,
				seasonNumber: sameSeason ? first.seasonNumber : null
			});
		}
	}

	for (const [searchType, group] of movieGroups) {
		const ordered = [...group].sort(
			(a, b) => b.score.total - a.score.total || a.arrMovieId - b.arrMovieId
		);
		for (const part of chunk(ordered, size)) {
			const first = part[0];
			if (!first) continue;
			const names = part.map((c) => (c.year ? `${c.title} (${c.year})` : c.title));
			const score = scoreBatch(
				part,
				'items',
				searchType === 'upgrade'
					? `movies: ${[...new Set(part.map((c) => c.upgradeReason ?? 'upgrade candidates'))].join('; ')}`
					: 'movies: missing'
			);
			batches.push({
				command: 'MoviesSearch',
				searchType,
				payload: moviesSearch(part.map((c) => c.arrMovieId)),
				registryIds: part.map((c) => c.registryId),
				priority: Math.round(score.perQuery),
				score,
				searchCount: part.length,
				label:
					(names.length <= 3
						? names.join(', ')
						: `${names.slice(0, 3).join(', ')} +${names.length - 3} more`) + upgradeSuffix(part),
				seriesId: null,
				seasonNumber: null
			});
		}
	}

	batches.sort((a, b) => b.score.perQuery - a.score.perQuery);
	// The budget here only bounds the queue's length (the dispatcher enforces the daily budget).
	const planned: PlannedBatch[] = [];
	let plannedSearches = 0;
	for (const batch of batches) {
		if (plannedSearches >= limits.searchBudget) break;
		planned.push(batch);
		plannedSearches += batch.searchCount;
	}
	return { batches: planned, held };
}
