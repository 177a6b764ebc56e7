/**
 * Maintenance and notifications: Prune and Vacuum report `maintenance.completed`, and Prune
 * removes month-old finished notifications and delivery attempts (never pending ones).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db';
import {
	events,
	notificationChannels,
	notificationDeliveries,
	notificationOutbox
} from '../../src/lib/server/db/schema';
import { moduleLogger } from '../../src/lib/server/logger';
import {
	PRUNE_RULES,
	pruneDescription,
	pruneJob,
	vacuumJob
} from '../../src/lib/server/services/database/maintenance-jobs';
import { uploadsDir } from '../../src/lib/server/services/database/uploads';
import type { JobContext } from '../../src/lib/server/services/jobs';
import { resetDb, testDb } from '../helpers/db';

let db: Database;
let dataDir: string;
const now = new Date('2026-12-02T12:00:00.000Z');
const DAY = 24 * 60 * 60_000;
const ago = (ms: number) => new Date(now.getTime() - ms);

const ctx: JobContext = {
	runId: 0,
	log: moduleLogger('test'),
	progress: () => {},
	step: () => {},
	holdWrites: (task) => task()
};

beforeAll(async () => {
	db = await testDb();
	dataDir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-notif-maint-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
beforeEach(() => resetDb(db));

async function maintenanceEvents() {
	return db
		.select()
		.from(events)
		.where(eq(events.type, 'maintenance.completed'))
		.orderBy(asc(events.id));
}

describe('maintenance and notifications', () => {
	it('Prune removes finished notification records past their retention, keeps pending ones, and reports', async () => {
		const [channel] = await db
			.insert(notificationChannels)
			.values({ type: 'webhook', name: 'hook', config: { url: 'http://127.0.0.1:1/' } })
			.returning();
		const old = ago((PRUNE_RULES.notificationDays + 1) * DAY);
		const recent = ago((PRUNE_RULES.notificationDays - 1) * DAY);
		const base = {
			channelId: channel!.id,
			eventType: 'sweep.completed',
			severity: 'info' as const
		};
		const rows = await db
			.insert(notificationOutbox)
			.values([
				{ ...base, eventIds: [1], status: 'sent', createdAt: old, sentAt: old },
				{ ...base, eventIds: [2], status: 'failed', createdAt: old },
				{ ...base, eventIds: [3], status: 'dropped', createdAt: old },
				{ ...base, eventIds: [4], status: 'pending', createdAt: old },
				{ ...base, eventIds: [5], status: 'sent', createdAt: old, sentAt: recent }
			])
			.returning({ id: notificationOutbox.id });
		await db.insert(notificationDeliveries).values([
			{
				channelId: channel!.id,
				outboxId: rows[0]!.id,
				eventType: 'x',
				status: 'sent',
				durationMs: 3,
				createdAt: old
			},
			{
				channelId: channel!.id,
				outboxId: rows[4]!.id,
				eventType: 'x',
				status: 'sent',
				durationMs: 3,
				createdAt: recent
			}
		]);

		const outcome = await pruneJob({
			db,
			uploadsDir: uploadsDir(dataDir),
			clock: () => now
		})(ctx);
		expect(outcome.result).toMatchObject({ notifications: 4 });
		const left = await db.select().from(notificationOutbox).orderBy(asc(notificationOutbox.id));
		expect(left.map((r) => r.eventIds[0])).toEqual([4, 5]);
		expect(await db.select().from(notificationDeliveries)).toHaveLength(1);

		const reported = await maintenanceEvents();
		expect(reported).toHaveLength(1);
		expect(reported[0]).toMatchObject({
			connectorId: null,
			payload: { job: 'db.prune', message: outcome.message, result: { notifications: 4 } }
		});
		expect(pruneDescription(30).join(' ')).toContain(
			`older than ${PRUNE_RULES.notificationDays} days (pending ones are kept)`
		);
	});

	it('Vacuum reports maintenance.completed with its message', async () => {
		const outcome = await vacuumJob({ db })(ctx);
		const reported = await maintenanceEvents();
		expect(reported).toHaveLength(1);
		expect(reported[0]!.payload).toMatchObject({ job: 'db.vacuum', message: outcome.message });
	});
});
