/**
 * Priority of a search candidate, computed in SQL over the registry and the mirror (higher first).
 *
 *   base          gap 1000, upgrade 500 (gaps before upgrades)
 *   + recency     0..300: 300 on the day the item aired / was released, minus one per day since
 *                 (new content is the likeliest to be on the indexers)
 *   + fresh       +50 when the *arr app has never searched the item (`lastSearchTime` absent)
 *   − failures    −50 per earlier attempt of ours (no hammering for the unavailable)
 *
 * Expects aliases `r` (search_registry) and `e` (episodes) or `m` (movies).
 */
import { sql, type SQL } from 'drizzle-orm';

export const PRIORITY_WEIGHTS = {
	gap: 1000,
	upgrade: 500,
	recencyDays: 300,
	fresh: 50,
	perAttempt: 50
} as const;

function priority(date: SQL, lastSearch: SQL, now: Date): SQL {
	const w = PRIORITY_WEIGHTS;
	const at = sql`${now.toISOString()}::timestamptz`;
	return sql`(
		(case r.search_type when 'gap' then ${w.gap} else ${w.upgrade} end)
		+ greatest(0, ${w.recencyDays} - floor(extract(epoch from (${at} - coalesce(${date}, ${at} - interval '10 years'))) / 86400))::int
		+ (case when ${lastSearch} is null then ${w.fresh} else 0 end)
		- r.attempts * ${w.perAttempt}
	)::int`;
}

export function episodePriority(now: Date): SQL {
	return priority(sql`e.air_date_utc`, sql`e.last_search_time`, now);
}

export function moviePriority(now: Date): SQL {
	return priority(sql`coalesce(m.release_date, m.added)`, sql`m.last_search_time`, now);
}
