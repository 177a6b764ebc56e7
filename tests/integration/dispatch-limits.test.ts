/**
 * The dispatcher's limits against a real PostgreSQL and the *arr simulator: commands in flight,
 * batch size, active windows, download-queue backpressure, 429 / rate-limit pauses, two
 * dispatchers at once, and a POST whose answer was lost.
 * (The rolling window and the daily budget: pipeline.test.ts and guard-budget.test.ts.)
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { openDatabase } from '../../src/lib/server/db';
import {
	connectors,
	queuePauses,
	requestQueue,
	searchHistory,
	throttleProfiles,
	type Connector,
	type ThrottleProfile
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import type { ArrHttpOptions } from '../../src/lib/server/connectors/common/http';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import { dispatchConnector } from '../../src/lib/server/services/queue/dispatcher';
import { trackCommands } from '../../src/lib/server/services/queue/command-tracker';
import { recoverInFlight } from '../../src/lib/server/services/queue/recovery';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import {
	getPauseState,
	isDispatchPaused,
	pauseDispatch,
	resumeDispatch
} from '../../src/lib/server/services/queue/queue-admin';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { localClockTime } from '../../src/lib/server/time/active-windows';
import type { SimInstance } from '../arr-sim';

const world = useWorld();

/** Changes the default (Moderate) profile; the window and the in-flight limit are lifted. */
async function setProfile(patch: Partial<ThrottleProfile>) {
	await world.db
		.update(throttleProfiles)
		.set({ maxCommandsPerWindow: 100, maxInFlight: 100, dailySearchBudget: 10_000, ...patch })
		.where(eq(throttleProfiles.name, 'Moderate'));
}

async function queued(urlBase = '/radarr'): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'both' });
	return world.connector(connector.id);
}

async function dispatch(
	connector: Connector,
	options: { clock?: () => Date; client?: Partial<ArrHttpOptions> } = {}
) {
	return dispatchConnector({
		db: world.db,
		connector,
		client: clientFor(connector, world.secrets, options.client),
		profile: await profileFor(world.db, connector),
		...(options.clock ? { clock: options.clock } : {})
	});
}

function posts(sim: SimInstance) {
	return sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/command');
}

async function statusCounts(connectorId: number) {
	const rows = await world.db.execute<{ status: string; n: number }>(sql`
		select status, count(*)::int as n from request_queue where connector_id = ${connectorId}
		group by status`);
	return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function trackUntilDone(connector: Connector) {
	const profile = await profileFor(world.db, connector);
	for (let i = 0; i < 100; i++) {
		await trackCommands({
			db: world.db,
			connector,
			client: clientFor(connector, world.secrets),
			profile
		});
		if (!(await statusCounts(connector.id)).sent) return;
		await Bun.sleep(20);
	}
	throw new Error('commands did not finish');
}

describe('commands in flight', () => {
	it('never has more than maxInFlight of our commands running in the app', async () => {
		await setProfile({ maxInFlight: 2 });
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		const first = await dispatch(radarr);
		expect(first).toMatchObject({ sent: 2, stoppedBy: 'in_flight' });
		expect(posts(sim)).toHaveLength(2);
		// Still running (or not yet polled): nothing more.
		expect(await dispatch(radarr)).toMatchObject({ sent: 0, stoppedBy: 'in_flight' });
		expect(posts(sim)).toHaveLength(2);
		// Once the tracker saw them finish, the next two go.
		await trackUntilDone(radarr);
		expect(await dispatch(radarr)).toMatchObject({ sent: 2, stoppedBy: 'in_flight' });
		expect(posts(sim)).toHaveLength(4);
		// A row left `sending` (a POST whose fate is unknown) counts as in flight too.
		await trackUntilDone(radarr);
		const [next] = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.status, 'pending'))
			.limit(1);
		await world.db
			.update(requestQueue)
			.set({ status: 'sending', claimedAt: new Date() })
			.where(eq(requestQueue.id, next!.id));
		expect(await dispatch(radarr)).toMatchObject({ sent: 1, stoppedBy: 'in_flight' });
	});
});

describe('batch size', () => {
	it('puts at most the profile’s batch size of items in one command', async () => {
		await setProfile({ maxItemsPerCommand: 3 });
		const radarr = await queued();
		const result = await dispatch(radarr);
		expect(result.sent).toBeGreaterThan(3);
		const sizes = posts(world.sim.instance('/radarr')).map(
			(p) => (p.body as { movieIds: number[] }).movieIds.length
		);
		expect(Math.max(...sizes)).toBe(3);
	});
});

describe('active windows', () => {
	it('sends nothing outside the profile’s local windows and says when the next one opens', async () => {
		invalidateSettingsCache();
		const general = (await getSettings(world.db)).general;
		await updateSettings(world.db, 'general', { ...general, timeZone: 'Europe/Berlin' });
		await setProfile({ activeWindows: [{ start: '01:00', end: '07:00' }] });
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		// Tomorrow (queued searches are due from now on); `offset` is Berlin’s UTC offset that day.
		const day = new Date(Date.now() + 86_400_000);
		const utc = (h: number, m = 0) =>
			new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m));
		const offset = Number(localClockTime(utc(12), 'Europe/Berlin').slice(0, 2)) - 12;

		// 12:00 local: outside; the window opens at 01:00 local the next day.
		const noon = await dispatch(radarr, { clock: () => utc(12 - offset) });
		expect(noon).toMatchObject({ sent: 0, stoppedBy: 'outside_window' });
		expect(noon.opensAt?.toISOString()).toBe(
			new Date(utc(1 - offset).getTime() + 86_400_000).toISOString()
		);
		// 00:59 local: still outside.
		expect(await dispatch(radarr, { clock: () => utc(0 - offset, 59) })).toMatchObject({
			sent: 0,
			stoppedBy: 'outside_window'
		});
		expect(posts(sim)).toHaveLength(0);
		// 01:00 local: inside.
		const inside = await dispatch(radarr, { clock: () => utc(1 - offset) });
		expect(inside.sent).toBeGreaterThan(0);
		expect(posts(sim)).toHaveLength(inside.sent);
		await updateSettings(world.db, 'general', general);
	});
});

describe('download-queue backpressure', () => {
	function queueStatusReads(sim: SimInstance) {
		return sim.requests.filter((r) => r.path === '/api/v3/queue/status');
	}

	it('sends nothing while the download queue holds more than the connector’s limit', async () => {
		const radarr = await queued();
		expect(radarr.downloadQueueLimit).toBe(20);
		const sim = world.sim.instance('/radarr');
		sim.setDownloadQueue(20, 1);
		const held = await dispatch(radarr);
		expect(held).toMatchObject({ sent: 0, stoppedBy: 'backpressure', downloadQueue: 21 });
		expect(posts(sim)).toHaveLength(0);
		expect(queueStatusReads(sim)).toHaveLength(1);
		// At the limit (not above it) it sends again, reading the queue once per pass.
		sim.setDownloadQueue(20);
		const sent = await dispatch(radarr);
		expect(sent.sent).toBeGreaterThan(0);
		expect(queueStatusReads(sim)).toHaveLength(2);
	});

	it('does not ask when the limit is off, nor when nothing is due', async () => {
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		sim.setDownloadQueue(500);
		await world.db
			.update(connectors)
			.set({ downloadQueueLimit: null })
			.where(eq(connectors.id, radarr.id));
		const off = await dispatch(await world.connector(radarr.id));
		expect(off.sent).toBeGreaterThan(0);
		expect(queueStatusReads(sim)).toHaveLength(0);

		await world.db.delete(requestQueue).where(eq(requestQueue.status, 'pending'));
		const empty = await dispatch(radarr);
		expect(empty).toMatchObject({ sent: 0, stoppedBy: 'empty' });
		expect(queueStatusReads(sim)).toHaveLength(0);
	});

	it('dispatches normally when the queue size cannot be read', async () => {
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		sim.setFault('/api/v3/queue/status', { status: 500 });
		const result = await dispatch(radarr, { client: { retries: 0 } });
		expect(result.sent).toBeGreaterThan(0);
		expect(queueStatusReads(sim).length).toBeGreaterThan(0);
	});
});

describe('rate limits pause the connector', () => {
	it('pauses after a 429 for the profile’s error cooldown, says so, and resumes by itself', async () => {
		await setProfile({ errorCooldownSeconds: 600 });
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		sim.setFault('/api/v3/command', { status: 429 });
		const t0 = new Date(Date.now() + 60_000);
		const refused = await dispatch(radarr, { clock: () => t0, client: { retries: 0 } });
		expect(refused).toMatchObject({ sent: 0, failed: 1, stoppedBy: 'error' });
		sim.clearFaults();

		const until = new Date(t0.getTime() + 600_000);
		const { timeZone } = (await getSettings(world.db)).general;
		const pause = await isDispatchPaused(world.db, radarr.id, t0);
		expect(pause).toMatchObject({ paused: true, scope: 'connector' });
		expect(pause.paused && pause.until?.toISOString()).toBe(until.toISOString());
		expect(pause.paused && pause.reason).toBe(
			`Rate limited by Radarr (HTTP 429); dispatch resumes at ${localClockTime(until, timeZone)}`
		);
		expect((await getPauseState(world.db, t0)).connectors).toEqual([
			expect.objectContaining({ connectorId: radarr.id, until })
		]);
		// The refused command's items were not searched: back to pending, no attempt counted.
		const items = await world.db.execute<{ state: string; attempts: number }>(sql`
			select r.state, r.attempts from search_registry r join request_queue_items i on i.registry_id = r.id
			join request_queue q on q.id = i.request_id where q.status = 'failed'`);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((i) => i.state === 'pending' && i.attempts === 0)).toBe(true);

		const during = await dispatch(radarr, { clock: () => new Date(until.getTime() - 1000) });
		expect(during).toMatchObject({ sent: 0, stoppedBy: 'paused' });
		const after = await dispatch(radarr, { clock: () => new Date(until.getTime() + 1000) });
		expect(after.sent).toBeGreaterThan(0);
		expect(await isDispatchPaused(world.db, radarr.id, until)).toEqual({ paused: false });
	});

	it('lifts a rate-limit pause when a user resumes, and never shortens a user’s pause', async () => {
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		sim.setFault('/api/v3/command', { status: 429 });
		await dispatch(radarr, { client: { retries: 0 } });
		sim.clearFaults();
		expect((await isDispatchPaused(world.db, radarr.id)).paused).toBe(true);
		await resumeDispatch(world.db, { connectorId: radarr.id });
		expect(await isDispatchPaused(world.db, radarr.id)).toEqual({ paused: false });
		expect((await dispatch(radarr)).sent).toBeGreaterThan(0);

		// A user's pause, then a 429 (a command already in the app failing): the pause stays open-ended.
		await pauseDispatch(world.db, { connectorId: radarr.id, now: new Date() });
		const { pauseAfterRateLimit } = await import('../../src/lib/server/services/queue/dispatcher');
		await pauseAfterRateLimit(
			world.db,
			radarr,
			await profileFor(world.db, radarr),
			new Date(),
			'command'
		);
		const [row] = await world.db.select().from(queuePauses);
		expect(row).toMatchObject({ until: null, reason: null });
		const later = new Date(Date.now() + 86_400_000);
		expect((await isDispatchPaused(world.db, radarr.id, later)).paused).toBe(true);
	});

	it('pauses when a sent command finishes as rate limited', async () => {
		await setProfile({ errorCooldownSeconds: 300 });
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		await dispatch(radarr);
		const [sent] = await world.db
			.select()
			.from(requestQueue)
			.where(and(eq(requestQueue.connectorId, radarr.id), eq(requestQueue.status, 'sent')))
			.limit(1);
		// The app reports the command failed because the indexer answered 429.
		sim.setFault(`/api/v3/command/${sent!.arrCommandId}`, {
			status: 200,
			body: JSON.stringify({
				id: sent!.arrCommandId,
				name: 'MoviesSearch',
				status: 'failed',
				message: 'Indexer NZBgeek: HTTP 429 Too Many Requests',
				queued: new Date().toISOString().slice(0, 19) + 'Z',
				ended: new Date().toISOString().slice(0, 19) + 'Z',
				body: {}
			})
		});
		const now = new Date();
		const tracked = await trackCommands({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets),
			profile: await profileFor(world.db, radarr),
			clock: () => now
		});
		expect(tracked.pauseConnector).toBe(true);
		const pause = await isDispatchPaused(world.db, radarr.id, now);
		expect(pause.paused && pause.until?.toISOString()).toBe(
			new Date(now.getTime() + 300_000).toISOString()
		);
		expect(pause.paused && pause.reason).toMatch(
			/^A search was rate limited by Radarr; dispatch resumes at \d\d:\d\d$/
		);
	});
});

describe('two dispatchers at once', () => {
	it('never send the same batch, each on its own database connection', async () => {
		await setProfile({});
		const radarr = await queued();
		const total = (await statusCounts(radarr.id)).pending ?? 0;
		expect(total).toBeGreaterThan(4);
		const other = await openDatabase(inject('databaseUrl'), {
			migrationsDir: path.resolve('drizzle'),
			max: 2
		});
		try {
			const profile = await profileFor(world.db, radarr);
			const [a, b] = await Promise.all(
				[world.db, other].map((db) =>
					dispatchConnector({
						db,
						connector: radarr,
						client: clientFor(radarr, world.secrets),
						profile
					})
				)
			);
			const sim = world.sim.instance('/radarr');
			const bodies = posts(sim).map((p) => JSON.stringify(p.body));
			// Every batch went out exactly once between the two.
			expect(a!.sent + b!.sent).toBe(total);
			expect(bodies).toHaveLength(total);
			expect(new Set(bodies).size).toBe(total);
			const ids = await world.db.execute<{ arr_command_id: number }>(sql`
				select arr_command_id from request_queue where status = 'sent'`);
			expect(new Set(ids.map((r) => r.arr_command_id)).size).toBe(total);
		} finally {
			await other.$client.end();
		}
	});
});

describe('a crash between recorded and sent', () => {
	it('resolves a row left sending by adopting the command the app got, without a second POST', async () => {
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		// The app takes the POST but the answer never reaches us (our client gives up first).
		sim.setFault('/api/v3/command', { delayMs: 1500, times: 1 });
		const lost = await dispatch(radarr, { client: { timeoutMs: 200, retries: 0 } });
		expect(lost).toMatchObject({ sent: 0, failed: 0, stoppedBy: 'error' });
		await Bun.sleep(1500); // the app handles the POST once its delay is over
		const [left] = await world.db
			.select()
			.from(requestQueue)
			.where(eq(requestQueue.status, 'sending'));
		expect(left?.arrCommandId).toBeNull();
		expect(posts(sim)).toHaveLength(1);
		expect(sim.commands).toHaveLength(1);

		const result = await recoverInFlight({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets),
			profile: await profileFor(world.db, radarr),
			claimedBefore: new Date(Date.now() + 60_000)
		});
		expect(result).toEqual({ adopted: 1, resent: 0, abandoned: 0 });
		const [after] = await world.db.select().from(requestQueue).where(eq(requestQueue.id, left!.id));
		expect(after).toMatchObject({ status: 'sent', arrCommandId: sim.commands[0]!.id });
		expect(posts(sim)).toHaveLength(1);
	});
});

describe('re-sending orphans after a crash', () => {
	/** Leaves `count` pending rows as a crash before the POST would: `sending`, no command id. */
	async function orphans(connector: Connector, count: number, claimedAt: Date) {
		const rows = await world.db.execute<{ id: number }>(sql`
			update request_queue set status = 'sending', claimed_at = ${claimedAt.toISOString()}::timestamptz
			where id in (select id from request_queue where connector_id = ${connector.id}
				and status = 'pending' order by id limit ${count})
			returning id`);
		expect(rows).toHaveLength(count);
		return rows.map((r) => r.id);
	}

	async function recover(connector: Connector, now: Date) {
		return recoverInFlight({
			db: world.db,
			connector,
			client: clientFor(connector, world.secrets, { retries: 0 }),
			profile: await profileFor(world.db, connector),
			clock: () => now
		});
	}

	it('pauses dispatch when a re-send is answered 429, and re-sends nothing more in that pass', async () => {
		await setProfile({ errorCooldownSeconds: 600 });
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		const now = new Date();
		const ids = await orphans(radarr, 2, new Date(now.getTime() - 3 * 60_000));
		sim.setFault('/api/v3/command', { status: 429, method: 'POST' });

		const result = await recover(radarr, now);
		expect(result).toEqual({ adopted: 0, resent: 0, abandoned: 0 });
		// The first orphan was tried once; the second was not asked for at all.
		expect(posts(sim)).toHaveLength(1);
		const pause = await isDispatchPaused(world.db, radarr.id, now);
		expect(pause).toMatchObject({ paused: true, scope: 'connector' });
		expect(pause.paused && pause.until?.toISOString()).toBe(
			new Date(now.getTime() + 600_000).toISOString()
		);
		const left = await world.db
			.select({ status: requestQueue.status })
			.from(requestQueue)
			.where(sql`${requestQueue.id} in (${sql.join(ids, sql`, `)})`);
		expect(left.map((r) => r.status)).toEqual(['sending', 'sending']);
	});

	it('finishes an orphan older than the app keeps its command list as unknown, sending nothing', async () => {
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		const now = new Date();
		// Claimed before the app's retention: whether the app ever got it can no longer be read.
		const [id] = await orphans(radarr, 1, new Date(now.getTime() - 6 * 60_000));

		expect(await recover(radarr, now)).toEqual({ adopted: 0, resent: 0, abandoned: 1 });
		expect(posts(sim)).toHaveLength(0);
		const [row] = await world.db.select().from(requestQueue).where(eq(requestQueue.id, id!));
		expect(row).toMatchObject({ status: 'completed', arrCommandId: null });
		const history = await world.db
			.select()
			.from(searchHistory)
			.where(eq(searchHistory.requestId, id!));
		expect(history).toHaveLength(1);
		expect(history[0]).toMatchObject({ outcome: 'unknown' });
		expect(history[0]!.message).toMatch(/stopped while sending/);
		// Its items were searched as far as we know: they cool down instead of going out again.
		const items = await world.db.execute<{ state: string; failure_category: string | null }>(sql`
			select r.state, r.failure_category from search_registry r
			join request_queue_items i on i.registry_id = r.id where i.request_id = ${id!}`);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((r) => r.state === 'cooldown' && r.failure_category === 'app_error')).toBe(
			true
		);
		// A second pass finds nothing left to resolve.
		expect(await recover(radarr, now)).toEqual({ adopted: 0, resent: 0, abandoned: 0 });
	});

	it('re-sends nothing while dispatch is paused, and both once it resumes', async () => {
		const radarr = await queued();
		const sim = world.sim.instance('/radarr');
		const now = new Date();
		await orphans(radarr, 2, new Date(now.getTime() - 3 * 60_000));
		await pauseDispatch(world.db, { connectorId: radarr.id, now });

		expect(await recover(radarr, now)).toEqual({ adopted: 0, resent: 0, abandoned: 0 });
		expect(posts(sim)).toHaveLength(0);

		await resumeDispatch(world.db, { connectorId: radarr.id });
		expect(await recover(radarr, now)).toEqual({ adopted: 0, resent: 2, abandoned: 0 });
		expect(posts(sim)).toHaveLength(2);
	});
});
