/**
 * The analytics read model and its API (issue 11 §6): `GET /api/v1/analytics` sums the roll-ups
 * per day and per connector, ranks the most searched and hardest-to-find items, counts files by
 * quality from the mirror, refuses a bad range with 400 naming the field, and
 * `GET /api/v1/analytics/export` answers each table as an escaped CSV attachment.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import {
	analyticsDaily,
	connectors,
	searchHistory,
	searchRegistry,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { updateSettings } from '../../src/lib/server/services/settings/settings-service';
import { getAnalytics } from '../../src/lib/server/services/analytics/read-model';
import { addDays, localDay, rollupJob } from '../../src/lib/server/services/analytics/rollup';
import type { AnalyticsView } from '../../src/lib/types/analytics';
import { ANALYTICS_EXPORTS } from '../../src/lib/types/analytics';
import * as analyticsRoute from '../../src/routes/api/v1/analytics/+server';
import * as exportRoute from '../../src/routes/api/v1/analytics/export/+server';

const world = useWorld();
useTestRuntime(world);
const TZ = 'Europe/Berlin';

beforeEach(async () => {
	await updateSettings(world.db, 'general', {
		displayName: 'Comradarr',
		timeZone: TZ,
		logLevel: 'info'
	});
});

type Handler = (event: RequestEvent) => Promise<Response> | Response;

async function get(handler: unknown, path: string): Promise<Response> {
	const url = new URL(`http://comradarr.lan${path}`);
	const event = {
		url,
		request: new Request(url),
		params: {},
		locals: {}
	} as unknown as RequestEvent;
	return (handler as Handler)(event);
}

async function synced(urlBase: '/sonarr' | '/radarr'): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'both' });
	return world.connector(connector.id);
}

/** Two connectors with two days of roll-ups each. */
async function seedRollups(): Promise<{ a: Connector; b: Connector }> {
	const a = await world.addConnector('/sonarr', 'Sonarr');
	const b = await world.addConnector('/radarr', 'Radarr');
	await world.db.insert(analyticsDaily).values([
		{
			connectorId: a.id,
			day: '2026-05-01',
			gapsFound: 4,
			searchesSent: 10,
			searchesFinished: 8,
			grabs: 2,
			queueDepth: 5,
			gapsOpen: 40,
			itemsTotal: 100,
			itemsComplete: 60,
			arrRequests: 100,
			arrErrors: 5,
			arrResponseMsAvg: 100
		},
		{
			connectorId: b.id,
			day: '2026-05-01',
			gapsFound: 1,
			searchesSent: 2,
			searchesFinished: 2,
			grabs: 2,
			queueDepth: 1,
			gapsOpen: 10,
			itemsTotal: 100,
			itemsComplete: 90,
			arrRequests: 300,
			arrErrors: 0,
			arrResponseMsAvg: 20
		},
		{
			connectorId: a.id,
			day: '2026-05-02',
			searchesSent: 4,
			searchesFinished: 4,
			grabs: 1,
			arrRequests: 300,
			arrErrors: 15,
			arrResponseMsAvg: 300
		},
		// Outside the range asked for.
		{ connectorId: a.id, day: '2026-05-03', gapsFound: 99, searchesSent: 99 }
	]);
	return { a, b };
}

async function view(path: string): Promise<AnalyticsView> {
	const response = await get(analyticsRoute.GET, path);
	expect(response.status).toBe(200);
	return (await response.json()) as AnalyticsView;
}

describe('analytics API', () => {
	it('sums the roll-ups per day over every connector, or for one', async () => {
		const { a } = await seedRollups();
		const all = await view('/api/v1/analytics?from=2026-05-01&to=2026-05-02');
		expect(all).toMatchObject({
			from: '2026-05-01',
			to: '2026-05-02',
			timeZone: TZ,
			hasRollups: true
		});
		expect(all.series).toEqual([
			expect.objectContaining({
				day: '2026-05-01',
				gapsFound: 5,
				searchesSent: 12,
				searchesFinished: 10,
				grabs: 4,
				successRate: 0.4,
				queueDepth: 6,
				gapsOpen: 50,
				completion: 75
			}),
			// Rolled up only after the day: no level snapshot, so no level.
			expect.objectContaining({
				day: '2026-05-02',
				successRate: 0.25,
				queueDepth: null,
				completion: null
			})
		]);
		const one = await view(`/api/v1/analytics?from=2026-05-01&to=2026-05-01&connectorId=${a.id}`);
		expect(one.series).toEqual([
			expect.objectContaining({
				day: '2026-05-01',
				searchesSent: 10,
				successRate: 0.25,
				completion: 60
			})
		]);
	});

	it('compares connectors by success rate, mean response time over every request and error rate', async () => {
		const { a, b } = await seedRollups();
		const { connectors: rows } = await view('/api/v1/analytics?from=2026-05-01&to=2026-05-02');
		expect(rows).toEqual([
			expect.objectContaining({
				connectorId: b.id,
				name: 'Radarr',
				successRate: 1,
				errorRate: 0,
				responseMsAvg: 20
			}),
			expect.objectContaining({
				connectorId: a.id,
				name: 'Sonarr',
				searchesFinished: 12,
				grabs: 3,
				successRate: 0.25,
				arrRequests: 400,
				errorRate: 0.05,
				// (100 × 100 ms + 300 × 300 ms) / 400
				responseMsAvg: 250
			})
		]);
	});

	it('ranks the items searched most in the range and the hardest to find, and counts files by quality', async () => {
		const sonarr = await synced('/sonarr');
		const radarr = await synced('/radarr');
		const entry = (
			label: string,
			finishedAt: string,
			message = 'Episode search completed. 0 reports downloaded.'
		) => ({
			connectorId: sonarr.id,
			command: 'EpisodeSearch' as const,
			searchType: 'gap' as const,
			searchCount: 1,
			label,
			payload: { name: 'EpisodeSearch' as const, episodeIds: [1] },
			outcome: 'completed' as const,
			message,
			finishedAt: new Date(finishedAt)
		});
		await world.db.insert(searchHistory).values([
			entry('Show A — S01E01', '2026-05-01T10:00:00Z'),
			entry(
				'Show A — S01E01',
				'2026-05-02T10:00:00Z',
				'Episode search completed. 1 report downloaded.'
			),
			entry(
				'Show A — S01E01',
				'2026-05-02T11:00:00Z',
				'Completed search for 0 episodes. 0 reports downloaded.'
			),
			entry(
				'Show B — S02E01',
				'2026-05-02T12:00:00Z',
				'Season search completed. 10 reports downloaded.'
			),
			// 22:30 UTC on April 30 is May 1 in Berlin: inside.
			entry('Show C — S03E01', '2026-04-30T22:30:00Z'),
			// 23:30 UTC on May 2 is May 3 in Berlin: outside the range.
			entry('Show B — S02E01', '2026-05-02T23:30:00Z'),
			entry('Show B — S02E01', '2026-05-02T23:40:00Z')
		]);
		const [movie] = await world.db
			.select()
			.from(searchRegistry)
			.where(eq(searchRegistry.connectorId, radarr.id))
			.limit(1);
		const [episode] = await world.db
			.select()
			.from(searchRegistry)
			.where(eq(searchRegistry.connectorId, sonarr.id))
			.limit(1);
		await world.db
			.update(searchRegistry)
			.set({ attempts: 10, state: 'exhausted' })
			.where(eq(searchRegistry.id, movie!.id));
		await world.db
			.update(searchRegistry)
			.set({ attempts: 10, state: 'cooldown' })
			.where(eq(searchRegistry.id, episode!.id));

		// The quality distribution is the roll-up's count of the mirror.
		expect((await view('/api/v1/analytics')).quality).toEqual([]);
		await rollupJob({ db: world.db, clock: () => new Date() });
		const result = await view('/api/v1/analytics?from=2026-05-01&to=2026-05-02');
		expect(result.mostSearched.map((r) => [r.label, r.searches, r.grabs])).toEqual([
			['Show A — S01E01', 3, 1],
			['Show B — S02E01', 1, 1],
			['Show C — S03E01', 1, 0]
		]);
		expect(result.hardestToFind.slice(0, 2)).toEqual([
			expect.objectContaining({
				connectorId: radarr.id,
				attempts: 10,
				state: 'exhausted',
				href: `/movies/${movie!.movieId}`
			}),
			expect.objectContaining({
				connectorId: sonarr.id,
				attempts: 10,
				state: 'cooldown',
				href: `/series/${episode!.seriesId}`
			})
		]);
		expect(result.hardestToFind[1]!.label).toMatch(/ — S\d{2}E\d{2}/);

		const expected = await world.db.execute<{
			quality: string;
			episodes: number;
			movies: number;
		}>(sql`
			select coalesce(quality, 'Unknown') as quality,
				count(*) filter (where kind = 'e')::int as episodes, count(*) filter (where kind = 'm')::int as movies
			from (select quality, 'e' as kind from episodes where has_file
				union all select quality, 'm' from movies where has_file) f
			group by 1`);
		expect(expected.length).toBeGreaterThan(1);
		const byQuality = new Map(result.quality.map((q) => [q.quality, q]));
		expect(byQuality.size).toBe(expected.length);
		for (const row of expected) {
			expect(byQuality.get(row.quality)).toEqual({
				quality: row.quality,
				episodeFiles: row.episodes,
				movieFiles: row.movies
			});
		}
		const onlyMovies = await view(`/api/v1/analytics?connectorId=${radarr.id}`);
		expect(onlyMovies.quality.every((q) => q.episodeFiles === 0)).toBe(true);
	});

	it('defaults to the last 30 local days and says when there are no roll-ups yet', async () => {
		const today = localDay(new Date(), TZ);
		const result = await view('/api/v1/analytics');
		expect(result).toMatchObject({
			from: addDays(today, -29),
			to: today,
			hasRollups: false,
			series: []
		});
	});

	it('refuses a bad range with 400 naming the field', async () => {
		const cases: [string, string][] = [
			['from=2026-02-30', 'from'],
			['to=yesterday', 'to'],
			['from=2026-05-02&to=2026-05-01', 'to'],
			['from=2024-01-01&to=2026-01-02', 'from'],
			['connectorId=abc', 'connectorId']
		];
		for (const [query, field] of cases) {
			const response = await get(analyticsRoute.GET, `/api/v1/analytics?${query}`);
			expect(response.status, query).toBe(400);
			const body = (await response.json()) as {
				error: { code: string; fields: Record<string, string> };
			};
			expect(body.error.code).toBe('validation.failed');
			expect(Object.keys(body.error.fields), query).toEqual([field]);
		}
		// Exactly two years is allowed.
		expect(
			(await get(analyticsRoute.GET, '/api/v1/analytics?from=2024-01-01&to=2025-12-31')).status
		).toBe(200);
	});

	it('exports every table as a CSV attachment with a header row and escaped fields', async () => {
		const { a } = await seedRollups();
		const response = await get(
			exportRoute.GET,
			'/api/v1/analytics/export?table=daily&from=2026-05-01&to=2026-05-02'
		);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(response.headers.get('content-disposition')).toBe(
			'attachment; filename="comradarr-analytics-daily-2026-05-01-to-2026-05-02.csv"'
		);
		const lines = (await response.text()).split('\r\n');
		expect(lines[0]).toBe(
			'day,gaps_found,upgrades_found,searches_sent,items_searched,searches_finished,grabs,success_rate,acquisitions,upgrades,exhausted,queue_depth,gaps_open,completion_percent'
		);
		expect(lines[1]).toBe('2026-05-01,5,0,12,0,10,4,0.4,0,0,0,6,50,75');
		expect(lines[2]).toBe('2026-05-02,0,0,4,0,4,1,0.25,0,0,0,,,');
		expect(lines[3]).toBe('');

		await world.db
			.update(connectors)
			.set({ name: '=cmd, "quoted"' })
			.where(eq(connectors.id, a.id));
		const csv = await (
			await get(
				exportRoute.GET,
				'/api/v1/analytics/export?table=connectors&from=2026-05-01&to=2026-05-02'
			)
		).text();
		expect(csv.split('\r\n')[0]).toBe(
			'connector_id,connector,type,searches_sent,searches_finished,grabs,success_rate,arr_requests,arr_errors,error_rate,response_ms_avg'
		);
		expect(csv).toContain(`${a.id},"'=cmd, ""quoted""",sonarr,14,12,3,0.25,400,20,0.05,250\r\n`);

		for (const table of ANALYTICS_EXPORTS) {
			const r = await get(exportRoute.GET, `/api/v1/analytics/export?table=${table}`);
			expect(r.status, table).toBe(200);
			const header = (await r.text()).split('\r\n')[0]!;
			expect(header.split(',').length, table).toBeGreaterThan(1);
		}
		const bad = await get(exportRoute.GET, '/api/v1/analytics/export?table=secrets');
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { fields: object } }).error.fields).toHaveProperty(
			'table'
		);
	});

	it('reads the same view through the service as through the API', async () => {
		await seedRollups();
		const direct = await getAnalytics(
			{ db: world.db, clock: () => new Date() },
			{ from: '2026-05-01', to: '2026-05-02' }
		);
		expect(await view('/api/v1/analytics?from=2026-05-01&to=2026-05-02')).toEqual(
			JSON.parse(JSON.stringify(direct))
		);
	});
});
