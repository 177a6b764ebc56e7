/**
 * Configuration export / import: a round trip into an empty install, secrets left out or
 * encrypted, keys from another SECRET_KEY, whole-file validation before anything is written,
 * upsert by name, and a stored key that never follows a connector to another host.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { useWorld, SONARR_KEY, RADARR_KEY } from '../helpers/world';
import { dropExtraDatabases, newDatabase } from '../helpers/databases';
import type { Database } from '../../src/lib/server/db';
import { connectors, sweepSchedules, throttleProfiles } from '../../src/lib/server/db/schema';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import {
	ConfigImportError,
	NEEDS_KEY_REASON,
	exportConfig,
	importConfig
} from '../../src/lib/server/services/config-transfer';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';

const world = useWorld();
afterAll(dropExtraDatabases);
const clock = () => new Date('2026-12-02T10:00:00Z');

/** Two connectors (one on a custom throttle profile), a custom profile and changed settings. */
async function configure(db: Database): Promise<void> {
	await world.addConnector('/sonarr', 'Sonarr TV');
	const radarr = await world.addConnector('/radarr', 'Radarr Movies');
	const [profile] = await db
		.insert(throttleProfiles)
		.values({
			name: 'Night owl',
			maxCommandsPerWindow: 3,
			windowSeconds: 120,
			maxItemsPerCommand: 4,
			dailySearchBudget: 99,
			searchCooldownHours: 36,
			maxInFlight: 1,
			errorCooldownSeconds: 120,
			backoffMultiplier: 1.5,
			activeWindows: [{ start: '22:00', end: '06:00' }]
		})
		.returning();
	await db
		.update(connectors)
		.set({
			throttleProfileId: profile!.id,
			seasonPackThresholdPct: 70,
			timeoutMs: 45_000,
			seasonPackMinEpisodes: 6,
			downloadQueueLimit: null,
			includeTagIds: [2, 5],
			excludeTagIds: [7],
			customFormatUpgrades: true
		})
		.where(eq(connectors.id, radarr.id));
	await updateSettings(db, 'general', {
		displayName: 'Exported',
		timeZone: 'Europe/Paris',
		logLevel: 'warn'
	});
	await updateSettings(db, 'backup', { enabled: true, schedule: '30 2 * * *', retention: 9 });
	const { search } = await getSettings(db);
	await updateSettings(db, 'search', {
		...search,
		noResultsCooldownDays: 12,
		weights: { ...search.weights, contentAge: 123 }
	});
	await updateSettings(db, 'notifications', { enabled: false, publicUrl: 'https://comradarr.lan' });
}

async function connectorState(db: Database) {
	const profiles = await db.select().from(throttleProfiles);
	return (await db.select().from(connectors).orderBy(asc(connectors.name))).map((c) => ({
		name: c.name,
		type: c.type,
		url: c.url,
		enabled: c.enabled,
		timeoutMs: c.timeoutMs,
		seasonPackThresholdPct: c.seasonPackThresholdPct,
		throttleProfile: profiles.find((p) => p.id === c.throttleProfileId)?.name ?? null,
		seasonPackMinEpisodes: c.seasonPackMinEpisodes,
		downloadQueueLimit: c.downloadQueueLimit,
		includeTagIds: c.includeTagIds,
		excludeTagIds: c.excludeTagIds,
		customFormatUpgrades: c.customFormatUpgrades,
		apiKeyHint: c.apiKeyHint
	}));
}

async function profileState(db: Database) {
	return (await db.select().from(throttleProfiles).orderBy(asc(throttleProfiles.name))).map(
		({ id: _id, createdAt: _createdAt, isPreset: _isPreset, ...rest }) => rest
	);
}

describe('configuration export', () => {
	it('carries no API key without the option', async () => {
		await configure(world.db);
		const { file } = await exportConfig({
			db: world.db,
			secrets: world.secrets,
			includeSecrets: false,
			clock
		});
		const text = JSON.stringify(file);
		expect(file).toMatchObject({ format: 'comradarr-config', version: 1, secrets: 'none' });
		expect(text).not.toContain(SONARR_KEY);
		expect(text).not.toContain(RADARR_KEY);
		expect(text).not.toContain('apiKeyEncrypted');
		for (const row of await world.db.select().from(connectors)) {
			expect(text).not.toContain(row.apiKeyEncrypted);
		}
	});

	it('with the option, carries the keys encrypted under the current key, never in plain text', async () => {
		await configure(world.db);
		const { file } = await exportConfig({
			db: world.db,
			secrets: world.secrets,
			includeSecrets: true,
			clock
		});
		const text = JSON.stringify(file);
		expect(file.secrets).toBe('encrypted');
		expect(text).not.toContain(SONARR_KEY);
		expect(text).not.toContain(RADARR_KEY);
		const sonarr = file.connectors!.find((c) => c.name === 'Sonarr TV')!;
		expect(sonarr.apiKeyEncrypted).toMatch(/^v1:/);
		expect(world.secrets.decrypt(sonarr.apiKeyEncrypted!)).toBe(SONARR_KEY);
		expect(() => createSecretBox('another key').decrypt(sonarr.apiKeyEncrypted!)).toThrow();
	});
});

describe('configuration import', () => {
	it('reproduces connectors, throttle profiles and settings in an empty install', async () => {
		await configure(world.db);
		const { file } = await exportConfig({
			db: world.db,
			secrets: world.secrets,
			includeSecrets: true,
			clock
		});
		const fresh = await newDatabase('import');
		const parsed: unknown = JSON.parse(JSON.stringify(file));
		const report = await importConfig({ db: fresh.db, secrets: world.secrets, input: parsed });
		expect(report.connectors.created.sort()).toEqual(['Radarr Movies', 'Sonarr TV']);
		expect(report.connectors.needsKey).toEqual([]);
		expect(report.throttleProfiles.created).toEqual(['Night owl']);
		expect(report.settings.updated.sort()).toEqual([
			'backup',
			'general',
			'notifications',
			'search'
		]);

		expect(await connectorState(fresh.db)).toEqual(await connectorState(world.db));
		expect(await profileState(fresh.db)).toEqual(await profileState(world.db));
		invalidateSettingsCache();
		const here = await getSettings(world.db);
		invalidateSettingsCache();
		expect(await getSettings(fresh.db)).toEqual(here);
		const [sonarr] = await fresh.db
			.select()
			.from(connectors)
			.where(eq(connectors.name, 'Sonarr TV'));
		expect(world.secrets.decrypt(sonarr!.apiKeyEncrypted)).toBe(SONARR_KEY);

		// Importing the same file again changes nothing.
		const again = await importConfig({ db: fresh.db, secrets: world.secrets, input: parsed });
		expect(again.connectors.unchanged.sort()).toEqual(['Radarr Movies', 'Sonarr TV']);
		expect(again.connectors.updated).toEqual([]);
		expect(again.throttleProfiles.created).toEqual([]);
		expect(again.settings.updated).toEqual([]);
	});

	it("imports a file written before the issue-9 fields with their defaults, and never changes a preset's figures", async () => {
		const file = {
			format: 'comradarr-config',
			version: 1,
			connectors: [
				{
					name: 'Old Sonarr',
					type: 'sonarr',
					url: 'http://nas:8989',
					throttleProfile: 'Old profile'
				}
			],
			throttleProfiles: [
				{
					name: 'Old profile',
					isDefault: true,
					maxCommandsPerWindow: 4,
					windowSeconds: 60,
					maxItemsPerCommand: 6,
					dailySearchBudget: 200,
					searchCooldownHours: 24
				},
				{
					name: 'Moderate',
					isDefault: false,
					maxCommandsPerWindow: 99,
					windowSeconds: 60,
					maxItemsPerCommand: 99,
					dailySearchBudget: 9999,
					searchCooldownHours: 24
				}
			]
		};
		const report = await importConfig({ db: world.db, secrets: world.secrets, input: file });
		expect(report.throttleProfiles.created).toEqual(['Old profile']);
		const [old] = await world.db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.name, 'Old profile'));
		expect(old).toMatchObject({
			isDefault: true,
			maxInFlight: 2,
			errorCooldownSeconds: 900,
			backoffMultiplier: 2,
			activeWindows: []
		});
		const [moderate] = await world.db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.name, 'Moderate'));
		expect(moderate).toMatchObject({
			isDefault: false,
			maxCommandsPerWindow: 5,
			maxItemsPerCommand: 10,
			dailySearchBudget: 500
		});
		const [connector] = await world.db.select().from(connectors);
		expect(connector).toMatchObject({
			throttleProfileId: old!.id,
			seasonPackMinEpisodes: 3,
			downloadQueueLimit: 20,
			includeTagIds: [],
			excludeTagIds: [],
			customFormatUpgrades: false
		});
	});

	it('imports connectors whose keys were encrypted under another SECRET_KEY without them, disabled, asking for the keys', async () => {
		await configure(world.db);
		const { file } = await exportConfig({
			db: world.db,
			secrets: world.secrets,
			includeSecrets: true,
			clock
		});
		const fresh = await newDatabase('otherkey');
		const report = await importConfig({
			db: fresh.db,
			secrets: createSecretBox('a different key'),
			input: file
		});
		expect(report.connectors.created.sort()).toEqual(['Radarr Movies', 'Sonarr TV']);
		expect(report.connectors.needsKey.sort()).toEqual(['Radarr Movies', 'Sonarr TV']);
		for (const row of await fresh.db.select().from(connectors)) {
			expect(row).toMatchObject({
				enabled: false,
				apiKeyEncrypted: '',
				apiKeyHint: '',
				healthReason: NEEDS_KEY_REASON
			});
		}
	});

	it('validates the whole file first: one bad entry writes nothing', async () => {
		const before = await world.db.select().from(throttleProfiles);
		const input = {
			format: 'comradarr-config',
			version: 1,
			throttleProfiles: [
				{
					name: 'Fine',
					maxCommandsPerWindow: 1,
					windowSeconds: 60,
					maxItemsPerCommand: 1,
					dailySearchBudget: 1,
					searchCooldownHours: 1
				}
			],
			connectors: [
				{ name: 'Good', type: 'sonarr', url: 'http://127.0.0.1:8989' },
				{ name: 'Bad', type: 'sonarr', url: 'ftp://nas/sonarr' }
			],
			settings: { general: { displayName: 'Never written', timeZone: 'UTC', logLevel: 'info' } }
		};
		const error = await importConfig({ db: world.db, secrets: world.secrets, input }).catch(
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(ConfigImportError);
		expect((error as ConfigImportError).fields).toHaveProperty(['connectors.1.url']);
		expect((error as ConfigImportError).message).toMatch(
			/^connectors\.1\.url: The URL must start with http/
		);
		expect(await world.db.select().from(connectors)).toEqual([]);
		expect(await world.db.select().from(throttleProfiles)).toEqual(before);
		invalidateSettingsCache();
		expect((await getSettings(world.db)).general.displayName).toBe('Comradarr');
	});

	it('refuses another format or version with a clear message, and an unknown throttle profile without writing', async () => {
		await expect(importConfig({ db: world.db, secrets: world.secrets, input: [] })).rejects.toThrow(
			'not a JSON object'
		);
		await expect(
			importConfig({
				db: world.db,
				secrets: world.secrets,
				input: { format: 'sonarr-backup', version: 1 }
			})
		).rejects.toThrow('Not a Comradarr configuration file');
		await expect(
			importConfig({
				db: world.db,
				secrets: world.secrets,
				input: { format: 'comradarr-config', version: 2 }
			})
		).rejects.toThrow('version 2; this Comradarr reads version 1');
		const input = {
			format: 'comradarr-config',
			version: 1,
			connectors: [
				{ name: 'First', type: 'radarr', url: 'http://127.0.0.1:7878' },
				{ name: 'Second', type: 'radarr', url: 'http://127.0.0.1:7879', throttleProfile: 'Missing' }
			]
		};
		await expect(importConfig({ db: world.db, secrets: world.secrets, input })).rejects.toThrow(
			'there is no throttle profile "Missing"'
		);
		expect(await world.db.select().from(connectors)).toEqual([]);
	});

	it('keeps a stored key for the same host, and drops it when the file moves the connector to another host', async () => {
		await configure(world.db);
		const { file } = await exportConfig({
			db: world.db,
			secrets: world.secrets,
			includeSecrets: false,
			clock
		});
		const sonarrUrl = file.connectors!.find((c) => c.name === 'Sonarr TV')!.url;
		const sameHost = {
			...file,
			connectors: file.connectors!.map((c) =>
				c.name === 'Sonarr TV' ? { ...c, timeoutMs: 12_000 } : c
			)
		};
		const kept = await importConfig({ db: world.db, secrets: world.secrets, input: sameHost });
		expect(kept.connectors.updated).toEqual(['Sonarr TV']);
		expect(kept.connectors.needsKey).toEqual([]);
		const [afterSame] = await world.db
			.select()
			.from(connectors)
			.where(eq(connectors.name, 'Sonarr TV'));
		expect(world.secrets.decrypt(afterSame!.apiKeyEncrypted)).toBe(SONARR_KEY);
		expect(afterSame!.enabled).toBe(true);

		const moved = {
			...file,
			connectors: file.connectors!.map((c) =>
				c.name === 'Sonarr TV'
					? { ...c, url: sonarrUrl.replace('127.0.0.1', 'attacker.example') }
					: c
			)
		};
		const report = await importConfig({ db: world.db, secrets: world.secrets, input: moved });
		expect(report.connectors.needsKey).toEqual(['Sonarr TV']);
		const [afterMove] = await world.db
			.select()
			.from(connectors)
			.where(eq(connectors.name, 'Sonarr TV'));
		expect(afterMove).toMatchObject({ apiKeyEncrypted: '', enabled: false });
		expect(afterMove!.url).toContain('attacker.example');
	});

	it('reports without writing in a dry run, and skips sections this version does not know', async () => {
		const input = {
			format: 'comradarr-config',
			version: 1,
			connectors: [{ name: 'Dry', type: 'sonarr', url: 'http://127.0.0.1:8989' }],
			schedules: [{ connector: 'Dry', sweepType: 'gaps', cron: '0 * * * *', timezone: 'UTC' }],
			notificationChannels: [{ type: 'discord' }]
		};
		const report = await importConfig({
			db: world.db,
			secrets: world.secrets,
			input,
			dryRun: true
		});
		expect(report.dryRun).toBe(true);
		expect(report.connectors.created).toEqual(['Dry']);
		expect(report.schedules).toEqual({ updated: ['Dry'], unchanged: [], count: 1 });
		expect(report.skipped.map((s) => s.item)).toEqual(['1 notification channels']);
		expect(await world.db.select().from(connectors)).toEqual([]);
		expect(await world.db.select().from(sweepSchedules)).toEqual([]);
	});
});

describe('sweep schedules in the configuration', () => {
	/** The schedules as `connector name: type cron zone enabled profile limit`, sorted. */
	async function scheduleState(db: Database) {
		const [list, profiles, rows] = await Promise.all([
			db.select().from(connectors),
			db.select().from(throttleProfiles),
			db.select().from(sweepSchedules)
		]);
		return rows
			.map(
				(r) =>
					`${list.find((c) => c.id === r.connectorId)?.name}: ${r.sweepType} ${r.cron} ${r.timezone} ${r.enabled} ${profiles.find((p) => p.id === r.throttleProfileId)?.name ?? '-'} ${r.batchLimit ?? '-'}`
			)
			.sort();
	}

	it('travel with the connectors, and an import of the same file keeps them (ids and all)', async () => {
		await configure(world.db);
		const [radarr] = await world.db
			.select()
			.from(connectors)
			.where(eq(connectors.name, 'Radarr Movies'));
		const [owl] = await world.db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.name, 'Night owl'));
		await world.db.insert(sweepSchedules).values({
			connectorId: radarr!.id,
			sweepType: 'both',
			cron: '15 */6 * * *',
			timezone: 'Asia/Tokyo',
			enabled: false,
			throttleProfileId: owl!.id,
			batchLimit: 25
		});
		const before = await scheduleState(world.db);
		expect(before).toContain('Radarr Movies: both 15 */6 * * * Asia/Tokyo false Night owl 25');
		const { file } = await exportConfig({
			db: world.db,
			secrets: world.secrets,
			includeSecrets: true,
			clock
		});
		expect(file.schedules).toHaveLength(before.length);

		const ids = (await world.db.select({ id: sweepSchedules.id }).from(sweepSchedules)).map(
			(r) => r.id
		);
		const again = await importConfig({ db: world.db, secrets: world.secrets, input: file, clock });
		expect({ ...again.schedules, unchanged: again.schedules.unchanged.sort() }).toEqual({
			updated: [],
			unchanged: ['Radarr Movies', 'Sonarr TV'],
			count: 0
		});
		const idsAfter = (await world.db.select({ id: sweepSchedules.id }).from(sweepSchedules)).map(
			(r) => r.id
		);
		expect(idsAfter.sort()).toEqual(ids.sort());

		// Into an empty install: the same schedules, not the defaults a new connector gets.
		const { db: other } = await newDatabase('schedules');
		const report = await importConfig({ db: other, secrets: world.secrets, input: file, clock });
		// Sonarr's may already equal the defaults its creation wrote; Radarr's cannot.
		expect(report.schedules.updated).toContain('Radarr Movies');
		expect([...report.schedules.updated, ...report.schedules.unchanged].sort()).toEqual([
			'Radarr Movies',
			'Sonarr TV'
		]);
		expect(await scheduleState(other)).toEqual(before);
	});

	it('replace only the schedules of the connectors the file names', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Sonarr TV');
		await world.addConnector('/radarr', 'Radarr Movies');
		const radarrBefore = (await scheduleState(world.db)).filter((l) => l.startsWith('Radarr'));
		expect(radarrBefore).toHaveLength(2);
		const report = await importConfig({
			db: world.db,
			secrets: world.secrets,
			clock,
			input: {
				format: 'comradarr-config',
				version: 1,
				schedules: [
					{ connector: 'sonarr tv', sweepType: 'gaps', cron: '0 3 * * *', timezone: 'UTC' }
				]
			}
		});
		expect(report.schedules).toEqual({ updated: ['Sonarr TV'], unchanged: [], count: 1 });
		const after = await scheduleState(world.db);
		expect(after.filter((l) => l.startsWith('Sonarr'))).toEqual([
			'Sonarr TV: gaps 0 3 * * * UTC true - -'
		]);
		expect(after.filter((l) => l.startsWith('Radarr'))).toEqual(radarrBefore);
		expect(sonarr.id).toBeGreaterThan(0);
	});

	it('refuses a bad cron, a sub-minute sweep, an unknown zone, connector or profile, writing nothing', async () => {
		await world.addConnector('/sonarr', 'Sonarr TV');
		const before = await scheduleState(world.db);
		const entry = { connector: 'Sonarr TV', sweepType: 'gaps', cron: '0 3 * * *', timezone: 'UTC' };
		for (const [bad, field] of [
			[{ cron: 'every day' }, 'schedules.0.cron'],
			[{ cron: '* * * * * *' }, 'schedules.0.cron'],
			[{ timezone: 'Mars/Olympus' }, 'schedules.0.timezone'],
			[{ connector: 'Nobody' }, 'schedules.0.connector'],
			[{ throttleProfile: 'Nope' }, 'schedules.0.throttleProfile']
		] as const) {
			const error = await importConfig({
				db: world.db,
				secrets: world.secrets,
				clock,
				input: { format: 'comradarr-config', version: 1, schedules: [{ ...entry, ...bad }] }
			}).catch((e: unknown) => e);
			expect(error, JSON.stringify(bad)).toBeInstanceOf(ConfigImportError);
			expect(Object.keys((error as ConfigImportError).fields)).toContain(field);
		}
		expect(await scheduleState(world.db)).toEqual(before);
	});
});
