/**
 * The dashboard says when a rate limit paused a connector's dispatch: a real 429 from the
 * simulator, the dashboard's own load function, and its connector card rendered on the server.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import { resumeDispatch } from '../../src/lib/server/services/queue/queue-admin';
import { getSettings } from '../../src/lib/server/services/settings/settings-service';
import { localClockTime } from '../../src/lib/server/time/active-windows';
import { load } from '../../src/routes/(app)/dashboard/+page.server';
import RatePauseNotice from '../../src/lib/components/dashboard/RatePauseNotice.svelte';

const world = useWorld();
useTestRuntime(world);

type DashboardData = Awaited<ReturnType<typeof load>>;

async function dashboard(): Promise<DashboardData> {
	// The load takes no event.
	return load();
}

/** What the connector's card shows for its pause (ConnectorSummaryCard renders the notice). */
function card(data: DashboardData, connectorId: number): string {
	expect(data.connectors.some((c) => c.id === connectorId)).toBe(true);
	const pause = data.ratePauses[connectorId];
	return pause ? render(RatePauseNotice, { props: pause }).body : '';
}

describe('the dashboard and a rate-limited connector', () => {
	it('shows "Dispatch paused until HH:MM — rate limited" until the pause is over', async () => {
		const radarr = await world.addConnector('/radarr');
		await syncConnector({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets)
		});
		await runSweep({ db: world.db, connector: radarr, kind: 'gaps' });
		expect(card(await dashboard(), radarr.id)).not.toContain('Dispatch paused');

		world.sim.instance('/radarr').setFault('/api/v3/command', { status: 429 });
		const now = new Date();
		await dispatchConnector({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets, { retries: 0 }),
			profile: await profileFor(world.db, radarr),
			clock: () => now
		});
		const profile = await profileFor(world.db, radarr);
		const until = new Date(now.getTime() + profile.errorCooldownSeconds * 1000);
		const { timeZone } = (await getSettings(world.db)).general;

		const data = await dashboard();
		expect(data.ratePauses[radarr.id]).toMatchObject({
			until: until.toISOString(),
			untilLabel: localClockTime(until, timeZone)
		});
		const html = card(data, radarr.id);
		expect(html).toContain(`Dispatch paused until <time datetime="${until.toISOString()}">`);
		expect(html).toContain(`${localClockTime(until, timeZone)}</time> — rate limited`);

		// A user's resume lifts it, and the card says nothing more.
		await resumeDispatch(world.db, { connectorId: radarr.id });
		expect(card(await dashboard(), radarr.id)).not.toContain('Dispatch paused');
	});
});
