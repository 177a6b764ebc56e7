/**
 * The grace period on Settings → Search behaviour, through the page's form action against the
 * real PostgreSQL: 0 … 168 whole hours, out-of-range input refused on its field with nothing
 * stored, a valid post stored with the weights, and a section stored before the field existed
 * reading as the default 6 h.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionFailure } from '@sveltejs/kit';
import { resetDb, testDb } from '../helpers/db';
import { setDb, type Database } from '../../src/lib/server/db';
import { appSettings } from '../../src/lib/server/db/schema';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { DEFAULT_SEARCH_WEIGHTS } from '../../src/lib/schemas/settings';
import { actions } from '../../src/routes/(app)/settings/search/+page.server';

interface FormShape {
	valid: boolean;
	errors: Record<string, string[] | undefined>;
}

let db: Database;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
	invalidateSettingsCache();
	setDb(db);
});

async function post(
	grace: string,
	noResultsDays = '30'
): Promise<{ status: number; form: FormShape }> {
	const body = new FormData();
	for (const [k, v] of Object.entries(DEFAULT_SEARCH_WEIGHTS)) body.set(k, String(v));
	body.set('gracePeriodHours', grace);
	body.set('maxAttempts', '10');
	body.set('noResultsCooldownDays', noResultsDays);
	const url = 'http://comradarr.lan/settings/search';
	const event = { url: new URL(url), request: new Request(url, { method: 'POST', body }) };
	const result = (await actions.default(event as unknown as never)) as
		ActionFailure<{ form: FormShape }> | { form: FormShape };
	return 'status' in result && 'data' in result
		? { status: result.status, form: result.data.form }
		: { status: 200, form: (result as { form: FormShape }).form };
}

describe('grace period setting', () => {
	it('defaults to 6 h, also for a search section stored before the field existed', async () => {
		expect((await getSettings(db)).search.gracePeriodHours).toBe(6);
		await db
			.insert(appSettings)
			.values({ key: 'search', value: { weights: DEFAULT_SEARCH_WEIGHTS } });
		invalidateSettingsCache();
		const { search } = await getSettings(db);
		expect(search.gracePeriodHours).toBe(6);
		expect(search.weights).toEqual(DEFAULT_SEARCH_WEIGHTS);
	});

	it('refuses more than 168 and negative hours on the field, and fractions, storing nothing', async () => {
		for (const [value, message] of [
			['169', 'Grace period: at most 168 hours.'],
			['-1', 'Grace period: at least 0.']
		] as const) {
			const { status, form } = await post(value);
			expect(status, value).toBe(400);
			expect(form.errors.gracePeriodHours?.[0]).toBe(message);
		}
		expect(await db.select().from(appSettings)).toEqual([]);
		// The settings service (API, configuration import) refuses fractions too.
		await expect(
			updateSettings(db, 'search', { gracePeriodHours: 1.5, weights: DEFAULT_SEARCH_WEIGHTS })
		).rejects.toThrow('Grace period: whole hours only.');
	});

	it('stores 0 (off) and 168 with the weights', async () => {
		for (const hours of [0, 168]) {
			const { status } = await post(String(hours));
			expect(status).toBe(200);
			invalidateSettingsCache();
			const { search } = await getSettings(db);
			expect(search).toEqual({
				gracePeriodHours: hours,
				maxAttempts: 10,
				noResultsCooldownDays: 30,
				weights: DEFAULT_SEARCH_WEIGHTS
			});
		}
	});
});

describe('wait after a search that found nothing', () => {
	it('defaults to 30 days, also for a search section stored before the field existed', async () => {
		expect((await getSettings(db)).search.noResultsCooldownDays).toBe(30);
		await db
			.insert(appSettings)
			.values({ key: 'search', value: { gracePeriodHours: 2, weights: DEFAULT_SEARCH_WEIGHTS } });
		invalidateSettingsCache();
		expect((await getSettings(db)).search.noResultsCooldownDays).toBe(30);
	});

	it('stores 0 (the standard cooldown) … 365 days and refuses anything else on its field', async () => {
		for (const [value, message] of [
			['366', 'No-results wait: at most 365 days.'],
			['-1', 'No-results wait: at least 0.']
		] as const) {
			const { status, form } = await post('6', value);
			expect(status, value).toBe(400);
			expect(form.errors.noResultsCooldownDays?.[0]).toBe(message);
		}
		expect(await db.select().from(appSettings)).toEqual([]);
		await expect(
			updateSettings(db, 'search', { noResultsCooldownDays: 2.5, weights: DEFAULT_SEARCH_WEIGHTS })
		).rejects.toThrow('No-results wait: whole days only.');
		for (const days of [0, 365]) {
			expect((await post('6', String(days))).status).toBe(200);
			invalidateSettingsCache();
			expect((await getSettings(db)).search.noResultsCooldownDays).toBe(days);
		}
	});
});
