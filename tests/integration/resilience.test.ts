/**
 * One bad instance never stalls the others: several connectors at once, each with its own fault,
 * beside healthy ones that sync and dispatch undisturbed (issue #3, DESIGN.md decision 7).
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { connectors, type Connector } from '../../src/lib/server/db/schema';
import {
	checkAll,
	cycleAll,
	sweepAll,
	syncAll,
	type OperationDeps
} from '../../src/lib/server/services/operations';
import { updateConnector } from '../../src/lib/server/services/connectors/connector-service';

const KEY = (n: number) => `${String(n).repeat(32)}`.slice(0, 32);

const world = useWorld([
	{ type: 'sonarr', urlBase: '/tv', apiKey: KEY(1), series: 8, commandDurationMs: 20 },
	{ type: 'sonarr', urlBase: '/anime', apiKey: KEY(2), series: 6, seed: 7, commandDurationMs: 20 },
	{ type: 'radarr', urlBase: '/movies', apiKey: KEY(3), movies: 60, commandDurationMs: 20 },
	{ type: 'sonarr', urlBase: '/flaky', apiKey: KEY(4), series: 4, seed: 3, commandDurationMs: 20 },
	{ type: 'radarr', urlBase: '/slow', apiKey: KEY(5), movies: 10, commandDurationMs: 20 },
	{ type: 'sonarr', urlBase: '/badkey', apiKey: KEY(6), series: 3, commandDurationMs: 20 },
	{
		type: 'radarr',
		urlBase: '/garbage',
		apiKey: KEY(7),
		movies: 20,
		seed: 5,
		commandDurationMs: 20
	},
	{
		type: 'radarr',
		urlBase: '/limited',
		apiKey: KEY(8),
		movies: 20,
		seed: 9,
		commandDurationMs: 20
	}
]);

const deps = (): OperationDeps => ({ db: world.db, secrets: world.secrets });

async function health(connector: Connector) {
	const [row] = await world.db.select().from(connectors).where(eq(connectors.id, connector.id));
	return row!;
}

function requestsTo(urlBase: string, path: string) {
	return world.sim.instance(urlBase).requests.filter((r) => r.path === path);
}

describe('fault isolation across connectors', () => {
	it('keeps two Sonarr instances and a Radarr working while five others fail in five ways', async () => {
		const tv = await world.addConnector('/tv');
		const anime = await world.addConnector('/anime');
		const movies = await world.addConnector('/movies');
		const flaky = await world.addConnector('/flaky');
		const slow = await world.addConnector('/slow');
		const badkey = await world.addConnector('/badkey');
		const garbage = await world.addConnector('/garbage');
		const limited = await world.addConnector('/limited');
		await updateConnector(world.db, world.secrets, slow.id, { timeoutMs: 1_000 }); // library reads: 4 s

		world.sim.instance('/flaky').setFault('/api/v3/series', {
			status: 500,
			body: '{"message":"database is locked"}',
			times: 2
		});
		world.sim.instance('/slow').setFault('/api/v3/movie', { timeout: true });
		world.sim.instance('/badkey').setApiKey('f'.repeat(32));
		world.sim
			.instance('/garbage')
			.setFault('/api/v3/movie', { status: 200, body: '[{"id": 1, "title": "Cut off' });
		world.sim
			.instance('/limited')
			.setFault('/api/v3/movie', { status: 429, headers: { 'Retry-After': '1' }, times: 1 });

		const started = performance.now();
		const reports = await syncAll(deps());
		const elapsed = performance.now() - started;
		const status = (c: Connector) => reports.find((r) => r?.connectorId === c.id)?.status;

		// Healthy ones, including two of the same type at once.
		expect(status(tv)).toBe('success');
		expect(status(anime)).toBe('success');
		expect(status(movies)).toBe('success');
		// 500 twice, then the third attempt works: the sync completes after retries.
		expect(status(flaky)).toBe('success');
		expect(requestsTo('/flaky', '/api/v3/series').map((r) => r.status)).toEqual([500, 500, 200]);
		expect((await health(flaky)).health).toBe('healthy');
		// 429 with Retry-After: 1 — the retry waited at least a second.
		expect(status(limited)).toBe('success');
		const [first, second] = requestsTo('/limited', '/api/v3/movie');
		expect(first?.status).toBe(429);
		expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
		// Timeout: offline; 401: unhealthy after a single request (4xx is never retried).
		expect(status(slow)).toBe('failed');
		expect((await health(slow)).health).toBe('offline');
		expect(status(badkey)).toBe('failed');
		expect((await health(badkey)).health).toBe('unhealthy');
		expect(requestsTo('/badkey', '/api/v3/series')).toHaveLength(1);
		// Malformed JSON: unhealthy with a readable reason.
		expect(status(garbage)).toBe('failed');
		const broken = await health(garbage);
		expect(broken.health).toBe('unhealthy');
		expect(broken.healthReason).toMatch(/could not read|not JSON/);
		// The slow one cost its own timeouts only: everything ran side by side.
		expect(elapsed).toBeLessThan(25_000);

		// Sweeps and dispatch skip the paused ones and serve the rest.
		const sweeps = await sweepAll(deps());
		const sweep = (c: Connector) => sweeps.find((s) => s?.connectorId === c.id);
		for (const c of [slow, badkey, garbage]) expect(sweep(c)?.skipped).toBe('paused');
		for (const c of [tv, anime, movies]) expect(sweep(c)?.queuedBatches).toBeGreaterThan(0);
		const cycles = await cycleAll(deps());
		const cycle = (c: Connector) => cycles.find((x) => x?.connectorId === c.id);
		for (const c of [tv, anime, movies]) expect(cycle(c)?.dispatch.sent).toBeGreaterThan(0);
		for (const c of [slow, badkey, garbage]) expect(cycle(c)?.dispatch.stoppedBy).toBe('paused');
		expect(world.sim.instance('/badkey').requests.filter((r) => r.method === 'POST')).toHaveLength(
			0
		);
	}, 60_000);

	it('pauses sweeps while a connector is unhealthy and resumes them once its health returns', async () => {
		const garbage = await world.addConnector('/garbage');
		expect((await syncAll(deps()))[0]?.status).toBe('success');
		world.sim
			.instance('/garbage')
			.setFault('/api/v3/movie', { status: 200, body: 'not json at all' });
		await syncAll(deps());
		expect((await health(garbage)).health).toBe('unhealthy');
		expect((await sweepAll(deps()))[0]?.skipped).toBe('paused');

		// The app recovers; the next health check finds it and the connector resumes by itself.
		world.sim.instance('/garbage').clearFaults();
		await checkAll(deps());
		expect((await health(garbage)).health).toBe('healthy');
		const resumed = await sweepAll(deps());
		expect(resumed[0]?.skipped).toBeNull();
		expect(resumed[0]?.queuedBatches).toBeGreaterThan(0);
	});

	it('shows the app’s own health warnings as degraded, still sweeping', async () => {
		const tv = await world.addConnector('/tv');
		world.sim.instance('/tv').setHealth([
			{
				source: 'IndexerStatusCheck',
				type: 'warning',
				message: 'Indexers unavailable due to failures: NZBgeek',
				wikiUrl: 'https://wiki.servarr.com/sonarr/system#indexers-are-unavailable-due-to-failures'
			}
		]);
		await checkAll(deps());
		const row = await health(tv);
		expect(row.health).toBe('degraded');
		expect(row.healthReason).toContain('NZBgeek');
		expect(row.appHealth[0]?.wikiUrl).toMatch(/^https:\/\/wiki\.servarr\.com/);
		await syncAll(deps());
		expect((await health(tv)).health).toBe('degraded');
		expect((await sweepAll(deps()))[0]?.skipped).toBeNull();
	});
});
