/**
 * A large Sonarr mirror written straight into PostgreSQL (generate_series; what a full sync would
 * leave), for the benchmarks: `series × seasons × episodes` episodes, all aired a year ago or more,
 * `gaps` of them missing (a third in whole seasons, a third in half seasons, a third as one episode
 * per season) and `upgrades` whose file is below the cutoff, in the seasons after the gaps.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/lib/server/db';

export interface MirrorShape {
	series: number;
	seasons: number;
	episodes: number;
	gaps: number;
	upgrades: number;
}

/**
 * Writes the mirror of connector `cid`, then ANALYZEs.
 * @param now what "aired a year ago" counts from
 * @returns the counts as written
 */
export async function seedEpisodeMirror(
	db: Database,
	cid: number,
	shape: MirrorShape,
	now: Date
): Promise<{ episodes: number; gaps: number; upgrades: number }> {
	const {
		series: SERIES,
		seasons: SEASONS,
		episodes: EPISODES,
		gaps: GAPS,
		upgrades: UPGRADES
	} = shape;
	const NOW = now;
	await db.execute(sql`
		insert into series (connector_id, arr_id, title, monitored, status, year, tags)
		select ${cid}, g, 'Series ' || g, true, 'ended', 2000 + g % 25, '[]'::jsonb
		from generate_series(1, ${SERIES}) g`);
	await db.execute(sql`
		insert into seasons (connector_id, series_id, season_number, monitored, episode_count, total_episode_count, episode_file_count)
		select ${cid}, s.id, n, true, ${EPISODES}, ${EPISODES}, ${EPISODES}
		from series s cross join generate_series(1, ${SEASONS}) n where s.connector_id = ${cid}`);
	// Episode arr ids: (series − 1) × seasons × episodes + (season − 1) × episodes + number.
	await db.execute(sql`
		insert into episodes (connector_id, series_id, arr_id, season_number, episode_number, title,
			air_date_utc, runtime, monitored, has_file, episode_file_id, quality)
		select ${cid}, s.id, (s.arr_id - 1) * ${SEASONS * EPISODES} + (n - 1) * ${EPISODES} + k, n, k,
			'Episode ' || k,
			${NOW.toISOString()}::timestamptz - make_interval(days => 365 + (s.arr_id % 3000) + (${SEASONS} - n) * 90),
			45, true, true, (s.arr_id - 1) * ${SEASONS * EPISODES} + (n - 1) * ${EPISODES} + k, 'HDTV-720p'
		from series s cross join generate_series(1, ${SEASONS}) n cross join generate_series(1, ${EPISODES}) k
		where s.connector_id = ${cid}`);
	// Gaps: a third in whole seasons, a third in half seasons, a third as one episode per season.
	const third = Math.floor(GAPS / 3);
	const wholeSeasons = Math.floor(third / EPISODES);
	const halfSeasons = Math.floor(third / Math.ceil(EPISODES / 2));
	const singles = GAPS - wholeSeasons * EPISODES - halfSeasons * Math.ceil(EPISODES / 2);
	const seasonIndex = sql`((s.arr_id - 1) * ${SEASONS} + e.season_number - 1)`;
	await db.execute(sql`
		update episodes e set has_file = false, episode_file_id = null, quality = null
		from series s where s.id = e.series_id and e.connector_id = ${cid} and (
			${seasonIndex} < ${wholeSeasons}
			or (${seasonIndex} >= ${wholeSeasons} and ${seasonIndex} < ${wholeSeasons + halfSeasons}
				and e.episode_number <= ${Math.ceil(EPISODES / 2)})
			or (${seasonIndex} >= ${wholeSeasons + halfSeasons}
				and ${seasonIndex} < ${wholeSeasons + halfSeasons + singles} and e.episode_number = 1))`);
	// Upgrade candidates: files below the cutoff in the seasons after the gaps.
	const firstUpgradeSeason = wholeSeasons + halfSeasons + singles;
	await db.execute(sql`
		update episodes e set quality_cutoff_not_met = true
		from series s where s.id = e.series_id and e.connector_id = ${cid} and e.has_file
			and ${seasonIndex} >= ${firstUpgradeSeason}
			and ${seasonIndex} < ${firstUpgradeSeason + Math.ceil(UPGRADES / EPISODES)}
			and (${seasonIndex} - ${firstUpgradeSeason}) * ${EPISODES} + e.episode_number <= ${UPGRADES}`);
	await db.execute(sql`
		update seasons sn set episode_file_count = c.n
		from (select series_id, season_number, count(*) filter (where has_file)::int as n
		      from episodes where connector_id = ${cid} group by 1, 2) c
		where sn.series_id = c.series_id and sn.season_number = c.season_number`);
	await db.execute(sql`analyze`);
	const [counts] = await db.execute<{ episodes: number; gaps: number; upgrades: number }>(sql`
		select count(*)::int as episodes, count(*) filter (where not has_file)::int as gaps,
		       count(*) filter (where quality_cutoff_not_met)::int as upgrades
		from episodes where connector_id = ${cid}`);
	return {
		episodes: Number(counts?.episodes ?? 0),
		gaps: Number(counts?.gaps ?? 0),
		upgrades: Number(counts?.upgrades ?? 0)
	};
}
