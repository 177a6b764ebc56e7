/**
 * Guard: the dispatcher's daily search budget (issue 9: "guarded by no test"). A budget smaller
 * than one command sends nothing; a budget binds after exactly the commands it holds; and it
 * starts again at local midnight of Settings → General's time zone, not at UTC midnight.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	throttleProfiles,
	type Connector,
	type ThrottleProfile
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { localClockTime } from '../../src/lib/server/time/active-windows';

const world = useWorld();

async function setProfile(patch: Partial<ThrottleProfile>) {
	await world.db
		.update(throttleProfiles)
		.set({ maxCommandsPerWindow: 100, maxInFlight: 100, ...patch })
		.where(eq(throttleProfiles.name, 'Moderate'));
}

/** Radarr synced and swept under a large budget (the sweep plans about one day's budget). */
async function queued(patch: Partial<ThrottleProfile> = {}): Promise<Connector> {
	await setProfile({ dailySearchBudget: 10_000, ...patch });
	const connector = await world.addConnector('/radarr');
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'both' });
	return world.connector(connector.id);
}

async function dispatch(connector: Connector, at?: Date) {
	return dispatchConnector({
		db: world.db,
		connector,
		client: clientFor(connector, world.secrets),
		profile: await profileFor(world.db, connector),
		...(at ? { clock: () => at } : {})
	});
}

/** Search counts of the pending commands, in dispatch order. */
async function pendingCounts(): Promise<number[]> {
	const rows = await world.db.execute<{ search_count: number }>(sql`
		select search_count from request_queue where status = 'pending' order by priority desc, id`);
	return rows.map((r) => r.search_count);
}

function postedSearches(): number {
	return world.sim
		.instance('/radarr')
		.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/command')
		.reduce((n, p) => n + (p.body as { movieIds: number[] }).movieIds.length, 0);
}

describe('the daily search budget', () => {
	it('sends nothing when the budget is smaller than the next command', async () => {
		const radarr = await queued();
		const [first] = await pendingCounts();
		expect(first).toBeGreaterThan(1);
		await setProfile({ dailySearchBudget: first! - 1 });
		expect(await dispatch(radarr)).toMatchObject({ sent: 0, searches: 0, stoppedBy: 'budget' });
		expect(postedSearches()).toBe(0);
	});

	it('binds after exactly the commands it holds', async () => {
		const radarr = await queued();
		const counts = await pendingCounts();
		expect(counts.length).toBeGreaterThan(3);
		const budget = counts.slice(0, 3).reduce((a, b) => a + b, 0);
		await setProfile({ dailySearchBudget: budget });
		const result = await dispatch(radarr);
		expect(result).toMatchObject({ sent: 3, searches: budget, stoppedBy: 'budget' });
		expect(postedSearches()).toBe(budget);
		expect(await dispatch(radarr)).toMatchObject({ sent: 0, stoppedBy: 'budget' });
	});

	it('starts again at local midnight of the configured time zone, not at UTC midnight', async () => {
		invalidateSettingsCache();
		const general = (await getSettings(world.db)).general;
		await updateSettings(world.db, 'general', { ...general, timeZone: 'Europe/Berlin' });
		// One search per command, three a day.
		const radarr = await queued({ maxItemsPerCommand: 1 });
		expect((await pendingCounts()).length).toBeGreaterThan(9);
		await setProfile({ dailySearchBudget: 3 });
		// Tomorrow (the queued searches are due from now on). Berlin is UTC+1 in winter, UTC+2 in
		// summer: `offset` is that day's, so local 23:59 is (23 − offset):59 UTC.
		const day = new Date(Date.now() + 86_400_000);
		const utc = (dayOffset: number, h: number, m: number) =>
			new Date(
				Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + dayOffset, h, m)
			);
		const offset = Number(localClockTime(utc(0, 12, 0), 'Europe/Berlin').slice(0, 2)) - 12;
		expect(
			new Intl.DateTimeFormat('en-GB', {
				timeZone: 'Europe/Berlin',
				hour: '2-digit',
				minute: '2-digit'
			}).format(utc(0, 23 - offset, 59))
		).toBe('23:59');

		// 23:59 local: the day's three.
		expect(await dispatch(radarr, utc(0, 23 - offset, 59))).toMatchObject({
			sent: 3,
			stoppedBy: 'budget'
		});
		// 00:01 local (still the same UTC day): a new local day, three more.
		expect(await dispatch(radarr, utc(0, 24 - offset, 1))).toMatchObject({
			sent: 3,
			stoppedBy: 'budget'
		});
		// 00:30 UTC (a new UTC day, but the same local day as 00:01 local): nothing.
		expect(await dispatch(radarr, utc(1, 0, 30))).toMatchObject({ sent: 0, stoppedBy: 'budget' });
		expect(postedSearches()).toBe(6);
		await updateSettings(world.db, 'general', general);
	});
});
