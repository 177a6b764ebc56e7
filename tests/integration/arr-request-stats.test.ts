/**
 * *arr request statistics: the HTTP client counts every attempt per connector and hour, and the
 * flush adds them to `arr_request_stats` (the analytics roll-up's response time and error rate).
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { arrRequestStats, connectors } from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { ArrApiError } from '../../src/lib/server/connectors/common/errors';
import {
	recordArrRequest,
	takeArrRequestStats
} from '../../src/lib/server/connectors/common/request-stats';
import { flushArrRequestStats } from '../../src/lib/server/services/connectors/request-stats';
import { useWorld } from '../helpers/world';

const world = useWorld();

async function statsOf(connectorId: number) {
	return world.db
		.select()
		.from(arrRequestStats)
		.where(eq(arrRequestStats.connectorId, connectorId));
}

describe('arr request statistics', () => {
	it('counts each attempt with its response time, errors included, and adds flushes up', async () => {
		const sonarr = await world.addConnector('/sonarr');
		takeArrRequestStats(); // the connection test of the unsaved connector is not recorded anyway
		const client = clientFor(sonarr, world.secrets, { retries: 0 });
		await client.getSystemStatus();
		await client.getSystemStatus();
		world.sim.instance('/sonarr').setFault('/api/v3/system/status', { status: 500, times: 1 });
		await expect(client.getSystemStatus()).rejects.toBeInstanceOf(ArrApiError);

		expect(await flushArrRequestStats(world.db)).toBe(1);
		let [row] = await statsOf(sonarr.id);
		expect(row).toMatchObject({ requests: 3, errors: 1 });
		expect(row!.totalMs).toBeGreaterThanOrEqual(row!.maxMs);
		expect(row!.hour.getTime() % 3_600_000).toBe(0);

		await client.getSystemStatus();
		await flushArrRequestStats(world.db);
		[row] = await statsOf(sonarr.id);
		expect(row).toMatchObject({ requests: 4, errors: 1 });
		expect(await flushArrRequestStats(world.db)).toBe(0);
	});

	it('counts an attempt that got no answer as an error', async () => {
		const sonarr = await world.addConnector('/sonarr');
		takeArrRequestStats();
		const client = clientFor(sonarr, world.secrets, { retries: 0, timeoutMs: 200 });
		world.sim.instance('/sonarr').setFault('/api/v3/system/status', { delayMs: 2_000, times: 1 });
		await expect(client.getSystemStatus()).rejects.toMatchObject({ kind: 'timeout' });
		await flushArrRequestStats(world.db);
		expect(await statsOf(sonarr.id)).toMatchObject([{ requests: 1, errors: 1 }]);
	});

	it('keeps hours apart and drops the figures of a connector deleted before the flush', async () => {
		const [a, b] = [await world.addConnector('/sonarr'), await world.addConnector('/radarr')];
		takeArrRequestStats();
		const hour = Date.UTC(2026, 11, 2, 10);
		recordArrRequest(a.id, 12.4, true, hour + 59 * 60_000);
		recordArrRequest(a.id, 30, false, hour + 60 * 60_000);
		recordArrRequest(b.id, 5, true, hour);
		await world.db.delete(connectors).where(eq(connectors.id, b.id));

		expect(await flushArrRequestStats(world.db)).toBe(2);
		const rows = await world.db.execute<{ hour: string; requests: number; total_ms: string }>(
			sql`select to_char(hour at time zone 'UTC', 'HH24') as hour, requests, total_ms::text
			    from arr_request_stats order by hour`
		);
		expect(rows.map((r) => [r.hour, r.requests, r.total_ms])).toEqual([
			['10', 1, '12'],
			['11', 1, '30']
		]);
	});
});
