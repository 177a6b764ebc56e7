/**
 * Every request Comradarr's connectors send — while they test, sync, sweep, dispatch, track,
 * recover, check health and refresh one item for a webhook — is an operation of the official spec of the app it talks to, with
 * only query parameters that operation declares. Runs against the simulator for Sonarr v3 and v4,
 * Radarr v4 and v6, Whisparr v2 and v3.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { loadContract, matchOperation, type ContractApp } from './contract';
import { movies, requestQueue } from '../../src/lib/server/db/schema';
import { checkOne, cycleOne, sweepOne, syncOne } from '../../src/lib/server/services/operations';
import { RadarrClient, clientFor, type SonarrClient } from '../../src/lib/server/connectors';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { recoverInFlight } from '../../src/lib/server/services/queue/recovery';
import { refreshItem } from '../../src/lib/server/services/webhooks/refresh-item';
import { refreshMovie, refreshSeries } from '../../src/lib/server/services/sync/refresh';

const INSTANCES = [
	{
		type: 'sonarr',
		urlBase: '/sonarr4',
		apiKey: 'a'.repeat(32),
		series: 6,
		version: '4.0.19.2979',
		spec: 'sonarr'
	},
	{
		type: 'sonarr',
		urlBase: '/sonarr3',
		apiKey: 'b'.repeat(32),
		series: 6,
		version: '3.0.10.1567',
		spec: 'sonarr'
	},
	{
		type: 'radarr',
		urlBase: '/radarr6',
		apiKey: 'c'.repeat(32),
		movies: 30,
		version: '6.0.4.10291',
		spec: 'radarr'
	},
	{
		type: 'radarr',
		urlBase: '/radarr4',
		apiKey: 'd'.repeat(32),
		movies: 30,
		version: '4.7.5.7809',
		spec: 'radarr'
	},
	{
		type: 'whisparr-v2',
		urlBase: '/whisparr2',
		apiKey: 'e'.repeat(32),
		series: 6,
		spec: 'whisparr-v2'
	},
	{
		type: 'whisparr-v3',
		urlBase: '/whisparr3',
		apiKey: 'f'.repeat(32),
		movies: 30,
		spec: 'whisparr-v3'
	}
] as const;

const world = useWorld(
	INSTANCES.map(({ spec: _spec, ...options }) => ({ ...options, commandDurationMs: 10 }))
);
const contract = loadContract();

/** The operations Comradarr used, per app; printed with CONTRACT_REPORT=1 (the endpoint list in docs). */
const seen = new Map<string, Set<string>>();
afterAll(() => {
	if (!process.env.CONTRACT_REPORT) return;
	const lines = [...seen]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([op, apps]) => `${op}  ← ${[...apps].sort().join(', ')}`);
	console.log(`operations used:\n${lines.join('\n')}`);
});

describe.each(INSTANCES.map((i) => [i.urlBase, i.spec] as const))(
	'requests to %s',
	(urlBase, spec) => {
		it(`match operations of the ${spec} spec`, async () => {
			const connector = await world.addConnector(urlBase);
			const runtime = { db: world.db, secrets: world.secrets };
			expect((await syncOne(runtime, connector)).status).toBe('success');
			const sweep = await sweepOne(runtime, connector, 'both');
			expect(sweep.queuedBatches).toBeGreaterThan(0);
			await cycleOne(runtime, connector);
			await Bun.sleep(50);
			await cycleOne(runtime, connector); // tracks the commands to their end
			await checkOne(runtime, connector);
			// A recorded-but-unsent command makes recovery read the app's command list.
			const [pending] = await world.db
				.select()
				.from(requestQueue)
				.where(eq(requestQueue.status, 'pending'))
				.limit(1);
			if (pending) {
				await world.db
					.update(requestQueue)
					.set({ status: 'sending', claimedAt: new Date(Date.now() - 180_000) })
					.where(eq(requestQueue.id, pending.id));
				const profile = await profileFor(world.db, connector);
				await recoverInFlight({
					db: world.db,
					connector,
					client: clientFor(connector, world.secrets),
					profile
				});
			}

			// An incremental sync (history/since, after the searches' imports) and one item's refresh.
			const client = clientFor(connector, world.secrets);
			const again = await syncOne(runtime, await world.connector(connector.id));
			expect(again).toMatchObject({ status: 'success', mode: 'incremental' });
			const library = world.sim.instance(urlBase);
			const refresher = { db: world.db, connector, client };
			if (client instanceof RadarrClient) {
				expect((await refreshMovie(refresher, library.movies[0]!.id)).found).toBe(true);
			} else {
				expect(library.requests.some((r) => r.path === '/api/v3/history/since')).toBe(true);
				expect((await refreshSeries(refresher, library.series[0]!.id)).found).toBe(true);
			}

			// The command list recovery reads, and the paged wanted lists (not on Whisparr v3: it has none).
			await client.listCommands();
			if (spec !== 'whisparr-v3') {
				for (const kind of ['missing', 'cutoff'] as const) {
					const pages =
						client instanceof RadarrClient
							? client.wantedMovieIds(kind)
							: (client as SonarrClient).wantedEpisodeIds(kind);
					for await (const page of pages) expect(page.skipped).toBe(0);
				}
			}

			// A webhook's refresh of one item (services/webhooks/refresh-item.ts), and of one the app
			// no longer has (404 → removed from the mirror).
			const item =
				client instanceof RadarrClient
					? { kind: 'movies' as const, arrId: world.sim.instance(urlBase).movies[0]!.id }
					: { kind: 'series' as const, arrId: world.sim.instance(urlBase).series[0]!.id };
			const refreshed = await refreshItem({ db: world.db, connector, client }, item);
			expect(refreshed.outcome).toBe('updated');
			const gone = await refreshItem(
				{ db: world.db, connector, client },
				{ ...item, arrId: 99_999 }
			);
			expect(gone.outcome).toBe('absent');
			if (spec === 'whisparr-v3') {
				// Read through Whisparr's own movie parser: the scene/movie kind survives the refresh.
				const [row] = await world.db
					.select({ itemType: movies.itemType })
					.from(movies)
					.where(and(eq(movies.connectorId, connector.id), eq(movies.arrId, item.arrId)));
				expect(row?.itemType).toMatch(/^(movie|scene)$/);
			}

			const app = contract.apps[spec as ContractApp];
			const ours = world.sim
				.instance(urlBase)
				.requests.filter((r) => r.headers['user-agent']?.startsWith('Comradarr/'));
			expect(ours.length).toBeGreaterThan(5);
			const problems: string[] = [];
			for (const request of ours) {
				const operation = matchOperation(app, request.method, request.path);
				if (!operation) {
					problems.push(`${request.method} ${request.path}: no such operation`);
					continue;
				}
				const declared = new Set(app.operations[operation]!.query);
				for (const name of Object.keys(request.query)) {
					if (!declared.has(name)) {
						problems.push(`${operation}: undeclared query parameter ${name}`);
					}
				}
				expect(request.headers['x-api-key']).toBe(world.sim.instance(urlBase).options.apiKey);
				expect(request.query.apikey).toBeUndefined();
				const set = seen.get(operation) ?? new Set<string>();
				set.add(spec);
				seen.set(operation, set);
			}
			expect(problems).toEqual([]);
			// Only targeted searches are ever posted.
			for (const post of ours.filter((r) => r.method === 'POST')) {
				expect(['EpisodeSearch', 'SeasonSearch', 'MoviesSearch']).toContain(
					(post.body as { name: string }).name
				);
			}
		});
	}
);
