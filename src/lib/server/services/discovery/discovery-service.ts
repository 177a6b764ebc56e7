/**
 * Discovery: finds a connector's gaps and upgrade candidates in the mirror and keeps the search
 * registry in step with them, in set-based SQL (one statement per kind, whatever the library size).
 *
 * - Items that stopped being wanted (gained a file, met the cutoff, were unmonitored) lose their
 *   registry row — unless a command for them is in flight (`searching`): the outcome is written
 *   first, and the next sweep removes them.
 * - Newly wanted items get a `pending` row, eligible at once.
 * - Upgrade candidates are the app's cutoff-unmet files (`qualityCutoffNotMet`) and, when the
 *   connector opts in (`connectors.custom_format_upgrades`), files whose `customFormatScore`
 *   (EpisodeFileResource / MovieFileResource) is below their quality profile's
 *   `cutoffFormatScore` while the profile's `upgradeAllowed` (QualityProfileResource, mirrored in
 *   `quality_profiles`). The apps' `wanted/cutoff` does not list the latter. Both kinds share the
 *   search type `upgrade` (one registry row per file); the queue names the reason.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import type { SearchType } from '../../db/schema';
import type { LibraryKind } from '../../connectors';
import {
	episodeGapCondition,
	episodeUpgradeCondition,
	movieGapCondition,
	movieUpgradeCondition
} from '../../db/queries/wanted-conditions';

/**
 * A custom-format-score upgrade candidate: monitored, has a file with a known `customFormatScore`
 * below its quality profile's `cutoffFormatScore`, and the profile allows upgrades. Episodes take
 * their series' profile. Aliases `e`/`s` or `m`.
 */
export function customFormatUpgradeCondition(kind: LibraryKind): SQL {
	return kind === 'movies'
		? sql`(m.monitored and m.has_file and m.custom_format_score is not null and exists (
				select 1 from quality_profiles qp
				where qp.connector_id = m.connector_id and qp.arr_id = m.quality_profile_id
				  and qp.upgrade_allowed and m.custom_format_score < qp.cutoff_format_score))`
		: sql`(s.monitored and e.monitored and e.has_file and e.custom_format_score is not null and exists (
				select 1 from quality_profiles qp
				where qp.connector_id = e.connector_id and qp.arr_id = s.quality_profile_id
				  and qp.upgrade_allowed and e.custom_format_score < qp.cutoff_format_score))`;
}

/** Options of a registry refresh. */
export interface RefreshOptions {
	/** The connector's `custom_format_upgrades`: CF-score upgrade candidates count as upgrades. */
	customFormatUpgrades?: boolean;
}

export interface WantedCounts {
	gaps: number;
	upgrades: number;
}

function rowCount(result: unknown): number {
	const count = (result as { count?: unknown }).count;
	return typeof count === 'number' ? count : Array.isArray(result) ? result.length : 0;
}

/** Counts gaps and upgrade candidates straight from the mirror. */
export async function countWanted(
	db: DbOrTx,
	connectorId: number,
	kind: LibraryKind,
	now: Date
): Promise<WantedCounts> {
	const rows =
		kind === 'movies'
			? await db.execute<{ gaps: number; upgrades: number }>(sql`
				select count(*) filter (where ${movieGapCondition})::int as gaps,
				       count(*) filter (where ${movieUpgradeCondition})::int as upgrades
				from movies m where m.connector_id = ${connectorId}`)
			: await db.execute<{ gaps: number; upgrades: number }>(sql`
				select count(*) filter (where ${episodeGapCondition(now)})::int as gaps,
				       count(*) filter (where ${episodeUpgradeCondition})::int as upgrades
				from episodes e join series s on s.id = e.series_id
				where e.connector_id = ${connectorId}`);
	const row = rows[0];
	return { gaps: row?.gaps ?? 0, upgrades: row?.upgrades ?? 0 };
}

export interface RegistryRefresh {
	added: number;
	removed: number;
	/** `added` by search type (the analytics roll-up counts gaps and upgrades found apart). */
	addedByType: Record<SearchType, number>;
}

/**
 * Brings the registry of one connector in step with the mirror for the given search types.
 * Run inside the sweep's transaction. Tag filters and the grace period do not apply here (the
 * items stay in the registry); queue building skips them.
 */
export async function refreshRegistry(
	db: DbOrTx,
	connectorId: number,
	kind: LibraryKind,
	searchTypes: readonly SearchType[],
	now: Date,
	options: RefreshOptions = {}
): Promise<RegistryRefresh> {
	let added = 0;
	let removed = 0;
	const addedByType: Record<SearchType, number> = { gap: 0, upgrade: 0 };
	const withCustomFormats = (base: SQL) =>
		options.customFormatUpgrades ? sql`(${base} or ${customFormatUpgradeCondition(kind)})` : base;
	for (const searchType of searchTypes) {
		const before = added;
		if (kind === 'movies') {
			const condition =
				searchType === 'gap' ? movieGapCondition : withCustomFormats(movieUpgradeCondition);
			removed += rowCount(
				await db.execute(sql`
					delete from search_registry r
					where r.connector_id = ${connectorId} and r.search_type = ${searchType}
					  and r.movie_id is not null and r.state <> 'searching'
					  and not exists (select 1 from movies m where m.id = r.movie_id and ${condition})`)
			);
			added += rowCount(
				await db.execute(sql`
					insert into search_registry (connector_id, movie_id, search_type, state, next_eligible_at)
					select m.connector_id, m.id, ${searchType}, 'pending', ${now.toISOString()}::timestamptz
					from movies m where m.connector_id = ${connectorId} and ${condition}
					on conflict do nothing`)
			);
		} else {
			const condition =
				searchType === 'gap'
					? episodeGapCondition(now)
					: withCustomFormats(episodeUpgradeCondition);
			removed += rowCount(
				await db.execute(sql`
					delete from search_registry r
					where r.connector_id = ${connectorId} and r.search_type = ${searchType}
					  and r.episode_id is not null and r.state <> 'searching'
					  and not exists (
						select 1 from episodes e join series s on s.id = e.series_id
						where e.id = r.episode_id and ${condition})`)
			);
			added += rowCount(
				await db.execute(sql`
					insert into search_registry (connector_id, episode_id, series_id, search_type, state, next_eligible_at)
					select e.connector_id, e.id, e.series_id, ${searchType}, 'pending', ${now.toISOString()}::timestamptz
					from episodes e join series s on s.id = e.series_id
					where e.connector_id = ${connectorId} and ${condition}
					on conflict do nothing`)
			);
		}
		addedByType[searchType] += added - before;
	}
	return { added, removed, addedByType };
}
