/**
 * A paused queue (globally or for one connector) sends nothing, and sends again once resumed:
 * the dispatcher itself reads the pause, against a real PostgreSQL and the simulator.
 */
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world';
import { clientFor } from '../../src/lib/server/connectors';
import type { Connector } from '../../src/lib/server/db/schema';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { pauseDispatch, resumeDispatch } from '../../src/lib/server/services/queue/queue-admin';
import { beginDrain, endDrainForTests } from '../../src/lib/server/services/jobs/runner';

const world = useWorld();

async function dispatch(connector: Connector) {
	return dispatchConnector({
		db: world.db,
		connector,
		client: clientFor(connector, world.secrets),
		profile: await profileFor(world.db, connector)
	});
}

/** A Radarr connector, synced and swept: its gaps are queued. */
async function queuedRadarr(): Promise<Connector> {
	const radarr = await world.addConnector('/radarr');
	await syncConnector({
		db: world.db,
		connector: radarr,
		client: clientFor(radarr, world.secrets)
	});
	await runSweep({ db: world.db, connector: radarr, kind: 'gaps' });
	return radarr;
}

describe('dispatch pause', () => {
	it.each([
		['the whole queue', false],
		['one connector', true]
	])('sends nothing while %s is paused, and sends once resumed', async (_, perConnector) => {
		const radarr = await queuedRadarr();
		const scope = perConnector ? { connectorId: radarr.id } : {};
		await pauseDispatch(world.db, { ...scope, now: new Date() });
		const paused = await dispatch(radarr);
		expect(paused).toMatchObject({ sent: 0, stoppedBy: 'paused' });
		await resumeDispatch(world.db, scope);
		const resumed = await dispatch(radarr);
		expect(resumed.sent).toBeGreaterThan(0);
	});

	it('claims nothing while the server drains for shutdown, and says that, not "paused"', async () => {
		const radarr = await queuedRadarr();
		beginDrain();
		try {
			expect(await dispatch(radarr)).toMatchObject({ sent: 0, stoppedBy: 'shutting_down' });
		} finally {
			endDrainForTests();
		}
		expect((await dispatch(radarr)).sent).toBeGreaterThan(0);
	});
});
