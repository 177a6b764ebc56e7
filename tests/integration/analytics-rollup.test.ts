/**
 * The `analytics.rollup` job (issue 11 §5) against a real PostgreSQL: every flow counted from its
 * events on the right local day of the General time zone, a re-run that changes nothing, levels
 * snapshotted only while their day is current, the scheduled run's day range and the 2-year prune.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	analyticsDaily,
	analyticsQuality,
	arrRequestStats,
	connectors,
	episodes,
	searchRegistry,
	type Connector
} from '../../src/lib/server/db/schema';
import { appendEvents } from '../../src/lib/server/db/queries/events';
import type { NewEvent } from '../../src/lib/types/events';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { updateSettings } from '../../src/lib/server/services/settings/settings-service';
import {
	ANALYTICS_RETENTION_DAYS,
	addDays,
	localDay,
	pruneAnalytics,
	rollupDays,
	rollupJob
} from '../../src/lib/server/services/analytics/rollup';
import { registeredJob } from '../../src/lib/server/services/schedule/registry';

const world = useWorld();
const NY = 'America/New_York';

let sonarr: Connector;

beforeEach(async () => {
	sonarr = await world.addConnector('/sonarr');
	// The connector has existed all year: roll-ups start at the day it was added.
	await world.db
		.update(connectors)
		.set({ createdAt: new Date('2026-01-01T00:00:00Z') })
		.where(eq(connectors.id, sonarr.id));
	await updateSettings(world.db, 'general', {
		displayName: 'Comradarr',
		timeZone: NY,
		logLevel: 'info'
	});
});

async function dayRow(connectorId: number, day: string) {
	const [row] = await world.db
		.select()
		.from(analyticsDaily)
		.where(and(eq(analyticsDaily.connectorId, connectorId), eq(analyticsDaily.day, day)));
	return row;
}

function at(iso: string): Date {
	return new Date(iso);
}

/** A day of activity of `connectorId` around 2026-06-09 (New York, UTC−4 in June). */
function activity(connectorId: number): NewEvent[] {
	const on = (iso: string, e: Omit<NewEvent, 'connectorId' | 'createdAt'>): NewEvent => ({
		...e,
		connectorId,
		createdAt: at(iso)
	});
	return [
		on('2026-06-09T12:00:00Z', {
			type: 'sweep.completed',
			payload: { kind: 'both', registryAdded: 7, gapsAdded: 5, upgradesAdded: 2 }
		}),
		// An older sweep event without the per-type counts: all it added were gaps.
		on('2026-06-09T13:00:00Z', {
			type: 'sweep.completed',
			payload: { kind: 'gaps', registryAdded: 3 }
		}),
		on('2026-06-09T14:00:00Z', {
			type: 'search.sent',
			subject: { commandId: 1, arrEpisodeIds: [11, 12, 13] },
			payload: { command: 'EpisodeSearch', searchCount: 3 }
		}),
		on('2026-06-09T14:05:00Z', {
			type: 'search.sent',
			subject: { commandId: 2, arrSeriesId: 4, seasonNumber: 1 },
			payload: { command: 'SeasonSearch', searchCount: 1 }
		}),
		// A season pack whose event recorded the 6 registry rows it searched (its queue rows are gone).
		on('2026-06-09T14:06:00Z', {
			type: 'search.sent',
			subject: { commandId: 3, arrSeriesId: 4, seasonNumber: 2 },
			payload: { command: 'SeasonSearch', searchCount: 1, itemCount: 6 }
		}),
		on('2026-06-09T15:00:00Z', {
			type: 'search.completed',
			payload: { outcome: 'completed', message: 'Episode search completed. 2 reports downloaded.' }
		}),
		on('2026-06-09T15:01:00Z', {
			type: 'search.completed',
			payload: { outcome: 'completed', message: 'Season search completed. 0 reports downloaded.' }
		}),
		on('2026-06-09T15:02:00Z', {
			type: 'search.completed',
			payload: { outcome: 'failed', message: 'Indexer NZBgeek returned HTTP 503' }
		}),
		// A command the tracker gave up on is not "finished".
		on('2026-06-09T15:03:00Z', {
			type: 'search.completed',
			payload: { outcome: 'unknown', message: null }
		}),
		on('2026-06-09T16:00:00Z', {
			type: 'item.acquired',
			subject: { seriesId: 1, episodeIds: [1, 2] },
			payload: { kind: 'episode' }
		}),
		on('2026-06-09T16:30:00Z', {
			type: 'item.upgraded',
			subject: { seriesId: 1, episodeIds: [3] },
			payload: { kind: 'episode' }
		}),
		on('2026-06-09T17:00:00Z', {
			type: 'search.exhausted',
			subject: { episodeIds: [5, 6] },
			payload: { items: 2 }
		})
	];
}

describe('analytics roll-up', () => {
	it('counts every flow of a day from its events and the request statistics', async () => {
		await appendEvents(world.db, activity(sonarr.id));
		await world.db.insert(arrRequestStats).values([
			{
				connectorId: sonarr.id,
				hour: at('2026-06-09T14:00:00Z'),
				requests: 10,
				errors: 1,
				totalMs: 1000,
				maxMs: 300
			},
			{
				connectorId: sonarr.id,
				hour: at('2026-06-09T15:00:00Z'),
				requests: 30,
				errors: 3,
				totalMs: 5000,
				maxMs: 900
			}
		]);
		const clock = () => at('2026-06-10T16:00:00Z');
		const result = await rollupDays({ db: world.db, clock }, '2026-06-09', '2026-06-10');
		expect(result).toMatchObject({
			from: '2026-06-09',
			to: '2026-06-10',
			today: '2026-06-10',
			timeZone: NY
		});

		expect(await dayRow(sonarr.id, '2026-06-09')).toMatchObject({
			gapsFound: 8,
			upgradesFound: 2,
			searchesSent: 3,
			// 3 named episodes + a season pack with no linked rows left: its cost (1) + a season pack
			// that recorded its 6 rows.
			itemsSearched: 10,
			grabs: 1,
			searchesFinished: 3,
			acquisitions: 2,
			upgrades: 1,
			exhausted: 2,
			arrRequests: 40,
			arrErrors: 4,
			arrResponseMsAvg: 150,
			arrResponseMsMax: 900
		});
		expect(await dayRow(sonarr.id, '2026-06-10')).toMatchObject({
			gapsFound: 0,
			searchesSent: 0,
			arrRequests: 0,
			arrResponseMsAvg: null
		});
	});

	it('puts an event at 03:30 UTC on the previous local day in America/New_York', async () => {
		await appendEvents(world.db, [
			{
				type: 'item.acquired',
				connectorId: sonarr.id,
				subject: { movieId: 1 },
				createdAt: at('2026-06-10T03:30:00Z')
			},
			{
				type: 'item.acquired',
				connectorId: sonarr.id,
				subject: { movieId: 2 },
				createdAt: at('2026-06-10T04:30:00Z')
			},
			{
				type: 'item.acquired',
				connectorId: sonarr.id,
				subject: { movieId: 3 },
				createdAt: at('2026-06-10T05:00:00Z')
			}
		]);
		await world.db.insert(arrRequestStats).values([
			{
				connectorId: sonarr.id,
				hour: at('2026-06-10T03:00:00Z'),
				requests: 1,
				errors: 0,
				totalMs: 10,
				maxMs: 10
			},
			{
				connectorId: sonarr.id,
				hour: at('2026-06-10T04:00:00Z'),
				requests: 5,
				errors: 0,
				totalMs: 50,
				maxMs: 10
			}
		]);
		expect(localDay(at('2026-06-10T03:30:00Z'), NY)).toBe('2026-06-09');
		await rollupJob({ db: world.db, clock: () => at('2026-06-10T12:00:00Z') });

		expect(await dayRow(sonarr.id, '2026-06-09')).toMatchObject({
			acquisitions: 1,
			arrRequests: 1
		});
		expect(await dayRow(sonarr.id, '2026-06-10')).toMatchObject({
			acquisitions: 2,
			arrRequests: 5
		});
	});

	it('gives the same rows when a day is rolled up again, and recounts rather than adds', async () => {
		await appendEvents(world.db, activity(sonarr.id));
		const clock = () => at('2026-06-10T16:00:00Z');
		await rollupDays({ db: world.db, clock }, '2026-06-09', '2026-06-10');
		const first = await dayRow(sonarr.id, '2026-06-09');
		await rollupDays({ db: world.db, clock }, '2026-06-09', '2026-06-10');
		const again = await dayRow(sonarr.id, '2026-06-09');
		expect({ ...again, computedAt: null }).toEqual({ ...first, computedAt: null });

		await appendEvents(world.db, [
			{
				type: 'search.sent',
				connectorId: sonarr.id,
				subject: { arrEpisodeIds: [1] },
				createdAt: at('2026-06-09T20:00:00Z')
			}
		]);
		await rollupDays({ db: world.db, clock }, '2026-06-09', '2026-06-09');
		expect(await dayRow(sonarr.id, '2026-06-09')).toMatchObject({
			searchesSent: 4,
			itemsSearched: 11
		});
		const count = await world.db.$count(analyticsDaily);
		expect(count).toBe(2);
	});

	it('snapshots the levels only while their day is current and keeps them afterwards', async () => {
		await syncConnector({
			db: world.db,
			connector: sonarr,
			client: clientFor(sonarr, world.secrets)
		});
		await runSweep({ db: world.db, connector: sonarr, kind: 'both' });
		const now = new Date();
		const today = localDay(now, NY);
		await rollupDays({ db: world.db, clock: () => now }, today, today);
		const gaps = await world.db.$count(
			searchRegistry,
			and(eq(searchRegistry.connectorId, sonarr.id), eq(searchRegistry.searchType, 'gap'))
		);
		/** Monitored episodes aired (or with a file) by `at`, and those with a file. */
		const mirrorAt = async (at: Date) => {
			const [row] = await world.db.execute<{ total: number; complete: number }>(sql`
				select count(*)::int as total, count(*) filter (where e.has_file)::int as complete
				from episodes e join series s on s.id = e.series_id
				where s.monitored and e.monitored
				  and (e.has_file or e.air_date_utc + make_interval(mins => e.runtime) <= ${at.toISOString()}::timestamptz)`);
			return row!;
		};
		const mirror = await mirrorAt(now);
		const [queued] = await world.db.execute<{ n: number }>(
			sql`select count(*)::int as n from request_queue where status = 'pending'`
		);
		expect(gaps).toBeGreaterThan(0);
		const snapshot = await dayRow(sonarr.id, today);
		expect(snapshot).toMatchObject({
			gapsOpen: gaps,
			queueDepth: queued!.n,
			itemsTotal: mirror.total,
			itemsComplete: mirror.complete
		});

		// With today's levels, the files by quality (a past day's run leaves them alone).
		const [files] = await world.db.execute<{ n: number }>(
			sql`select coalesce(sum(episode_files), 0)::int as n from analytics_quality`
		);
		const withFile = await world.db.$count(episodes, eq(episodes.hasFile, true));
		expect(withFile).toBeGreaterThan(0);
		expect(files!.n).toBe(withFile);
		await world.db.execute(sql`delete from analytics_quality`);
		await rollupDays({ db: world.db, clock: () => now }, addDays(today, -1), addDays(today, -1));
		expect(await world.db.$count(analyticsQuality)).toBe(0);

		// The next day: the registry emptied. Yesterday keeps its levels, today reads the new ones.
		await world.db.delete(searchRegistry);
		const tomorrow = new Date(now.getTime() + 86_400_000);
		await rollupDays({ db: world.db, clock: () => tomorrow }, today, addDays(today, 1));
		expect(await dayRow(sonarr.id, today)).toMatchObject({
			gapsOpen: gaps,
			itemsTotal: snapshot!.itemsTotal
		});
		// Its total is the mirror's a day later: an episode of the simulator may air in between.
		expect(await dayRow(sonarr.id, addDays(today, 1))).toMatchObject({
			gapsOpen: 0,
			upgradeCandidates: 0,
			itemsTotal: (await mirrorAt(tomorrow)).total
		});
	});

	it('runs hourly as a registered job that backfills from the oldest event, then only recent days', async () => {
		const job = registeredJob('analytics.rollup');
		expect(job?.defaultPattern).toBe('5 * * * *');
		await appendEvents(world.db, [
			{ type: 'search.sent', connectorId: sonarr.id, createdAt: at('2026-06-01T15:00:00Z') }
		]);
		// A connector added on June 4 (local) gets no rows for the days before.
		const radarr = await world.addConnector('/radarr');
		await world.db
			.update(connectors)
			.set({ createdAt: at('2026-06-04T12:00:00Z') })
			.where(eq(connectors.id, radarr.id));
		const outcome = await rollupJob({ db: world.db, clock: () => at('2026-06-05T15:00:00Z') });
		expect(outcome.result).toMatchObject({ from: '2026-06-01', to: '2026-06-05', rows: 5 + 2 });
		const later = await rollupJob({ db: world.db, clock: () => at('2026-06-07T15:00:00Z') });
		expect(later.result).toMatchObject({ from: '2026-06-05', to: '2026-06-07', rows: 3 + 3 });
		expect(await dayRow(sonarr.id, '2026-06-01')).toMatchObject({ searchesSent: 1 });
	});

	it('prunes roll-ups older than two years', async () => {
		const now = at('2026-06-10T12:00:00Z');
		const cutoff = addDays('2026-06-10', -ANALYTICS_RETENTION_DAYS);
		await world.db.insert(analyticsDaily).values([
			{ connectorId: sonarr.id, day: addDays(cutoff, -1) },
			{ connectorId: sonarr.id, day: cutoff }
		]);
		expect(await pruneAnalytics(world.db, now)).toBe(1);
		expect((await world.db.select().from(analyticsDaily)).map((r) => r.day)).toEqual([cutoff]);
	});
});
