import { describe, expect, it, beforeAll } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { testDb, resetDb } from '../helpers/db';
import { appSettings, throttleProfiles } from '../../src/lib/server/db/schema';
import type { Database } from '../../src/lib/server/db';

let db: Database;
beforeAll(async () => {
	db = await testDb();
	await resetDb(db);
});

describe('database driver', () => {
	it('stores jsonb as a JSON object, not a double-encoded string', async () => {
		await db.insert(appSettings).values({ key: 'probe', value: { a: 1, list: [1, 'two'] } });
		const [typed] = await db.execute<{ t: string; a: string }>(
			sql`select jsonb_typeof(value) as t, value->>'a' as a from app_settings where key = 'probe'`
		);
		expect(typed).toEqual({ t: 'object', a: '1' });
		const [row] = await db.select().from(appSettings).where(eq(appSettings.key, 'probe'));
		expect(row?.value).toEqual({ a: 1, list: [1, 'two'] });
	});

	it('runs every connection without JIT compilation (it cost the content counts 14–30 ms)', async () => {
		// Several at once, so more than one pooled connection answers.
		const answers = await Promise.all(
			Array.from({ length: 4 }, () => db.execute<{ jit: string }>(sql`show jit`))
		);
		expect(answers.map(([row]) => row?.jit)).toEqual(['off', 'off', 'off', 'off']);
	});

	it('round-trips a timestamp with milliseconds exactly', async () => {
		const at = new Date('2026-03-29T01:30:15.123Z');
		await db.insert(appSettings).values({ key: 'ts', value: 1, updatedAt: at });
		const [row] = await db.select().from(appSettings).where(eq(appSettings.key, 'ts'));
		expect(row?.updatedAt.toISOString()).toBe(at.toISOString());
	});

	it('seeds the throttle presets with Moderate as the default', async () => {
		const rows = await db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.isDefault, true));
		expect(
			rows.map((r) => [
				r.name,
				r.maxCommandsPerWindow,
				r.windowSeconds,
				r.maxItemsPerCommand,
				r.dailySearchBudget
			])
		).toEqual([['Moderate', 5, 60, 10, 500]]);
	});
});
