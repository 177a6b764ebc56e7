/**
 * Settings sections in `app_settings`: defaults, validation on write, a broken stored section
 * falling back to its defaults, and the read cache cleared by writes.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { appSettings } from '../../src/lib/server/db/schema';
import {
	CACHE_TTL_MS,
	defaultSettings,
	getSettings,
	invalidateSettingsCache,
	isTimeZone,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';

let db: Database;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
	invalidateSettingsCache();
});

describe('settings', () => {
	it('gives a fresh install full authentication, a 30-day session limit and no scheduled backups', async () => {
		const settings = await getSettings(db);
		expect(settings.security).toEqual({
			authMode: 'full',
			proxyHeader: 'Remote-User',
			sessionMaxAgeDays: 30
		});
		expect(settings.backup.enabled).toBe(false);
		expect(settings.general.displayName).toBe('Comradarr');
	});

	it('takes the default time zone and log level from TZ and LOG_LEVEL when they are valid', () => {
		expect(defaultSettings({ TZ: 'Europe/Berlin', LOG_LEVEL: 'debug' }).general).toMatchObject({
			timeZone: 'Europe/Berlin',
			logLevel: 'debug'
		});
		expect(defaultSettings({ TZ: 'Mars/Olympus', LOG_LEVEL: 'loud' }).general).toMatchObject({
			timeZone: 'UTC',
			logLevel: 'info'
		});
		expect(isTimeZone('America/New_York')).toBe(true);
		expect(isTimeZone('Nowhere/Land')).toBe(false);
	});

	it('stores a valid section and reads it back', async () => {
		await updateSettings(db, 'general', {
			displayName: '  Home media  ',
			timeZone: 'Europe/Berlin',
			logLevel: 'warn'
		});
		const settings = await getSettings(db);
		expect(settings.general).toEqual({
			displayName: 'Home media',
			timeZone: 'Europe/Berlin',
			logLevel: 'warn'
		});
	});

	it('refuses an invalid section, names the field and stores nothing', async () => {
		await expect(
			updateSettings(db, 'security', {
				authMode: 'everyone',
				proxyHeader: 'Remote-User',
				sessionMaxAgeDays: 30
			})
		).rejects.toMatchObject({ issues: [{ path: [{ key: 'authMode' }] }] });
		await expect(
			updateSettings(db, 'general', {
				displayName: 'a\u0000b',
				timeZone: 'UTC',
				logLevel: 'info'
			})
		).rejects.toThrow(/Control characters/);
		const rows = await db.select().from(appSettings);
		expect(rows).toEqual([]);
	});

	it('falls back to the defaults of a stored section that no longer validates', async () => {
		await db.insert(appSettings).values({ key: 'security', value: { authMode: 'nonsense' } });
		expect((await getSettings(db)).security.authMode).toBe('full');
	});

	it('reuses a read within the cache window, and a write clears it at once', async () => {
		const t0 = 1_000_000;
		expect((await getSettings(db, t0)).security.authMode).toBe('full');
		// A change behind the module's back (another instance) is seen only after the TTL …
		await db.execute(sql`insert into app_settings (key, value) values ('security',
			'{"authMode":"disabled","proxyHeader":"Remote-User","sessionMaxAgeDays":30}'::jsonb)`);
		expect((await getSettings(db, t0 + 1)).security.authMode).toBe('full');
		expect((await getSettings(db, t0 + CACHE_TTL_MS)).security.authMode).toBe('disabled');
		// … while a write through the module is seen by the next read.
		await updateSettings(db, 'security', {
			authMode: 'local_bypass',
			proxyHeader: 'Remote-User',
			sessionMaxAgeDays: 30
		});
		expect((await getSettings(db, t0 + CACHE_TTL_MS + 1)).security.authMode).toBe('local_bypass');
	});
});
