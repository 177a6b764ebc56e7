/**
 * Library completion now, per connector: monitored items that have a file, of all monitored.
 *
 * Cheap by construction (issue 11 §9), never a count over the episodes:
 * - a series library sums its seasons' statistics — Sonarr's own `SeasonStatisticsResource`
 *   (`episodeFileCount` of `episodeCount`: monitored episodes that aired or have a file), kept by
 *   every sync — over the monitored series: one row per season, a tenth of the episodes or less;
 * - a movie library counts its monitored movies that have a file or are available (Radarr's
 *   `isAvailable`: released, past the profile's minimum availability) — the movie counterpart of
 *   an aired episode, and exactly what the analytics roll-up records as completion, so a ring and
 *   the last point of its own sparkline agree.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import type { CompletionView } from '../../../types/dashboard';

/**
 * Completion of every connector that has a mirror, keyed by connector id (a connector without
 * monitored items is left out).
 */
export async function libraryCompletion(db: DbOrTx): Promise<Map<number, CompletionView>> {
	const [seasonRows, movieRows] = await Promise.all([
		db.execute<{ connector_id: number; complete: number; total: number }>(sql`
			select n.connector_id, coalesce(sum(least(n.episode_file_count, n.episode_count)), 0)::int as complete,
			       coalesce(sum(n.episode_count), 0)::int as total
			from seasons n join series s on s.id = n.series_id
			where s.monitored
			group by n.connector_id`),
		db.execute<{ connector_id: number; complete: number; total: number }>(sql`
			select connector_id, count(*) filter (where has_file)::int as complete, count(*)::int as total
			from movies where monitored and (has_file or is_available)
			group by connector_id`)
	]);
	const out = new Map<number, CompletionView>();
	for (const [rows, unit] of [
		[seasonRows, 'episodes'],
		[movieRows, 'movies']
	] as const) {
		for (const r of rows) {
			if (r.total === 0) continue;
			out.set(r.connector_id, {
				connectorId: r.connector_id,
				complete: r.complete,
				total: r.total,
				ratio: r.complete / r.total,
				unit
			});
		}
	}
	return out;
}
