/**
 * The series and movie pages' history (issue 11 §3): the searches sent for an item, matched by
 * the app's ids in the command body, and the events about it, matched by our ids — and nothing
 * of another item or another connector. Also the page's metadata: quality profile, tags and the
 * app's own last search.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { and, eq, isNotNull, ne, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	episodes,
	events,
	movies,
	qualityProfiles,
	searchHistory,
	series,
	type Connector
} from '../../src/lib/server/db/schema';
import type { SearchCommandBody } from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { getItemHistory } from '../../src/lib/server/services/items/item-history';
import { getMovieDetail, getSeriesDetail } from '../../src/lib/server/services/items/item-detail';
import type { NewEvent } from '../../src/lib/types/events';

const world = useWorld();

async function synced(urlBase: '/sonarr' | '/radarr', name?: string): Promise<Connector> {
	const connector = await world.addConnector(urlBase, name);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	return world.connector(connector.id);
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

async function searched(
	connectorId: number,
	payload: SearchCommandBody,
	label: string,
	finishedAt: Date,
	message: string | null = null
): Promise<void> {
	await world.db.insert(searchHistory).values({
		connectorId,
		command: payload.name,
		searchType: 'gap',
		searchCount: 1,
		label,
		payload,
		outcome: 'completed',
		message,
		finishedAt
	});
}

async function happened(event: NewEvent & { createdAt: Date }): Promise<void> {
	await world.db.insert(events).values({
		type: event.type,
		connectorId: event.connectorId,
		subject: event.subject ?? {},
		payload: event.payload ?? {},
		createdAt: event.createdAt
	});
}

async function seriesTarget(id: number) {
	const detail = await getSeriesDetail(world.db, id);
	const eps = detail.seasons.flatMap((s) => s.episodes);
	return {
		detail,
		eps,
		target: {
			kind: 'series' as const,
			connectorId: detail.connector.id,
			id: detail.id,
			arrId: detail.arrId,
			episodeIds: eps.map((e) => e.id),
			arrEpisodeIds: eps.map((e) => e.arrId)
		}
	};
}

describe('item history', () => {
	let sonarr: Connector;
	let other: Connector;
	beforeEach(async () => {
		sonarr = await synced('/sonarr');
		other = await synced('/sonarr', 'Another Sonarr');
	});

	it("a series' searches and events, newest first, and none of another series or connector", async () => {
		const [a, b] = await world.db
			.select()
			.from(series)
			.where(eq(series.connectorId, sonarr.id))
			.orderBy(series.id)
			.limit(2);
		const { eps, target } = await seriesTarget(a!.id);
		const [e1, e2] = eps;
		const [bEpisode] = await world.db
			.select()
			.from(episodes)
			.where(eq(episodes.seriesId, b!.id))
			.limit(1);
		const [otherSeries] = await world.db
			.select()
			.from(series)
			.where(and(eq(series.connectorId, other.id), eq(series.arrId, a!.arrId)));

		// Ours: an episode search naming one of its episodes, and two season searches.
		await searched(
			sonarr.id,
			{ name: 'EpisodeSearch', episodeIds: [bEpisode!.arrId, e1!.arrId] },
			'mixed',
			minutesAgo(50),
			'Episode search completed. 2 reports downloaded.'
		);
		await searched(
			sonarr.id,
			{ name: 'SeasonSearch', seriesId: a!.arrId, seasonNumber: 1 },
			'season',
			minutesAgo(40)
		);
		await searched(
			sonarr.id,
			{ name: 'SeasonSearch', seriesId: a!.arrId, seasonNumber: 2 },
			'series',
			minutesAgo(30)
		);
		// Not ours: another series, and the same app ids on another connector.
		await searched(
			sonarr.id,
			{ name: 'EpisodeSearch', episodeIds: [bEpisode!.arrId] },
			'other series',
			minutesAgo(20)
		);
		await searched(
			sonarr.id,
			{ name: 'SeasonSearch', seriesId: b!.arrId, seasonNumber: 1 },
			'other season',
			minutesAgo(20)
		);
		await searched(
			other.id,
			{ name: 'SeasonSearch', seriesId: a!.arrId, seasonNumber: 2 },
			'other connector',
			minutesAgo(10)
		);

		await happened({
			type: 'item.acquired',
			connectorId: sonarr.id,
			subject: { seriesId: a!.id, episodeIds: [e1!.id, e2!.id] },
			payload: { kind: 'episode', qualities: ['WEBDL-1080p', 'HDTV-720p'] },
			createdAt: minutesAgo(35)
		});
		await happened({
			type: 'search.exhausted',
			connectorId: sonarr.id,
			subject: { commandId: 1, episodeIds: [e2!.id] },
			payload: { attempts: 10 },
			createdAt: minutesAgo(25)
		});
		// Left out: a search.completed (its history row says it), and events of other items.
		await happened({
			type: 'search.completed',
			connectorId: sonarr.id,
			subject: { seriesId: a!.id },
			createdAt: minutesAgo(29)
		});
		await happened({
			type: 'item.acquired',
			connectorId: sonarr.id,
			subject: { seriesId: b!.id, episodeIds: [bEpisode!.id] },
			createdAt: minutesAgo(15)
		});
		await happened({
			type: 'item.acquired',
			connectorId: other.id,
			subject: { seriesId: otherSeries!.id },
			createdAt: minutesAgo(5)
		});

		const history = await getItemHistory(world.db, target);
		expect(history.map((h) => (h.kind === 'search' ? h.label : h.type))).toEqual([
			'search.exhausted',
			'series',
			'item.acquired',
			'season',
			'mixed'
		]);
		expect(history[4]).toMatchObject({ kind: 'search', grabs: 2, command: 'EpisodeSearch' });
		expect(history[2]).toMatchObject({
			kind: 'event',
			episodeIds: [e1!.id, e2!.id],
			qualities: ['WEBDL-1080p', 'HDTV-720p']
		});
		// Events read as the activity feed's sentences.
		expect(history[2]).toMatchObject({ text: expect.stringMatching(/^Acquired 2 episodes of /) });
		expect(history[0]).toMatchObject({ kind: 'event', attempts: 10, episodeIds: [e2!.id] });

		// The limit keeps the newest of both sources together.
		const newest = await getItemHistory(world.db, target, 2);
		expect(newest.map((h) => (h.kind === 'search' ? h.label : h.type))).toEqual([
			'search.exhausted',
			'series'
		]);
	});

	it('the series page names its quality profile and the app’s own last search of each episode', async () => {
		const [row] = await world.db
			.select({ s: series, profile: qualityProfiles.name })
			.from(series)
			.innerJoin(
				qualityProfiles,
				and(
					eq(qualityProfiles.connectorId, series.connectorId),
					eq(qualityProfiles.arrId, series.qualityProfileId)
				)
			)
			.where(eq(series.connectorId, sonarr.id))
			.limit(1);
		const when = new Date('2026-11-30T12:00:00Z');
		const [episode] = await world.db
			.update(episodes)
			.set({ lastSearchTime: when })
			.where(
				eq(
					episodes.id,
					sql`(select id from episodes where series_id = ${row!.s.id} order by id limit 1)`
				)
			)
			.returning();
		const detail = await getSeriesDetail(world.db, row!.s.id);
		expect(detail.qualityProfile).toBe(row!.profile);
		const eps = detail.seasons.flatMap((s) => s.episodes);
		expect(eps.find((e) => e.id === episode!.id)?.arrLastSearchAt).toEqual(when);
		expect(
			eps
				.filter((e) => e.id !== episode!.id)
				.every((e) => e.arrLastSearchAt === null || e.arrLastSearchAt instanceof Date)
		).toBe(true);
		expect(detail.tags).toEqual(expect.any(Array));
	});
});

describe('movie history', () => {
	it("a movie's searches (MoviesSearch movieIds) and events (movieId), not another movie's", async () => {
		const radarr = await synced('/radarr');
		const [m1, m2] = await world.db
			.select()
			.from(movies)
			.where(and(eq(movies.connectorId, radarr.id), isNotNull(movies.arrId), ne(movies.id, 0)))
			.orderBy(movies.id)
			.limit(2);
		await searched(
			radarr.id,
			{ name: 'MoviesSearch', movieIds: [m2!.arrId, m1!.arrId] },
			'both',
			minutesAgo(30)
		);
		await searched(
			radarr.id,
			{ name: 'MoviesSearch', movieIds: [m2!.arrId] },
			'other',
			minutesAgo(20)
		);
		await happened({
			type: 'item.upgraded',
			connectorId: radarr.id,
			subject: { movieId: m1!.id },
			payload: { kind: 'movie', from: 'HDTV-720p', quality: 'Bluray-1080p' },
			createdAt: minutesAgo(10)
		});
		await happened({
			type: 'search.exhausted',
			connectorId: radarr.id,
			subject: { movieIds: [m2!.id] },
			createdAt: minutesAgo(5)
		});
		const history = await getItemHistory(world.db, {
			kind: 'movie',
			connectorId: radarr.id,
			id: m1!.id,
			arrId: m1!.arrId
		});
		expect(history).toEqual([
			expect.objectContaining({
				kind: 'event',
				type: 'item.upgraded',
				from: 'HDTV-720p',
				qualities: ['Bluray-1080p']
			}),
			expect.objectContaining({ kind: 'search', label: 'both' })
		]);
		const detail = await getMovieDetail(world.db, m1!.id);
		expect(detail).toHaveProperty('arrLastSearchAt');
		expect(detail).toHaveProperty('qualityProfile');
	});
});
