/**
 * Whisparr, both lines: the line comes from the version in system/status; v2 (Sonarr-shaped) and
 * v3 "Eros" (Radarr-shaped, no wanted endpoints) sync, count and search like their siblings.
 */
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world';
import { countWanted } from '../../src/lib/server/services/discovery/discovery-service';
import { syncOne, sweepOne, cycleOne } from '../../src/lib/server/services/operations';
import {
	clientFor,
	libraryKind,
	WhisparrV2Client,
	WhisparrV3Client
} from '../../src/lib/server/connectors';
import { toView } from '../../src/lib/server/services/connectors/connector-service';

const world = useWorld([
	{
		type: 'whisparr-v2',
		urlBase: '/whisparr',
		apiKey: 'a'.repeat(32),
		series: 8,
		commandDurationMs: 10
	},
	{
		type: 'whisparr-v3',
		urlBase: '/whisparr3',
		apiKey: 'b'.repeat(32),
		movies: 60,
		commandDurationMs: 10
	}
]);

describe('Whisparr', () => {
	it('detects v2, mirrors its sites and scenes, and counts what its wanted lists count', async () => {
		const connector = await world.addConnector('/whisparr');
		expect(clientFor(connector, world.secrets)).toBeInstanceOf(WhisparrV2Client);
		expect(toView(connector).appLabel).toBe('Whisparr v2 2.0.0.1000');
		expect(libraryKind(connector)).toBe('series');
		const runtime = { db: world.db, secrets: world.secrets };
		const report = await syncOne(runtime, connector);
		const sim = world.sim.instance('/whisparr');
		expect(report).toMatchObject({
			status: 'success',
			seriesCount: sim.series.length,
			episodeCount: sim.episodes.length
		});
		expect(await countWanted(world.db, connector.id, 'series', new Date())).toEqual({
			gaps: sim.wantedMissingTotal(),
			upgrades: sim.wantedCutoffTotal()
		});
		await sweepOne(runtime, connector, 'both');
		await cycleOne(runtime, connector);
		const names = sim.requests
			.filter((r) => r.method === 'POST')
			.map((r) => (r.body as { name: string }).name);
		expect(names.length).toBeGreaterThan(0);
		expect(names.every((n) => n === 'EpisodeSearch' || n === 'SeasonSearch')).toBe(true);
	});

	it('detects v3 (Eros), reads gaps from the movie list (it has no wanted endpoints) and sends MoviesSearch', async () => {
		const connector = await world.addConnector('/whisparr3');
		expect(clientFor(connector, world.secrets)).toBeInstanceOf(WhisparrV3Client);
		expect(toView(connector).appLabel).toBe('Whisparr v3 (Eros) 3.2.0.27');
		expect(libraryKind(connector)).toBe('movies');
		const runtime = { db: world.db, secrets: world.secrets };
		const sim = world.sim.instance('/whisparr3');
		expect((await syncOne(runtime, connector)).movieCount).toBe(sim.movies.length);
		expect(await countWanted(world.db, connector.id, 'movies', new Date())).toEqual({
			gaps: sim.wantedMovies('missing').length,
			upgrades: sim.wantedMovies('cutoff').length
		});
		await sweepOne(runtime, connector, 'both');
		await cycleOne(runtime, connector);
		expect(sim.requests.some((r) => r.path.startsWith('/api/v3/wanted'))).toBe(false);
		const posts = sim.requests.filter((r) => r.method === 'POST');
		expect(posts.length).toBeGreaterThan(0);
		expect(posts.every((r) => (r.body as { name: string }).name === 'MoviesSearch')).toBe(true);
	});
});
