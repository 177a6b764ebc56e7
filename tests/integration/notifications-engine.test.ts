/**
 * The notification engine end to end: events appended to `events` → router → outbox → delivery
 * to real local HTTP receivers (the signed generic webhook), on the real PostgreSQL, with a test
 * clock. Nothing is mocked: a failing channel is a receiver answering 500.
 */
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { appendEvents } from '../../src/lib/server/db/queries/events';
import {
	connectors,
	eventCursors,
	events,
	notificationChannels,
	notificationDeliveries,
	notificationOutbox,
	type NotificationChannelRow
} from '../../src/lib/server/db/schema';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import {
	sealSecrets,
	splitConfig
} from '../../src/lib/server/services/notifications/channel-config';
import {
	attemptDelivery,
	deliverDue,
	DELIVERY_RULES,
	ensureCursor,
	ERROR_THRESHOLDS,
	recordAppStarted,
	routeEvents,
	routeJob,
	testMessage
} from '../../src/lib/server/services/notifications';
import { updateSettings } from '../../src/lib/server/services/settings/settings-service';
import type { NewEvent } from '../../src/lib/types/events';
import type { QuietHours } from '../../src/lib/types/notifications';
import { closedPort, startHttpReceiver, type HttpReceiver } from '../helpers/receivers';
import { resetDb, testDb } from '../helpers/db';

const box = createSecretBox('engine test secret');
let db: Database;
let a: HttpReceiver;
let b: HttpReceiver;
let now: Date;
const clock = () => now;
const T0 = new Date('2026-12-02T12:00:00.000Z');
const MIN = 60_000;

function advance(ms: number): void {
	now = new Date(now.getTime() + ms);
}

beforeAll(async () => {
	db = await testDb();
	a = startHttpReceiver();
	b = startHttpReceiver();
});

afterAll(async () => {
	await a.close();
	await b.close();
});

beforeEach(async () => {
	await resetDb(db);
	a.reset();
	b.reset();
	now = T0;
	await ensureCursor(db);
});

interface ChannelInput {
	name?: string;
	url?: string;
	events?: string[];
	minSeverity?: NotificationChannelRow['minSeverity'];
	connectorIds?: number[];
	batchWindowSeconds?: number;
	quietHours?: QuietHours | null;
	maxPerHour?: number | null;
	enabled?: boolean;
}

let channelCount = 0;
async function addChannel(input: ChannelInput = {}): Promise<NotificationChannelRow> {
	const { config, secrets } = splitConfig('webhook', {
		url: input.url ?? `${a.url}/hook`,
		secret: 'hmac secret'
	});
	const [row] = await db
		.insert(notificationChannels)
		.values({
			type: 'webhook',
			name: input.name ?? `channel ${++channelCount}`,
			enabled: input.enabled ?? true,
			config,
			secretsEncrypted: sealSecrets(secrets, box),
			events: input.events ?? ['*'],
			minSeverity: input.minSeverity ?? 'info',
			connectorIds: input.connectorIds ?? [],
			batchWindowSeconds: input.batchWindowSeconds ?? 0,
			quietHours: input.quietHours ?? null,
			maxPerHour: input.maxPerHour ?? null
		})
		.returning();
	return row!;
}

async function addConnector(name: string): Promise<number> {
	const [row] = await db
		.insert(connectors)
		.values({
			type: 'sonarr',
			name,
			url: 'http://127.0.0.1:1',
			apiKeyEncrypted: box.encrypt('0123456789abcdef0123456789abcdef'),
			apiKeyHint: 'cdef'
		})
		.returning({ id: connectors.id });
	return row!.id;
}

/** Appends events created at the test clock's now (or their own `createdAt`). */
async function append(...list: NewEvent[]): Promise<void> {
	await appendEvents(
		db,
		list.map((e) => ({ createdAt: now, ...e }))
	);
}

const acquired = (seriesId: number, episodeIds: number[], connectorId: number | null = null) =>
	({
		type: 'item.acquired',
		connectorId,
		subject: { seriesId, episodeIds },
		payload: { kind: 'episode', qualities: ['WEBDL-1080p'] }
	}) satisfies NewEvent;
const syncFailed = (connectorId: number | null = null): NewEvent => ({
	type: 'sync.failed',
	connectorId,
	payload: { error: 'Sonarr answered 503 Service Unavailable' }
});
const sweep = (connectorId: number | null = null): NewEvent => ({
	type: 'sweep.completed',
	connectorId,
	payload: { gaps: 3, upgrades: 1, queuedBatches: 1, queuedSearches: 4 }
});

const route = () => routeEvents({ db, clock });
const deliver = (database: Database = db) => deliverDue({ db: database, secrets: box, clock });

async function outbox() {
	return db.select().from(notificationOutbox).orderBy(asc(notificationOutbox.id));
}
async function deliveriesOf(channelId: number) {
	return db
		.select()
		.from(notificationDeliveries)
		.where(eq(notificationDeliveries.channelId, channelId))
		.orderBy(asc(notificationDeliveries.id));
}
function titles(receiver: HttpReceiver): string[] {
	return receiver.requests.map((r) => (r.json as { title: string }).title);
}

describe('routing and delivery', () => {
	it('sends one message per event at once without a batching window, and logs the attempt', async () => {
		const channel = await addChannel();
		await append(acquired(10, [1]), sweep());
		const routed = await route();
		expect(routed).toMatchObject({ read: 2, routed: 2, created: 2 });
		const result = await deliver();
		expect(result).toMatchObject({ claimed: 2, sent: 2, failed: 0, retrying: 0 });
		expect(titles(a)).toEqual([
			'Acquired: series 10',
			'Sweep of Comradarr: queued 1 command (4 searches)'
		]);
		expect(a.requests[0]!.headers['x-comradarr-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		const rows = await outbox();
		expect(rows.map((r) => [r.status, r.attempts])).toEqual([
			['sent', 1],
			['sent', 1]
		]);
		expect(rows[0]!.sentAt).toEqual(T0);
		expect(rows[0]!.message?.title).toBe('Acquired: series 10');
		const log = await deliveriesOf(channel.id);
		expect(log).toHaveLength(2);
		expect(log[0]).toMatchObject({
			outboxId: rows[0]!.id,
			eventType: 'item.acquired',
			attempt: 1,
			status: 'sent',
			responseCode: 200,
			error: null
		});
		expect(log[0]!.durationMs).toBeGreaterThanOrEqual(0);
		// Nothing is sent twice.
		expect(await deliver()).toMatchObject({ claimed: 0 });
		expect(a.requests).toHaveLength(2);
	});

	it('merges similar events within the batching window into one digest sent when it ends', async () => {
		await addChannel({ batchWindowSeconds: 300 });
		await append(acquired(10, [1, 2]));
		await route();
		advance(MIN);
		await append(acquired(11, [3]), sweep());
		await route();
		advance(2 * MIN);
		await append(acquired(12, [4, 5, 6]));
		await route();
		expect(await outbox()).toHaveLength(2); // one per event type
		advance(MIN); // 4 min after the first event: the window is still open
		expect(await deliver()).toMatchObject({ claimed: 0 });
		expect(a.requests).toHaveLength(0);
		advance(MIN + 1000); // 5 min after the first
		expect(await deliver()).toMatchObject({ sent: 1 });
		expect(titles(a)).toEqual(['Acquired 6 episodes across 3 series']);
		const body = a.requests[0]!.json as { events: unknown[] };
		expect(body.events).toHaveLength(3);
		// An event after the window closed opens a new row instead of joining the sent one.
		await append(acquired(13, [7]));
		expect(await route()).toMatchObject({ created: 1, extended: 0 });
		advance(MIN); // the sweep's window (opened a minute in) ends
		expect(await deliver()).toMatchObject({ sent: 1 });
		expect(titles(a)[1]).toBe('Sweep of Comradarr: queued 1 command (4 searches)');
	});

	it('holds events in quiet hours and sends them as one digest when they end', async () => {
		now = new Date('2026-12-02T23:00:00.000Z');
		await addChannel({ quietHours: { start: '22:00', end: '07:00', timezone: 'UTC' } });
		await append(acquired(10, [1]), acquired(11, [2, 3]), sweep());
		await route();
		advance(30 * MIN);
		await append(sweep());
		await route();
		const rows = await outbox();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ eventType: 'digest', status: 'pending' });
		expect(rows[0]!.eventIds).toHaveLength(4);
		expect(rows[0]!.notBefore).toEqual(new Date('2026-12-03T07:00:00.000Z'));
		now = new Date('2026-12-03T06:59:00.000Z');
		expect(await deliver()).toMatchObject({ claimed: 0 });
		now = new Date('2026-12-03T07:00:00.000Z');
		expect(await deliver()).toMatchObject({ sent: 1 });
		expect(titles(a)).toEqual(['Acquired 3 episodes across 2 series; 2 sweeps queued 8 searches']);
		expect((a.requests[0]!.json as { eventType: string }).eventType).toBe('digest');
	});

	it('lets errors through quiet hours unless the channel says otherwise', async () => {
		now = new Date('2026-12-02T23:00:00.000Z');
		const quiet = { start: '22:00', end: '07:00', timezone: 'UTC' };
		await addChannel({ quietHours: quiet, url: `${a.url}/pass` });
		await addChannel({ quietHours: { ...quiet, errorsPassThrough: false }, url: `${b.url}/hold` });
		await append(syncFailed(), sweep());
		await route();
		await deliver();
		expect(titles(a)).toEqual(['Sync of Comradarr failed']);
		expect(b.requests).toHaveLength(0);
		now = new Date('2026-12-03T07:00:00.000Z');
		await deliver();
		expect(titles(a)).toHaveLength(2); // the held sweep
		expect(titles(b)).toEqual(['1 sync failed; 1 sweep queued 4 searches']);
	});

	it('holds a batch that falls due in quiet hours until they end', async () => {
		now = new Date('2026-12-02T21:58:00.000Z');
		await addChannel({
			batchWindowSeconds: 300,
			quietHours: { start: '22:00', end: '07:00', timezone: 'UTC' }
		});
		await append(acquired(10, [1]));
		await route();
		now = new Date('2026-12-02T22:03:00.000Z');
		expect(await deliver()).toMatchObject({ claimed: 0, postponed: 1 });
		expect(a.requests).toHaveLength(0);
		now = new Date('2026-12-03T07:00:00.000Z');
		expect(await deliver()).toMatchObject({ sent: 1 });
	});

	it('keeps to the hourly limit by merging the rest into one digest, never dropping events', async () => {
		const channel = await addChannel({ maxPerHour: 2 });
		await append(acquired(10, [1]), acquired(11, [2]), acquired(12, [3]), sweep(), sweep());
		await route();
		expect(await deliver()).toMatchObject({ sent: 2, postponed: 3, dropped: 2 });
		expect(a.requests).toHaveLength(2);
		const rows = await outbox();
		const pending = rows.filter((r) => r.status === 'pending');
		expect(pending).toHaveLength(1);
		expect(pending[0]!.eventIds).toHaveLength(3);
		expect(pending[0]!.eventType).toBe('digest');
		expect(pending[0]!.notBefore).toEqual(new Date(T0.getTime() + 60 * MIN));
		expect(rows.filter((r) => r.status === 'dropped').map((r) => r.lastError)).toEqual([
			`Merged into message #${pending[0]!.id} (hourly limit).`,
			`Merged into message #${pending[0]!.id} (hourly limit).`
		]);
		advance(30 * MIN);
		expect(await deliver()).toMatchObject({ claimed: 0 });
		advance(30 * MIN);
		expect(await deliver()).toMatchObject({ sent: 1 });
		expect(titles(a)[2]).toBe('Acquired 1 episode of series 12; 2 sweeps queued 8 searches');
		expect((await deliveriesOf(channel.id)).every((d) => d.status === 'sent')).toBe(true);
	});

	it('filters by event type, severity and connector', async () => {
		const c1 = await addConnector('Sonarr');
		const c2 = await addConnector('Sonarr 4K');
		const byType = await addChannel({ events: ['sync.failed', 'sweep.completed'] });
		const bySeverity = await addChannel({ minSeverity: 'warning' });
		const byConnector = await addChannel({ connectorIds: [c1] });
		const disabled = await addChannel({ enabled: false });
		await append(
			acquired(10, [1], c1),
			acquired(11, [2], c2),
			syncFailed(c2),
			{
				type: 'connector.health_changed',
				connectorId: c1,
				payload: { from: 'healthy', to: 'offline' }
			},
			{
				type: 'connector.health_changed',
				connectorId: c1,
				payload: { from: 'offline', to: 'healthy' }
			},
			{ type: 'app.started', connectorId: null, payload: { version: '1.0.0' } }
		);
		await route();
		const rows = await outbox();
		const typesOf = (id: number) => rows.filter((r) => r.channelId === id).map((r) => r.eventType);
		expect(typesOf(byType.id)).toEqual(['sync.failed']);
		expect(typesOf(bySeverity.id)).toEqual(['sync.failed', 'connector.health_changed']);
		expect(typesOf(byConnector.id)).toEqual([
			'item.acquired',
			'connector.health_changed',
			'connector.health_changed',
			'app.started'
		]);
		expect(typesOf(disabled.id)).toEqual([]);
	});
});

describe('failures and retries', () => {
	it('retries a failing channel with backoff while another channel is delivered on time', async () => {
		a.setDefault({ status: 500, body: 'boom', delayMs: 1500 });
		const failing = await addChannel({ url: `${a.url}/down` });
		const healthy = await addChannel({ url: `${b.url}/up` });
		await append(sweep());
		await route();
		const started = Date.now();
		const pass = deliver();
		while (b.requests.length === 0 && Date.now() - started < 5000) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(Date.now() - started).toBeLessThan(1000); // not behind the slow, failing channel
		expect(a.requests).toHaveLength(1);
		expect(await pass).toMatchObject({ sent: 1, retrying: 1 });
		const [row] = await db
			.select()
			.from(notificationOutbox)
			.where(eq(notificationOutbox.channelId, failing.id));
		expect(row).toMatchObject({ status: 'pending', attempts: 1 });
		const wait = row!.notBefore.getTime() - now.getTime();
		expect(wait).toBeGreaterThanOrEqual(0.75 * DELIVERY_RULES.backoffBaseMs);
		expect(wait).toBeLessThanOrEqual(1.25 * DELIVERY_RULES.backoffBaseMs);
		expect(row!.lastError).toMatch(/500/);
		expect(await deliveriesOf(failing.id)).toMatchObject([
			{ attempt: 1, status: 'failed', responseCode: 500 }
		]);
		expect(await deliveriesOf(healthy.id)).toMatchObject([{ status: 'sent', responseCode: 200 }]);

		advance(20_000); // before the backoff: not retried
		expect(await deliver()).toMatchObject({ claimed: 0 });
		expect(a.requests).toHaveLength(1);
		a.setDefault({ status: 200 });
		// A template edited meanwhile does not change a message already attempted.
		await db
			.update(notificationChannels)
			.set({ templates: { title: 'Edited {event_type}' } })
			.where(eq(notificationChannels.id, failing.id));
		advance(20_000);
		expect(await deliver()).toMatchObject({ sent: 1 });
		expect(a.requests).toHaveLength(2);
		// The retry sends the text fixed at the first attempt.
		expect(a.requests[1]!.json).toMatchObject({
			title: (a.requests[0]!.json as { title: string }).title
		});
		expect((await deliveriesOf(failing.id)).map((d) => [d.attempt, d.status])).toEqual([
			[1, 'failed'],
			[2, 'sent']
		]);
	});

	it('fails a 400 at once, without retrying', async () => {
		a.setDefault({ status: 400, body: 'bad request' });
		const channel = await addChannel();
		await append(sweep());
		await route();
		expect(await deliver()).toMatchObject({ failed: 1, retrying: 0 });
		const [row] = await outbox();
		expect(row).toMatchObject({ status: 'failed', attempts: 1 });
		expect(row!.lastError).toMatch(/^Not retried: /);
		advance(24 * 60 * MIN);
		expect(await deliver()).toMatchObject({ claimed: 0 });
		expect(await deliveriesOf(channel.id)).toHaveLength(1);
	});

	it('gives up after the attempt limit', async () => {
		a.setDefault({ status: 503 });
		const channel = await addChannel();
		await append(sweep());
		await route();
		for (let i = 0; i < DELIVERY_RULES.maxAttempts + 2; i++) {
			await deliver();
			advance(DELIVERY_RULES.backoffCapMs * 1.25 + 1000);
		}
		const [row] = await outbox();
		expect(row).toMatchObject({ status: 'failed', attempts: DELIVERY_RULES.maxAttempts });
		expect(row!.lastError).toMatch(/^Gave up after 8 attempts/);
		expect(a.requests).toHaveLength(DELIVERY_RULES.maxAttempts);
		const log = await deliveriesOf(channel.id);
		expect(log.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
	});

	it('retries a network failure once within the pass, then backs off', async () => {
		const channel = await addChannel({ url: `http://127.0.0.1:${await closedPort()}/hook` });
		await append(sweep());
		await route();
		expect(await deliver()).toMatchObject({ retrying: 1, attempts: 2 });
		const log = await deliveriesOf(channel.id);
		expect(log.map((d) => [d.attempt, d.status, d.responseCode])).toEqual([
			[1, 'failed', null],
			[2, 'failed', null]
		]);
		expect((await outbox())[0]).toMatchObject({ status: 'pending', attempts: 2 });
	});

	it('gives each attempt a timeout, so a receiver that never answers cannot hold the pass', async () => {
		a.setDefault({ status: 200, delayMs: 5000 });
		const channel = await addChannel();
		await append(sweep());
		await route();
		const started = Date.now();
		const result = await deliverDue({ db, secrets: box, clock, timeoutMs: 300 });
		expect(Date.now() - started).toBeLessThan(3000);
		expect(result).toMatchObject({ retrying: 1, attempts: 2 });
		const log = await deliveriesOf(channel.id);
		expect(log.map((d) => [d.status, d.responseCode])).toEqual([
			['failed', null],
			['failed', null]
		]);
	});

	it('does not send a row again from a pass that starts while it is being sent', async () => {
		a.setDefault({ status: 200, delayMs: 800 });
		await addChannel();
		await append(sweep());
		await route();
		const first = deliver();
		while (a.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		expect(await deliver()).toMatchObject({ claimed: 0 });
		expect(await first).toMatchObject({ sent: 1 });
		expect(a.requests).toHaveLength(1);
	});

	it('sends a row again after its lease when the process sending it died', async () => {
		const channel = await addChannel();
		await append(sweep());
		await route();
		const [row] = await outbox();
		// What a claim leaves behind when the process dies before the send is recorded.
		await db
			.update(notificationOutbox)
			.set({
				attempts: 1,
				message: testMessage('claimed', { now }),
				notBefore: new Date(now.getTime() + DELIVERY_RULES.leaseMs)
			})
			.where(eq(notificationOutbox.id, row!.id));
		expect(await deliver()).toMatchObject({ claimed: 0 });
		advance(DELIVERY_RULES.leaseMs);
		expect(await deliver()).toMatchObject({ sent: 1 });
		expect(titles(a)).toEqual(['Test notification from Comradarr']);
		expect(await deliveriesOf(channel.id)).toMatchObject([{ attempt: 2, status: 'sent' }]);
	});

	it('never sends one row twice from two processes delivering at once', async () => {
		await addChannel();
		await append(...Array.from({ length: 30 }, (_, i) => acquired(100 + i, [i])));
		await route();
		const other = await openDatabase(inject('databaseUrl'), {
			migrationsDir: path.resolve('drizzle'),
			max: 2
		});
		try {
			const [r1, r2] = await Promise.all([deliver(db), deliver(other)]);
			expect(r1.sent + r2.sent).toBe(30);
		} finally {
			await other.$client.close();
		}
		expect(a.requests).toHaveLength(30);
		const sentIds = a.requests.map((r) => (r.json as { events: { id: number }[] }).events[0]!.id);
		expect(new Set(sentIds).size).toBe(30);
	});
});

describe('nothing lost, nothing twice', () => {
	it('delivers after a restart between routing and delivery (a fresh connection and engine)', async () => {
		await addChannel({ batchWindowSeconds: 60 });
		await append(acquired(10, [1]), acquired(10, [2]));
		await route();
		const fresh = await openDatabase(inject('databaseUrl'), {
			migrationsDir: path.resolve('drizzle'),
			max: 2
		});
		try {
			advance(61_000);
			expect(
				await deliverDue({ db: fresh, secrets: createSecretBox('engine test secret'), clock })
			).toMatchObject({ sent: 1 });
		} finally {
			await fresh.$client.close();
		}
		expect(titles(a)).toEqual(['Acquired 2 episodes of series 10']);
	});

	it('does not step over an event whose transaction is still open, and routes each event once', async () => {
		await addChannel();
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let appended!: () => void;
		const inserted = new Promise<void>((resolve) => (appended = resolve));
		const slow = db.transaction(async (tx) => {
			await appendEvents(tx, [{ ...sweep(), createdAt: now }]);
			appended();
			await gate;
		});
		await inserted;
		try {
			await append(acquired(10, [1])); // a later id, committed first
			expect(await route()).toMatchObject({ read: 0, waitingForGap: true });
			expect(await route()).toMatchObject({ read: 0, waitingForGap: true });
		} finally {
			release(); // never leave the transaction open (the next reset would wait for it)
			await slow;
		}
		expect(await route()).toMatchObject({ read: 2, routed: 2 });
		expect(await route()).toMatchObject({ read: 0 });
		await deliver();
		expect(a.requests).toHaveLength(2);
		expect((await outbox()).map((r) => r.eventIds)).toEqual([[1], [2]]);
	});

	it('steps over the id of a rolled-back transaction once it is certainly gone', async () => {
		await addChannel();
		let appended!: () => void;
		const inserted = new Promise<void>((resolve) => (appended = resolve));
		let fail!: () => void;
		const gate = new Promise<void>((resolve) => (fail = resolve));
		const rolledBack = db
			.transaction(async (tx) => {
				await appendEvents(tx, [{ ...sweep(), createdAt: now }]);
				appended();
				await gate;
				throw new Error('roll back');
			})
			.catch(() => 'rolled back');
		await inserted;
		try {
			await append(acquired(10, [1]));
			expect(await route()).toMatchObject({ read: 0, waitingForGap: true });
		} finally {
			fail();
		}
		expect(await rolledBack).toBe('rolled back');
		// Transaction ids are cluster-wide: another database's open transaction on the same server
		// delays the certainty a little; it never lets the router step over too early.
		let result = await route();
		for (let i = 0; i < 50 && result.read === 0; i++) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			result = await route();
		}
		expect(result).toMatchObject({ read: 1, routed: 1, waitingForGap: false });
	});

	it('starts a new cursor at the newest event, so history is not replayed', async () => {
		await db.delete(eventCursors);
		await addChannel();
		await append(sweep(), sweep());
		expect(await route()).toMatchObject({ read: 0 });
		const [cursor] = await db.select().from(eventCursors);
		expect(cursor!.lastEventId).toBe(2);
		await append(sweep());
		expect(await route()).toMatchObject({ read: 1, routed: 1 });
	});

	it('records app.started at start-up and routes it', async () => {
		await db.delete(eventCursors);
		await append(sweep()); // history before the upgrade
		await addChannel();
		await recordAppStarted(db, { version: '9.9.9', now });
		await route();
		await deliver();
		expect(titles(a)).toEqual(['Comradarr started']);
	});

	it('routes nothing while notifications are off, and does not replay that time later', async () => {
		await addChannel();
		await updateSettings(db, 'notifications', { enabled: false, publicUrl: '' });
		await append(sweep(), syncFailed());
		expect(await route()).toMatchObject({ read: 2, routed: 0, disabled: true });
		expect(await outbox()).toHaveLength(0);
		await updateSettings(db, 'notifications', { enabled: true, publicUrl: 'https://c.example' });
		expect(await route()).toMatchObject({ read: 0 });
		await append(sweep());
		await route();
		await deliver();
		expect(a.requests).toHaveLength(1);
		expect((a.requests[0]!.json as { url: string }).url).toBe('https://c.example/');
	});
});

describe('error threshold', () => {
	it('raises one errors.threshold_exceeded after N failures of one connector within the window', async () => {
		const c1 = await addConnector('Sonarr');
		const c2 = await addConnector('Radarr');
		await addChannel({ events: ['errors.threshold_exceeded'] });
		const rule = ERROR_THRESHOLDS.find((t) => t.kind === 'sync.failed')!;
		for (let i = 0; i < rule.count - 1; i++) {
			await append(syncFailed(c1), syncFailed(c2));
			advance(5 * MIN);
		}
		expect(await route()).toMatchObject({ alerts: 0 });
		await append(syncFailed(c1));
		expect(await route()).toMatchObject({ alerts: 1 });
		await append(syncFailed(c1)); // the sixth: still within the window of the alert
		expect(await route()).toMatchObject({ alerts: 0 });
		const alerts = await db
			.select()
			.from(events)
			.where(eq(events.type, 'errors.threshold_exceeded'));
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({
			connectorId: c1,
			payload: { kind: 'sync.failed', count: rule.count, threshold: rule.count, windowMinutes: 60 }
		});
		await deliver();
		expect(titles(a)).toEqual(['5 failed syncs within 60 min on Sonarr']);
		expect((a.requests[0]!.json as { severity: string }).severity).toBe('error');
	});

	it('does not count failures older than the window', async () => {
		const c1 = await addConnector('Sonarr');
		for (let i = 0; i < 5; i++) {
			await append(syncFailed(c1));
			advance(20 * MIN); // 5 failures over 80 minutes
		}
		expect(await route()).toMatchObject({ alerts: 0 });
	});
});

describe('attemptDelivery', () => {
	it('sends a test notification once and logs it without an outbox row', async () => {
		const channel = await addChannel();
		const { result, deliveryId } = await attemptDelivery(
			db,
			box,
			channel,
			testMessage(channel.name),
			{
				outboxId: null,
				attempt: 1,
				eventType: 'test'
			}
		);
		expect(result).toMatchObject({ ok: true, responseCode: 200 });
		const [row] = await db
			.select()
			.from(notificationDeliveries)
			.where(and(eq(notificationDeliveries.id, deliveryId)));
		expect(row).toMatchObject({ outboxId: null, eventType: 'test', status: 'sent', attempt: 1 });
		expect(titles(a)).toEqual(['Test notification from Comradarr']);
	});

	it('reports credentials that no longer decrypt as a failure that is not retried', async () => {
		const channel = await addChannel();
		const { result } = await attemptDelivery(
			db,
			createSecretBox('another secret'),
			channel,
			testMessage('x'),
			{
				outboxId: null,
				attempt: 1,
				eventType: 'test'
			}
		);
		expect(result).toMatchObject({ ok: false, retryable: false, responseCode: null });
		expect(a.requests).toHaveLength(0);
	});
});

describe('jobs', () => {
	it('notifications.route routes and delivers what is due in one run', async () => {
		await addChannel();
		await append(sweep());
		const outcome = await routeJob({ db, secrets: box, clock });
		expect(outcome.result).toMatchObject({ read: 1, routed: 1, sent: 1 });
		expect(a.requests).toHaveLength(1);
		expect((await routeJob({ db, secrets: box, clock })).result).toMatchObject({ idle: true });
	});
});
