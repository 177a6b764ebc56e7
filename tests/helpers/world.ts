/**
 * A test world: the migrated test database, a secret box, and a running *arr simulator with a
 * Sonarr and a Radarr, plus shortcuts to add them as connectors through the real service.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { eq } from 'drizzle-orm';
import { startSimulator, type Simulator, type SimInstanceOptions } from '../arr-sim';
import type { Database } from '../../src/lib/server/db';
import { connectors, type Connector } from '../../src/lib/server/db/schema';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import { createConnector } from '../../src/lib/server/services/connectors/connector-service';
import { resetDb, testDb } from './db';

export const SONARR_KEY = '0123456789abcdef0123456789abcdef';
export const RADARR_KEY = 'fedcba9876543210fedcba9876543210';

export interface World {
	db: Database;
	sim: Simulator;
	secrets: ReturnType<typeof createSecretBox>;
	/** Adds a connector for the simulator instance at `urlBase` and returns the stored row. */
	addConnector(urlBase: string, name?: string): Promise<Connector>;
	connector(id: number): Promise<Connector>;
}

/**
 * Registers hooks that start a simulator (default: one Sonarr at /sonarr, one Radarr at /radarr)
 * and reset the database and the simulator before each test.
 */
export function useWorld(instances?: SimInstanceOptions[]): World {
	const world = {} as World;
	beforeAll(async () => {
		world.db = await testDb();
		world.secrets = createSecretBox('test secret');
		world.sim = await startSimulator({
			instances: instances ?? [
				{
					type: 'sonarr',
					urlBase: '/sonarr',
					apiKey: SONARR_KEY,
					series: 12,
					commandDurationMs: 20
				},
				{
					type: 'radarr',
					urlBase: '/radarr',
					apiKey: RADARR_KEY,
					movies: 150,
					commandDurationMs: 20
				}
			]
		});
		world.addConnector = async (urlBase, name) => {
			const instance = world.sim.instance(urlBase);
			const view = await createConnector(world.db, world.secrets, {
				type: instance.options.type.startsWith('whisparr')
					? 'whisparr'
					: (instance.options.type as 'sonarr' | 'radarr'),
				name: name ?? `${instance.options.type} ${urlBase}`,
				url: instance.baseUrl,
				apiKey: instance.options.apiKey
			});
			return world.connector(view.id);
		};
		world.connector = async (id) => {
			const [row] = await world.db.select().from(connectors).where(eq(connectors.id, id));
			if (!row) throw new Error(`connector ${id} missing`);
			return row;
		};
	});
	beforeEach(async () => {
		await resetDb(world.db);
		for (const instance of world.sim.instances) instance.reset();
		world.sim.clearRequests();
	});
	afterAll(async () => {
		await world.sim?.stop();
	});
	return world;
}
