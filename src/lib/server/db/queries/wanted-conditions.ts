/**
 * The wanted conditions, as SQL over the mirror. They mirror what the *arr apps themselves report,
 * so our counts equal theirs:
 * - Sonarr `wanted/missing?monitored=true`: series and episode monitored, no file, and aired —
 *   `airDateUtc + runtime` has passed (arr-api README §2, EpisodeRepository).
 * - Sonarr `wanted/cutoff?monitored=true`: series and episode monitored, has a file, the file's
 *   `qualityCutoffNotMet`.
 * - Radarr `wanted/missing`: monitored, no file, `isAvailable`; `wanted/cutoff`: monitored, has a
 *   file, `movieFile.qualityCutoffNotMet`.
 * Each takes table aliases `e` (episodes), `s` (series), `m` (movies) and a `now` parameter.
 */
import { sql, type SQL } from 'drizzle-orm';

export function episodeGapCondition(now: Date): SQL {
	return sql`s.monitored and e.monitored and not e.has_file and e.air_date_utc is not null
		and e.air_date_utc + make_interval(mins => e.runtime) <= ${now.toISOString()}::timestamptz`;
}

export const episodeUpgradeCondition: SQL = sql`s.monitored and e.monitored and e.has_file and e.quality_cutoff_not_met`;

export const movieGapCondition: SQL = sql`m.monitored and not m.has_file and m.is_available`;

export const movieUpgradeCondition: SQL = sql`m.monitored and m.has_file and m.quality_cutoff_not_met`;
