/**
 * The dashboard's read model (services/dashboard) against a real PostgreSQL and the *arr
 * simulator: completion equals the mirror's own count of monitored items with a file, the
 * sparklines come from the roll-up rows of the last 30 local days, the activity feed speaks in
 * sentences that link to the item and pages by id, the upcoming sweeps are the enabled schedules'
 * next runs in order, and a running job is listed with its progress.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	analyticsDaily,
	jobRuns,
	sweepSchedules,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { appendEvents } from '../../src/lib/server/db/queries/events';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import {
	activityFeed,
	connectorTrends,
	dashboardOverview,
	libraryCompletion,
	liveJobs,
	upcomingSweeps
} from '../../src/lib/server/services/dashboard';

const world = useWorld();

async function synced(base: string, name?: string): Promise<Connector> {
	const connector = await world.addConnector(base, name);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	return world.connector(connector.id);
}

describe('library completion', () => {
	it('counts the monitored episodes and movies with a file, of those aired or released, as the mirror holds them', async () => {
		const sonarr = await synced('/sonarr');
		const radarr = await synced('/radarr');
		// Sonarr's statistics: episodeCount = (monitored and aired) or has a file; files = has a file.
		const [episodes] = await world.db.execute<{ complete: number; total: number }>(sql`
			select count(*) filter (where e.has_file)::int as complete, count(*)::int as total
			from episodes e join series s on s.id = e.series_id
			where s.monitored and e.connector_id = ${sonarr.id}
			  and ((e.monitored and e.air_date_utc <= now()) or e.has_file)`);
		// A monitored movie not released yet counts for nothing (the roll-up's completion does the same).
		const [unreleased] = await world.db.execute<{ n: number }>(sql`
			select count(*)::int as n from movies
			where monitored and not has_file and not is_available and connector_id = ${radarr.id}`);
		expect(unreleased!.n, 'the simulator has unreleased monitored movies').toBeGreaterThan(0);
		const [films] = await world.db.execute<{ complete: number; total: number }>(sql`
			select count(*) filter (where has_file)::int as complete, count(*)::int as total
			from movies where monitored and (has_file or is_available) and connector_id = ${radarr.id}`);
		expect(episodes!.total).toBeGreaterThan(episodes!.complete);
		expect(films!.total).toBeGreaterThan(films!.complete);
		const completion = await libraryCompletion(world.db);
		expect(completion.get(sonarr.id)).toEqual({
			connectorId: sonarr.id,
			complete: episodes!.complete,
			total: episodes!.total,
			ratio: episodes!.complete / episodes!.total,
			unit: 'episodes'
		});
		expect(completion.get(radarr.id)).toEqual({
			connectorId: radarr.id,
			complete: films!.complete,
			total: films!.total,
			ratio: films!.complete / films!.total,
			unit: 'movies'
		});
	});

	it('leaves out unmonitored series and a connector with nothing monitored', async () => {
		const sonarr = await synced('/sonarr');
		const before = (await libraryCompletion(world.db)).get(sonarr.id)!;
		const [one] = await world.db.execute<{ id: number; n: number }>(sql`
			select s.id, coalesce(sum(n.episode_count), 0)::int as n
			from series s join seasons n on n.series_id = s.id
			where s.connector_id = ${sonarr.id} and s.monitored
			group by s.id having sum(n.episode_count) > 0 order by s.id limit 1`);
		await world.db.execute(sql`update series set monitored = false where id = ${one!.id}`);
		expect((await libraryCompletion(world.db)).get(sonarr.id)!.total).toBe(before.total - one!.n);
		await world.db.execute(
			sql`update series set monitored = false where connector_id = ${sonarr.id}`
		);
		expect((await libraryCompletion(world.db)).has(sonarr.id)).toBe(false);
	});
});

describe('trends from the daily roll-ups', () => {
	it('draw the last 30 local days, oldest first, and nothing before the first roll-up', async () => {
		const radarr = await world.addConnector('/radarr');
		// 02:00 UTC on 1 June is still 31 May in New York: the window is 2 May – 31 May.
		const now = new Date('2026-06-01T02:00:00Z');
		const timeZone = 'America/New_York';
		expect(await connectorTrends(world.db, { now, timeZone })).toEqual(new Map());
		const row = (day: string, complete: number, grabs: number, finished: number) => ({
			connectorId: radarr.id,
			day,
			itemsTotal: 200,
			itemsComplete: complete,
			grabs,
			searchesFinished: finished
		});
		await world.db
			.insert(analyticsDaily)
			.values([
				row('2026-05-01', 10, 9, 9),
				row('2026-05-02', 100, 1, 4),
				row('2026-05-20', 150, 0, 0),
				row('2026-05-31', 180, 3, 4),
				row('2026-06-01', 199, 5, 5)
			]);
		const trend = (await connectorTrends(world.db, { now, timeZone })).get(radarr.id)!;
		expect(trend.points).toEqual([
			{ day: '2026-05-02', completion: 0.5, successRate: 0.25, grabs: 1, searchesFinished: 4 },
			{ day: '2026-05-20', completion: 0.75, successRate: null, grabs: 0, searchesFinished: 0 },
			{ day: '2026-05-31', completion: 0.9, successRate: 0.75, grabs: 3, searchesFinished: 4 }
		]);
		expect(trend).toMatchObject({ grabs: 4, searchesFinished: 8, successRate: 0.5 });
		const overview = await dashboardOverview(world.db, { now, timeZone });
		expect(overview.successRate).toEqual({ rate: 0.5, grabs: 4, searchesFinished: 8 });
	});
});

describe('activity feed', () => {
	it('says what happened in sentences that link to the item', async () => {
		const sonarr = await synced('/sonarr', 'My Sonarr');
		const radarr = await synced('/radarr', 'My Radarr');
		const [movie] = await world.db.execute<{
			id: number;
			arr_id: number;
			title: string;
			year: number;
		}>(
			sql`select id, arr_id, title, year from movies where connector_id = ${radarr.id} order by id limit 1`
		);
		const [episode] = await world.db.execute<{
			id: number;
			arr_id: number;
			series_id: number;
			title: string;
			season_number: number;
			episode_number: number;
		}>(sql`
			select e.id, e.arr_id, e.series_id, s.title, e.season_number, e.episode_number
			from episodes e join series s on s.id = e.series_id
			where e.connector_id = ${sonarr.id} and e.episode_number is not null order by e.id limit 1`);
		const code = `S${String(episode!.season_number).padStart(2, '0')}E${String(episode!.episode_number).padStart(2, '0')}`;
		await world.db.execute(sql`delete from events`);
		await appendEvents(world.db, [
			{
				type: 'item.acquired',
				connectorId: radarr.id,
				subject: { movieId: movie!.id, arrMovieId: movie!.arr_id },
				payload: { kind: 'movie', title: movie!.title, quality: 'Bluray-1080p' }
			},
			{
				type: 'search.sent',
				connectorId: sonarr.id,
				subject: { arrEpisodeIds: [episode!.arr_id] },
				payload: { label: 'not shown', searchCount: 1 }
			},
			{
				type: 'search.completed',
				connectorId: sonarr.id,
				subject: { commandId: 1, arrEpisodeIds: [episode!.arr_id] },
				payload: { label: `${episode!.title} — ${code}`, outcome: 'completed', failure: null }
			},
			{
				type: 'item.acquired',
				connectorId: sonarr.id,
				subject: { seriesId: episode!.series_id, episodeIds: [episode!.id] },
				payload: { kind: 'episode', qualities: ['HDTV-720p'] }
			},
			{
				type: 'connector.health_changed',
				connectorId: sonarr.id,
				payload: { from: 'healthy', to: 'offline', reason: 'Connection refused' }
			},
			{
				type: 'sweep.completed',
				connectorId: radarr.id,
				payload: { gaps: 12, upgrades: 1, queuedSearches: 4 }
			}
		]);
		const { entries, nextBefore } = await activityFeed(world.db);
		expect(nextBefore).toBeNull();
		expect(entries.map((e) => [e.category, e.text, e.href, e.problem])).toEqual([
			[
				'discovery',
				'Sweep of My Radarr found 12 missing items and 1 upgrade candidate, and queued 4 searches.',
				'/queue',
				false
			],
			[
				'health',
				'My Sonarr is offline (was healthy): Connection refused',
				`/connectors/${sonarr.id}`,
				true
			],
			[
				'acquisition',
				`Acquired ${episode!.title} ${code} on My Sonarr (HDTV-720p).`,
				`/series/${episode!.series_id}`,
				false
			],
			[
				'search',
				`Search for ${episode!.title} — ${code} on My Sonarr grabbed a release.`,
				`/series/${episode!.series_id}`,
				false
			],
			[
				'acquisition',
				`Acquired ${movie!.title} (${movie!.year}) on My Radarr (Bluray-1080p).`,
				`/movies/${movie!.id}`,
				false
			]
		]);
	});

	it('an event about an item no longer in the mirror names it but links nowhere', async () => {
		const radarr = await world.addConnector('/radarr', 'Gone Radarr');
		await world.db.execute(sql`delete from events`);
		await appendEvents(world.db, [
			{
				type: 'item.acquired',
				connectorId: radarr.id,
				subject: { movieId: 2_000_000_000 },
				payload: { kind: 'movie', title: 'Removed Movie', quality: 'DVD' }
			},
			{
				type: 'item.acquired',
				connectorId: radarr.id,
				subject: { seriesId: 2_000_000_000, episodeIds: [2_000_000_001] },
				payload: { kind: 'episode', title: 'Removed Series', qualities: ['DVD'] }
			}
		]);
		const { entries } = await activityFeed(world.db);
		expect(entries.map((e) => e.href)).toEqual([null, null]);
		expect(entries[1]!.text).toContain('Removed Movie');
	});

	it('pages backwards by id, 20 at a time, until the first event', async () => {
		const radarr = await world.addConnector('/radarr', 'R');
		await appendEvents(
			world.db,
			Array.from({ length: 25 }, (_, i) => ({
				type: 'sweep.completed' as const,
				connectorId: radarr.id,
				payload: { gaps: i, upgrades: 0, queuedSearches: 0 }
			}))
		);
		const first = await activityFeed(world.db);
		expect(first.entries).toHaveLength(20);
		expect(first.entries[0]!.text).toBe(
			'Sweep of R found 24 missing items and 0 upgrade candidates.'
		);
		expect(first.nextBefore).toBe(first.entries[19]!.id);
		const second = await activityFeed(world.db, { before: first.nextBefore! });
		expect(second.entries.map((e) => e.text)).toEqual(
			[4, 3, 2, 1, 0].map(
				(n) =>
					`Sweep of R found ${n === 1 ? '1 missing item' : `${n} missing items`} and 0 upgrade candidates.`
			)
		);
		expect(second.nextBefore).toBeNull();
		expect(Math.max(...second.entries.map((e) => e.id))).toBeLessThan(first.nextBefore!);
	});
});

describe('upcoming sweeps and running jobs', () => {
	it('lists the enabled schedules by their next run, and a running job with its progress', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Series box');
		const radarr = await world.addConnector('/radarr', 'Film box');
		await world.db.delete(sweepSchedules);
		await world.db.insert(sweepSchedules).values([
			{ connectorId: sonarr.id, sweepType: 'gaps', cron: '0 3 * * *', timezone: 'UTC' },
			{ connectorId: radarr.id, sweepType: 'both', cron: '30 1 * * *', timezone: 'UTC' },
			{
				connectorId: radarr.id,
				sweepType: 'upgrades',
				cron: '15 0 * * *',
				timezone: 'UTC',
				enabled: false
			}
		]);
		const now = new Date('2026-06-01T00:10:00Z');
		expect(
			(await upcomingSweeps(world.db, now)).map((s) => [s.connectorName, s.sweepType, s.nextRunAt])
		).toEqual([
			['Film box', 'both', '2026-06-01T01:30:00.000Z'],
			['Series box', 'gaps', '2026-06-01T03:00:00.000Z']
		]);

		await world.db.insert(jobRuns).values([
			{ job: 'sync.full', status: 'success', connectorId: sonarr.id },
			{
				job: 'sync.full',
				status: 'running',
				connectorId: radarr.id,
				phase: 'movies',
				done: 30,
				total: 120,
				progress: 0.25,
				message: 'Reading movies (30 of 120)'
			}
		]);
		const running = await liveJobs(world.db);
		expect(running).toHaveLength(1);
		expect(running[0]!.label).toBe('Full sync of Film box');
		expect(running[0]!.run).toMatchObject({
			job: 'sync.full',
			status: 'running',
			progress: 0.25,
			message: 'Reading movies (30 of 120)'
		});
	});
});
