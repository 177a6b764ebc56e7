/**
 * The numbers the dashboard and the connector list show (db/queries/stats.ts `connectorStats`),
 * against a real PostgreSQL and the *arr simulator: gaps and upgrade candidates equal the apps'
 * own wanted/missing and wanted/cutoff totals, the queue numbers count pending commands only, and
 * "searches today" counts the claims of the local day only.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { episodes, requestQueue, type Connector } from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { connectorStats, statsFor } from '../../src/lib/server/db/queries/stats';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { zonedDayStart } from '../../src/lib/server/time/day-start';

const world = useWorld();

async function synced(base: string): Promise<Connector> {
	const connector = await world.addConnector(base);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	return world.connector(connector.id);
}

describe('connector numbers', () => {
	it('count exactly the gaps and upgrade candidates the apps report', async () => {
		const sonarr = await synced('/sonarr');
		const radarr = await synced('/radarr');
		const stats = await connectorStats(world.db, new Date(), 'UTC');
		for (const [connector, base] of [
			[sonarr, '/sonarr'],
			[radarr, '/radarr']
		] as const) {
			const sim = world.sim.instance(base);
			expect(sim.wantedMissingTotal()).toBeGreaterThan(0);
			expect(sim.wantedCutoffTotal()).toBeGreaterThan(0);
			expect(statsFor(stats, connector.id)).toMatchObject({
				gaps: sim.wantedMissingTotal(),
				upgrades: sim.wantedCutoffTotal()
			});
		}
	});

	it('leave out episodes that have not aired yet, and unmonitored ones', async () => {
		const sonarr = await synced('/sonarr');
		const before = statsFor(await connectorStats(world.db, new Date(), 'UTC'), sonarr.id);
		const [gap] = await world.db.execute<{ id: number }>(sql`
			select e.id from episodes e join series s on s.id = e.series_id
			where e.connector_id = ${sonarr.id} and not e.has_file and e.monitored and s.monitored
			  and e.air_date_utc < now() - interval '2 days' limit 1`);
		expect(gap).toBeDefined();
		await world.db
			.update(episodes)
			.set({ airDateUtc: new Date(Date.now() + 86_400_000) })
			.where(eq(episodes.id, gap!.id));
		const unaired = statsFor(await connectorStats(world.db, new Date(), 'UTC'), sonarr.id);
		expect(unaired.gaps).toBe(before.gaps - 1);
		await world.db.update(episodes).set({ monitored: false }).where(eq(episodes.id, gap!.id));
		await world.db
			.update(episodes)
			.set({ airDateUtc: new Date(Date.now() - 86_400_000 * 3) })
			.where(eq(episodes.id, gap!.id));
		expect(statsFor(await connectorStats(world.db, new Date(), 'UTC'), sonarr.id).gaps).toBe(
			before.gaps - 1
		);
	});

	it('count pending searches as queued, and only the claims of the local day as today’s', async () => {
		const radarr = await synced('/radarr');
		await runSweep({ db: world.db, connector: radarr, kind: 'both' });
		const pending = await world.db.execute<{ n: number; commands: number }>(sql`
			select coalesce(sum(search_count), 0)::int as n, count(*)::int as commands
			from request_queue where connector_id = ${radarr.id} and status = 'pending'`);
		expect(pending[0]!.commands).toBeGreaterThan(2);
		const now = new Date();
		const timeZone = 'Pacific/Auckland';
		const dayStart = zonedDayStart(now, timeZone);
		// Two commands claimed: one just after the local midnight, one just before it.
		const rows = await world.db
			.select({ id: requestQueue.id, searchCount: requestQueue.searchCount })
			.from(requestQueue)
			.where(eq(requestQueue.connectorId, radarr.id))
			.orderBy(requestQueue.id)
			.limit(2);
		const [today, yesterday] = rows;
		await world.db
			.update(requestQueue)
			.set({ status: 'completed', claimedAt: new Date(dayStart.getTime() + 1000) })
			.where(eq(requestQueue.id, today!.id));
		await world.db
			.update(requestQueue)
			.set({ status: 'completed', claimedAt: new Date(dayStart.getTime() - 1000) })
			.where(eq(requestQueue.id, yesterday!.id));

		const stats = statsFor(await connectorStats(world.db, now, timeZone), radarr.id);
		expect(stats).toMatchObject({
			queued: pending[0]!.n - today!.searchCount - yesterday!.searchCount,
			queuedCommands: pending[0]!.commands - 2,
			searchesToday: today!.searchCount
		});
	});
});
