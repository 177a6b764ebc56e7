/**
 * Configuration export: connectors, throttle profiles, settings and sweep schedules as a
 * `comradarr-config` file (format.ts). Never accounts, sessions, Comradarr API keys or library data (that is a backup).
 *
 * *arr API keys are left out unless `includeSecrets` is set; then each is decrypted and encrypted
 * again under the current SECRET_KEY (a fresh IV), so only an instance with the same key can use
 * them. A stored key that no longer decrypts is left out and named in `warnings`.
 */
import { asc } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { connectors, sweepSchedules, throttleProfiles } from '$lib/server/db/schema';
import { APP_VERSION } from '$lib/server/config';
import type { SecretBox } from '$lib/server/crypto/secrets';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { CONFIG_FORMAT, CONFIG_VERSION, type ConfigFileInput } from './format';

export interface ConfigExport {
	file: ConfigFileInput & { format: typeof CONFIG_FORMAT; version: typeof CONFIG_VERSION };
	/** Connectors whose key could not be exported, for the user. */
	warnings: string[];
}

/** Builds the export. */
export async function exportConfig(deps: {
	db: DbOrTx;
	secrets: SecretBox;
	includeSecrets: boolean;
	clock: () => Date;
}): Promise<ConfigExport> {
	const { db, secrets } = deps;
	const now = deps.clock();
	const profiles = await db.select().from(throttleProfiles).orderBy(asc(throttleProfiles.name));
	const profileName = new Map(profiles.map((p) => [p.id, p.name]));
	const rows = await db.select().from(connectors).orderBy(asc(connectors.name));
	const connectorName = new Map(rows.map((c) => [c.id, c.name]));
	const schedules = await db
		.select()
		.from(sweepSchedules)
		.orderBy(asc(sweepSchedules.connectorId), asc(sweepSchedules.id));
	const warnings: string[] = [];
	const settings = await getSettings(db, now.getTime());
	return {
		warnings,
		file: {
			format: CONFIG_FORMAT,
			version: CONFIG_VERSION,
			exportedAt: now.toISOString(),
			appVersion: APP_VERSION,
			secrets: deps.includeSecrets ? 'encrypted' : 'none',
			connectors: rows.map((c) => {
				let apiKeyEncrypted: string | undefined;
				if (deps.includeSecrets && c.apiKeyEncrypted) {
					try {
						apiKeyEncrypted = secrets.encrypt(secrets.decrypt(c.apiKeyEncrypted));
					} catch {
						warnings.push(
							`${c.name}: its stored API key cannot be decrypted with the current SECRET_KEY and was left out.`
						);
					}
				}
				return {
					name: c.name,
					type: c.type,
					url: c.url,
					enabled: c.enabled,
					timeoutMs: c.timeoutMs,
					skipTlsVerify: c.skipTlsVerify,
					seasonPackEnabled: c.seasonPackEnabled,
					seasonPackThresholdPct: c.seasonPackThresholdPct,
					maxEpisodesBeforePack: c.maxEpisodesBeforePack,
					seasonPackCooldownHours: c.seasonPackCooldownHours,
					searchCooldownHours: c.searchCooldownHours,
					seasonPackMinEpisodes: c.seasonPackMinEpisodes,
					downloadQueueLimit: c.downloadQueueLimit,
					includeTagIds: c.includeTagIds,
					excludeTagIds: c.excludeTagIds,
					customFormatUpgrades: c.customFormatUpgrades,
					throttleProfile:
						c.throttleProfileId === null ? null : (profileName.get(c.throttleProfileId) ?? null),
					...(apiKeyEncrypted ? { apiKeyEncrypted } : {})
				};
			}),
			throttleProfiles: profiles.map((p) => ({
				name: p.name,
				isDefault: p.isDefault,
				maxCommandsPerWindow: p.maxCommandsPerWindow,
				windowSeconds: p.windowSeconds,
				maxItemsPerCommand: p.maxItemsPerCommand,
				dailySearchBudget: p.dailySearchBudget,
				searchCooldownHours: p.searchCooldownHours,
				maxInFlight: p.maxInFlight,
				errorCooldownSeconds: p.errorCooldownSeconds,
				backoffMultiplier: p.backoffMultiplier,
				activeWindows: p.activeWindows
			})),
			settings: {
				general: settings.general,
				security: settings.security,
				backup: settings.backup,
				search: settings.search,
				notifications: settings.notifications
			},
			schedules: schedules.map((s) => ({
				connector: connectorName.get(s.connectorId) ?? '',
				sweepType: s.sweepType,
				cron: s.cron,
				timezone: s.timezone,
				enabled: s.enabled,
				throttleProfile:
					s.throttleProfileId === null ? null : (profileName.get(s.throttleProfileId) ?? null),
				batchLimit: s.batchLimit
			})),
			notificationChannels: []
		}
	};
}

/** `comradarr-config-20261202-031500.json` (UTC). */
export function exportFileName(now: Date): string {
	const iso = now.toISOString();
	return `comradarr-config-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}.json`;
}
