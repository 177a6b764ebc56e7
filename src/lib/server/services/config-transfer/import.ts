/**
 * Configuration import: validates the whole file first (format.ts; nothing is written when any
 * part is wrong), then applies it in one transaction, matching by name (case-insensitive):
 * throttle profiles, then connectors, then settings sections, then sweep schedules (the file's
 * schedules replace those of each connector it names; other connectors keep theirs). Returns what was created, updated,
 * left unchanged or skipped; with `dryRun` the same report is computed and everything rolled
 * back.
 *
 * Connector API keys:
 * - a key in the file that decrypts under the current SECRET_KEY is stored;
 * - a key encrypted under another key cannot be used: the connector is imported without it;
 * - without a key in the file an existing connector keeps its own, unless the import points it
 *   at another scheme, host or port (a stored key never follows a URL to a new host);
 * - a connector left without a key is disabled and listed in `needsKey`: enter its key on the
 *   connector's page, then enable it.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { Database, DbOrTx } from '$lib/server/db';
import {
	connectors,
	sweepSchedules,
	throttleProfiles,
	type Connector
} from '$lib/server/db/schema';
import { SecretError, secretHint, type SecretBox } from '$lib/server/crypto/secrets';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings,
	type SettingsSection
} from '$lib/server/services/settings/settings-service';
import {
	CONFIG_FORMAT,
	CONFIG_VERSION,
	configFileSchema,
	type ConfigFile,
	type ConnectorEntry
} from './format';
import { DomainError } from '../../errors';
import { insertDefaultSchedules } from '../schedule/defaults';
import { announceScheduleChange, scheduleChanged } from '../schedule/changes';

/** A file that cannot be imported, with field paths (`connectors.2.url`) → message (→ 400). */
export class ConfigImportError extends DomainError {
	declare readonly fields: Record<string, string>;
	constructor(message: string, fields: Record<string, string> = {}) {
		super('config.invalid', message, { status: 400, fields });
		this.name = 'ConfigImportError';
	}
}

export interface ImportReport {
	dryRun: boolean;
	connectors: { created: string[]; updated: string[]; unchanged: string[]; needsKey: string[] };
	throttleProfiles: { created: string[]; updated: string[]; unchanged: string[] };
	settings: { updated: SettingsSection[]; unchanged: SettingsSection[] };
	/**
	 * Connectors whose sweep schedules the file replaced (`updated`, with the schedules written)
	 * or already matched (`unchanged`: left as they are, ids and run history kept).
	 */
	schedules: { updated: string[]; unchanged: string[]; count: number };
	/** Parts of the file this version does not apply, with the reason. */
	skipped: { item: string; reason: string }[];
}

/** The reason stored on a connector imported without a usable key. */
export const NEEDS_KEY_REASON =
	'Imported without its API key: enter the key, then enable the connector.';

/**
 * Parses and validates a configuration file.
 * @throws ConfigImportError naming the first problem and every offending field
 */
export function parseConfigFile(input: unknown): ConfigFile {
	if (typeof input !== 'object' || input === null || Array.isArray(input)) {
		throw new ConfigImportError('The file is not a JSON object.');
	}
	const header = input as { format?: unknown; version?: unknown };
	if (header.format !== CONFIG_FORMAT) {
		throw new ConfigImportError(
			'Not a Comradarr configuration file (its "format" is not "comradarr-config").',
			{
				format: 'Expected "comradarr-config".'
			}
		);
	}
	if (header.version !== CONFIG_VERSION) {
		throw new ConfigImportError(
			`This file is configuration format version ${String(header.version)}; this Comradarr reads version ${CONFIG_VERSION}.`,
			{ version: `Expected ${CONFIG_VERSION}.` }
		);
	}
	const parsed = v.safeParse(configFileSchema, input);
	if (!parsed.success) {
		const fields: Record<string, string> = {};
		for (const issue of parsed.issues) {
			const path = v.getDotPath(issue) ?? '';
			if (!(path in fields)) fields[path] = issue.message;
		}
		const first = parsed.issues[0];
		const where = first ? v.getDotPath(first) : null;
		throw new ConfigImportError(
			`${where ? `${where}: ` : ''}${first?.message ?? 'Invalid file.'}`,
			fields
		);
	}
	return parsed.output;
}

/** Same scheme, host and (effective) port: where an API key may be sent. */
export function sameTarget(a: string, b: string): boolean {
	try {
		const x = new URL(a);
		const y = new URL(b);
		return x.protocol === y.protocol && x.hostname === y.hostname && x.port === y.port;
	} catch {
		return false;
	}
}

class Rollback extends Error {}

/**
 * Imports `input` (a parsed JSON value).
 * @throws ConfigImportError when the file is invalid or names an unknown throttle profile
 */
export async function importConfig(deps: {
	db: Database;
	secrets: SecretBox;
	input: unknown;
	dryRun?: boolean;
	clock?: () => Date;
}): Promise<ImportReport> {
	const file = parseConfigFile(deps.input);
	const report: ImportReport = {
		dryRun: Boolean(deps.dryRun),
		connectors: { created: [], updated: [], unchanged: [], needsKey: [] },
		throttleProfiles: { created: [], updated: [], unchanged: [] },
		settings: { updated: [], unchanged: [] },
		schedules: { updated: [], unchanged: [], count: 0 },
		skipped: []
	};
	if (file.notificationChannels.length > 0) {
		report.skipped.push({
			item: `${file.notificationChannels.length} notification channels`,
			reason: 'This version does not import notification channels yet.'
		});
	}
	try {
		await deps.db.transaction(async (tx) => {
			await applyProfiles(tx, file, report);
			await applyConnectors(tx, deps.secrets, file, report, deps.clock?.() ?? new Date());
			await applySettings(tx, file, report);
			await applySchedules(tx, file, report, deps.clock?.() ?? new Date());
			if (deps.dryRun) throw new Rollback();
		});
	} catch (error) {
		if (!(error instanceof Rollback)) throw error;
	} finally {
		invalidateSettingsCache();
	}
	if (!deps.dryRun && report.schedules.updated.length > 0) scheduleChanged('config:import');
	return report;
}

async function applyProfiles(tx: DbOrTx, file: ConfigFile, report: ImportReport): Promise<void> {
	const fileHasDefault = file.throttleProfiles.some((p) => p.isDefault);
	if (fileHasDefault) {
		const defaultName = file.throttleProfiles.find((p) => p.isDefault)?.name ?? '';
		await tx
			.update(throttleProfiles)
			.set({ isDefault: false })
			.where(
				sql`lower(${throttleProfiles.name}) <> lower(${defaultName}) and ${throttleProfiles.isDefault}`
			);
	}
	for (const entry of file.throttleProfiles) {
		const [current] = await tx
			.select()
			.from(throttleProfiles)
			.where(sql`lower(${throttleProfiles.name}) = lower(${entry.name})`);
		const figures = {
			maxCommandsPerWindow: entry.maxCommandsPerWindow,
			windowSeconds: entry.windowSeconds,
			maxItemsPerCommand: entry.maxItemsPerCommand,
			dailySearchBudget: entry.dailySearchBudget,
			searchCooldownHours: entry.searchCooldownHours,
			maxInFlight: entry.maxInFlight,
			errorCooldownSeconds: entry.errorCooldownSeconds,
			backoffMultiplier: entry.backoffMultiplier,
			activeWindows: entry.activeWindows
		};
		// A file that names no default leaves the current one alone (there is always one).
		const flag = fileHasDefault ? { isDefault: entry.isDefault } : {};
		// A preset is read-only (its figures come from the seed): only whether it is the default.
		const values = current?.isPreset ? flag : { ...flag, ...figures };
		if (!current) {
			await tx
				.insert(throttleProfiles)
				.values({ name: entry.name, isDefault: entry.isDefault, ...figures });
			report.throttleProfiles.created.push(entry.name);
		} else if (
			Object.entries(values).some(
				([k, value]) => JSON.stringify(current[k as keyof typeof values]) !== JSON.stringify(value)
			)
		) {
			await tx.update(throttleProfiles).set(values).where(eq(throttleProfiles.id, current.id));
			report.throttleProfiles.updated.push(current.name);
		} else {
			report.throttleProfiles.unchanged.push(current.name);
		}
	}
}

type KeyDecision =
	{ kind: 'set'; encrypted: string; hint: string } | { kind: 'keep' } | { kind: 'none' };

/** The connector's key in plain text, or null when it has none or it does not decrypt. */
function storedKey(secrets: SecretBox, connector: Connector): string | null {
	if (!connector.apiKeyEncrypted) return null;
	try {
		return secrets.decrypt(connector.apiKeyEncrypted);
	} catch {
		return null;
	}
}

function decideKey(
	secrets: SecretBox,
	entry: ConnectorEntry,
	current: Connector | undefined
): KeyDecision {
	if (entry.apiKeyEncrypted) {
		try {
			const plain = secrets.decrypt(entry.apiKeyEncrypted);
			if (current && storedKey(secrets, current) === plain) return { kind: 'keep' };
			return { kind: 'set', encrypted: secrets.encrypt(plain), hint: secretHint(plain) };
		} catch (error) {
			if (!(error instanceof SecretError)) throw error;
			// Encrypted under another SECRET_KEY: unusable here.
		}
	}
	if (current && current.apiKeyEncrypted && sameTarget(current.url, entry.url)) {
		return { kind: 'keep' };
	}
	return { kind: 'none' };
}

async function applyConnectors(
	tx: DbOrTx,
	secrets: SecretBox,
	file: ConfigFile,
	report: ImportReport,
	now: Date
): Promise<void> {
	const profiles = await tx
		.select({ id: throttleProfiles.id, name: throttleProfiles.name })
		.from(throttleProfiles);
	const profileId = new Map(profiles.map((p) => [p.name.toLowerCase(), p.id]));
	for (const [index, entry] of file.connectors.entries()) {
		let throttleProfileId: number | null = null;
		if (entry.throttleProfile !== null) {
			const id = profileId.get(entry.throttleProfile.toLowerCase());
			if (id === undefined) {
				throw new ConfigImportError(
					`connectors.${index}.throttleProfile: there is no throttle profile "${entry.throttleProfile}".`,
					{
						[`connectors.${index}.throttleProfile`]: `There is no throttle profile "${entry.throttleProfile}".`
					}
				);
			}
			throttleProfileId = id;
		}
		const [current] = await tx
			.select()
			.from(connectors)
			.where(sql`lower(${connectors.name}) = lower(${entry.name})`);
		const key = decideKey(secrets, entry, current);
		const settings = {
			type: entry.type,
			url: entry.url,
			enabled: key.kind === 'none' ? false : entry.enabled,
			timeoutMs: entry.timeoutMs,
			skipTlsVerify: entry.skipTlsVerify,
			seasonPackEnabled: entry.seasonPackEnabled,
			seasonPackThresholdPct: entry.seasonPackThresholdPct,
			maxEpisodesBeforePack: entry.maxEpisodesBeforePack,
			seasonPackCooldownHours: entry.seasonPackCooldownHours,
			searchCooldownHours: entry.searchCooldownHours,
			seasonPackMinEpisodes: entry.seasonPackMinEpisodes,
			downloadQueueLimit: entry.downloadQueueLimit,
			includeTagIds: entry.includeTagIds,
			excludeTagIds: entry.excludeTagIds,
			customFormatUpgrades: entry.customFormatUpgrades,
			throttleProfileId
		};
		const keyValues =
			key.kind === 'set'
				? { apiKeyEncrypted: key.encrypted, apiKeyHint: key.hint }
				: key.kind === 'none'
					? {
							apiKeyEncrypted: '',
							apiKeyHint: '',
							health: 'unknown' as const,
							healthReason: NEEDS_KEY_REASON
						}
					: {};
		if (key.kind === 'none') report.connectors.needsKey.push(entry.name);
		if (!current) {
			const [inserted] = await tx
				.insert(connectors)
				.values({
					name: entry.name,
					apiKeyEncrypted: '',
					apiKeyHint: '',
					...settings,
					...keyValues,
					createdAt: now,
					updatedAt: now
				})
				.returning({ id: connectors.id });
			// A new connector gets the default sweep schedules, as one added on its page does.
			if (inserted) {
				const { timeZone } = (await getSettings(tx)).general;
				await insertDefaultSchedules(tx, inserted.id, timeZone, now);
			}
			report.connectors.created.push(entry.name);
			continue;
		}
		const changed =
			key.kind !== 'keep' ||
			Object.entries(settings).some(
				([k, value]) =>
					JSON.stringify(current[k as keyof typeof settings]) !== JSON.stringify(value)
			);
		if (!changed) {
			report.connectors.unchanged.push(current.name);
			continue;
		}
		await tx
			.update(connectors)
			.set({ ...settings, ...keyValues, updatedAt: now })
			.where(eq(connectors.id, current.id));
		report.connectors.updated.push(current.name);
	}
}

async function applySettings(tx: DbOrTx, file: ConfigFile, report: ImportReport): Promise<void> {
	invalidateSettingsCache();
	const current = await getSettings(tx);
	for (const section of ['general', 'security', 'backup', 'search', 'notifications'] as const) {
		const value = file.settings[section];
		if (value === undefined) continue;
		if (JSON.stringify(current[section]) === JSON.stringify(value)) {
			report.settings.unchanged.push(section);
			continue;
		}
		await updateSettings(tx, section, value);
		report.settings.updated.push(section);
	}
}

/**
 * Replaces the sweep schedules of every connector the file has schedules for.
 * @throws ConfigImportError naming the entry whose connector or throttle profile does not exist
 */
async function applySchedules(
	tx: DbOrTx,
	file: ConfigFile,
	report: ImportReport,
	now: Date
): Promise<void> {
	if (file.schedules.length === 0) return;
	const [connectorRows, profileRows] = await Promise.all([
		tx.select({ id: connectors.id, name: connectors.name }).from(connectors),
		tx.select({ id: throttleProfiles.id, name: throttleProfiles.name }).from(throttleProfiles)
	]);
	const connectorId = new Map(connectorRows.map((c) => [c.name.toLowerCase(), c]));
	const profileId = new Map(profileRows.map((p) => [p.name.toLowerCase(), p.id]));
	const rows: (typeof sweepSchedules.$inferInsert)[] = [];
	const replaced = new Map<number, string>();
	for (const [index, entry] of file.schedules.entries()) {
		const connector = connectorId.get(entry.connector.toLowerCase());
		if (!connector) {
			const message = `There is no connector "${entry.connector}".`;
			throw new ConfigImportError(`schedules.${index}.connector: ${message}`, {
				[`schedules.${index}.connector`]: message
			});
		}
		let throttleProfileId: number | null = null;
		if (entry.throttleProfile !== null) {
			const id = profileId.get(entry.throttleProfile.toLowerCase());
			if (id === undefined) {
				const message = `There is no throttle profile "${entry.throttleProfile}".`;
				throw new ConfigImportError(`schedules.${index}.throttleProfile: ${message}`, {
					[`schedules.${index}.throttleProfile`]: message
				});
			}
			throttleProfileId = id;
		}
		replaced.set(connector.id, connector.name);
		rows.push({
			connectorId: connector.id,
			sweepType: entry.sweepType,
			cron: entry.cron,
			timezone: entry.timezone,
			enabled: entry.enabled,
			throttleProfileId,
			batchLimit: entry.batchLimit,
			createdAt: now,
			updatedAt: now
		});
	}
	const existing = await tx
		.select()
		.from(sweepSchedules)
		.where(inArray(sweepSchedules.connectorId, [...replaced.keys()]))
		.orderBy(sweepSchedules.id);
	/** A schedule's settings, for comparing the file's with the stored ones. */
	const shape = (r: typeof sweepSchedules.$inferInsert) =>
		JSON.stringify([
			r.sweepType,
			r.cron,
			r.timezone,
			r.enabled ?? true,
			r.throttleProfileId ?? null,
			r.batchLimit ?? null
		]);
	const changed: number[] = [];
	for (const [id, connectorName] of replaced) {
		const want = rows.filter((r) => r.connectorId === id).map(shape);
		const have = existing.filter((r) => r.connectorId === id).map(shape);
		if (JSON.stringify(want) === JSON.stringify(have)) {
			report.schedules.unchanged.push(connectorName);
		} else {
			changed.push(id);
			report.schedules.updated.push(connectorName);
		}
	}
	if (changed.length === 0) return;
	await tx.delete(sweepSchedules).where(inArray(sweepSchedules.connectorId, changed));
	const written = rows.filter((r) => changed.includes(r.connectorId));
	await tx.insert(sweepSchedules).values(written);
	await announceScheduleChange(tx, 'config:import');
	report.schedules.count = written.length;
}
