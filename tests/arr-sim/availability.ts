/**
 * The opt-in availability model (README "Availability"): which wanted items the indexers behind a
 * simulated app can deliver. Off unless an instance is given `availability`; then it replaces the
 * `grabRate` coin of searches.
 *
 * - An item (episode, movie) is findable when `hashUnit(seed, SALT_ITEM, itemId) < p(age)`, where
 *   `age` = time since it aired / was released, at the moment the search completes, and
 *   `p(age) = max(pMin, pMax × 2^(−age / halfLifeDays))`: the same item stays findable or not for a
 *   given age (repeating a search of an unfindable item never helps unless it got younger), and a
 *   findable item may drop out as it ages.
 * - A fully aired regular season (every episode aired) has a season pack when
 *   `hashUnit(seed, SALT_PACK, seriesId, seasonNumber) < packShare`.
 */
import { hashUnit } from './library';

/** Knobs of the availability model; every field optional. */
export interface SimAvailability {
	/** Findable probability (0..1) of an item that aired just now; default 0.9. */
	pMax?: number;
	/** Days after which the findable probability halves; default 365. */
	halfLifeDays?: number;
	/** Lowest findable probability (0..1), whatever the age; default 0.05. */
	pMin?: number;
	/** Share (0..1) of fully aired regular seasons for which a season pack exists; default 0.5. */
	packShare?: number;
	/**
	 * Whether a season-level search (SeasonSearch, SeriesSearch) of a fully aired season also grabs
	 * its findable single episodes when no pack is found; default true, as Sonarr does: its
	 * SeasonSearchCriteria query returns the season's single-episode releases too, and
	 * DecisionEngine/Specifications/Search/SeasonMatchSpecification.cs and
	 * EpisodeRequestedSpecification.cs accept any release of the searched season with a requested
	 * episode (Sonarr/Sonarr, src/NzbDrone.Core). False = the pack-only simplification the model
	 * used before (such a search finds nothing without a pack).
	 */
	seasonSearchFindsEpisodes?: boolean;
	/**
	 * Whether a season pack is grabbed only when every episode of the season that has a file
	 * could be upgraded by it (here: its file is below the cutoff); default true, as Sonarr does:
	 * DecisionEngine/Specifications/UpgradeDiskSpecification.cs rejects a release when any episode
	 * it covers has a file of equal or higher preference (Sonarr/Sonarr, src/NzbDrone.Core). So a
	 * pack fills a fully missing season, not one that is half on disk. False = any season with a
	 * pack takes it (the model's earlier simplification).
	 */
	packNeedsUpgradableFiles?: boolean;
}

/** {@link SimAvailability} with defaults applied. */
export type ResolvedAvailability = Required<SimAvailability>;

const SALT_ITEM = 0xa7a1;
const SALT_PACK = 0x9ac4;
const DAY_MS = 86_400_000;

const unit = (v: number) => Math.min(1, Math.max(0, v));

/** Applies the defaults and clamps probabilities to 0..1 (half-life at least 1 ms). */
export function resolveAvailability(a: SimAvailability): ResolvedAvailability {
	return {
		pMax: unit(a.pMax ?? 0.9),
		halfLifeDays: Math.max(1 / DAY_MS, a.halfLifeDays ?? 365),
		pMin: unit(a.pMin ?? 0.05),
		packShare: unit(a.packShare ?? 0.5),
		seasonSearchFindsEpisodes: a.seasonSearchFindsEpisodes ?? true,
		packNeedsUpgradableFiles: a.packNeedsUpgradableFiles ?? true
	};
}

/**
 * Probability (0..1) that an item of this age is findable.
 * @param ageMs milliseconds since it aired / was released (negative counts as 0)
 */
export function findableProbability(a: ResolvedAvailability, ageMs: number): number {
	const days = Math.max(0, ageMs) / DAY_MS;
	return Math.max(a.pMin, a.pMax * Math.pow(2, -days / a.halfLifeDays));
}

/**
 * Whether item `itemId` (an episode or movie id of the instance) is findable at this age.
 * @param ageMs milliseconds since it aired / was released
 */
export function isFindable(
	a: ResolvedAvailability,
	seed: number,
	itemId: number,
	ageMs: number
): boolean {
	return hashUnit(seed, SALT_ITEM, itemId) < findableProbability(a, ageMs);
}

/** Whether a season pack exists for this season (only consulted once the season fully aired). */
export function hasSeasonPack(
	a: ResolvedAvailability,
	seed: number,
	seriesId: number,
	seasonNumber: number
): boolean {
	return seasonNumber > 0 && hashUnit(seed, SALT_PACK, seriesId, seasonNumber) < a.packShare;
}
