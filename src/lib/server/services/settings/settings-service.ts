/**
 * Application settings (Settings → General, Security, Database): typed sections stored as JSON in
 * `app_settings`, one row per section, validated on the way in and on the way out.
 *
 * Reading: `getSettings(db)` returns every section with defaults filled in; a stored section that
 * no longer validates (hand-edited, or from an older version) falls back to its defaults and is
 * logged, it never breaks a request. Reads are cached in the process for `CACHE_TTL_MS`, because
 * the request guard reads the security section on every request; a write through this module
 * clears the cache at once, another instance sees the change within the TTL.
 *
 * Writing: `updateSettings(db, section, value)` validates the whole section and replaces it.
 * @throws valibot's ValiError when the value does not match (→ 400 `validation.failed` in the API).
 */
import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { DbOrTx } from '$lib/server/db';
import { appSettings } from '$lib/server/db/schema';
import { moduleLogger } from '$lib/server/logger';
import { announceScheduleChange, scheduleChanged } from '../schedule/changes';
import {
	DEFAULT_SEARCH_WEIGHTS,
	GRACE_PERIOD_HOURS,
	MAX_SEARCH_ATTEMPTS,
	NO_RESULTS_COOLDOWN_DAYS,
	LOG_LEVELS,
	generalSettingsSchema,
	isTimeZone,
	notificationSettingsSchema,
	searchSettingsSchema,
	securitySettingsSchema
} from '$lib/schemas/settings';

const log = moduleLogger('settings');

/** How long a read is reused in this process (ms). */
export const CACHE_TTL_MS = 5_000;

// The General and Security schemas are shared with the browser (client-side form validation).
export {
	AUTH_MODES,
	LOG_LEVELS,
	generalSettingsSchema,
	isTimeZone,
	searchSettingsSchema,
	securitySettingsSchema,
	type AuthMode
} from '$lib/schemas/settings';

/** The time zone the process runs in (`TZ`), or UTC. */
export function defaultTimeZone(env: Record<string, string | undefined> = process.env): string {
	const zone = env.TZ;
	return zone && isTimeZone(zone) ? zone : 'UTC';
}

export const backupSettingsSchema = v.object({
	/** Scheduled backups on or off. */
	enabled: v.boolean(),
	/** Cron expression (5 fields) in the General time zone. */
	schedule: v.pipe(v.string(), v.trim(), v.minLength(1, 'Enter a cron expression.')),
	/** Scheduled backups kept; older ones are deleted. */
	retention: v.pipe(
		v.number('Enter a number.'),
		v.integer('Whole numbers only.'),
		v.minValue(1, 'Keep at least 1 backup.'),
		v.maxValue(365, 'At most 365 backups.')
	)
});

export const SETTINGS_SCHEMAS = {
	general: generalSettingsSchema,
	security: securitySettingsSchema,
	backup: backupSettingsSchema,
	search: searchSettingsSchema,
	notifications: notificationSettingsSchema
} as const;

export type SettingsSection = keyof typeof SETTINGS_SCHEMAS;
export type GeneralSettings = v.InferOutput<typeof generalSettingsSchema>;
export type SecuritySettings = v.InferOutput<typeof securitySettingsSchema>;
export type BackupSettings = v.InferOutput<typeof backupSettingsSchema>;
export type SearchSettings = v.InferOutput<typeof searchSettingsSchema>;
export type NotificationSettings = v.InferOutput<typeof notificationSettingsSchema>;
export interface Settings {
	general: GeneralSettings;
	security: SecuritySettings;
	backup: BackupSettings;
	search: SearchSettings;
	notifications: NotificationSettings;
}

/** What a fresh install uses. */
export function defaultSettings(env: Record<string, string | undefined> = process.env): Settings {
	const logLevel = (LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL ?? '')
		? (env.LOG_LEVEL as (typeof LOG_LEVELS)[number])
		: 'info';
	return {
		general: { displayName: 'Comradarr', timeZone: defaultTimeZone(env), logLevel },
		security: { authMode: 'full', proxyHeader: 'Remote-User', sessionMaxAgeDays: 30 },
		backup: { enabled: false, schedule: '0 3 * * *', retention: 7 },
		search: {
			gracePeriodHours: GRACE_PERIOD_HOURS.default,
			maxAttempts: MAX_SEARCH_ATTEMPTS.default,
			noResultsCooldownDays: NO_RESULTS_COOLDOWN_DAYS.default,
			weights: { ...DEFAULT_SEARCH_WEIGHTS }
		},
		notifications: { enabled: true, publicUrl: '' }
	};
}

const SECTIONS = Object.keys(SETTINGS_SCHEMAS) as SettingsSection[];

let cache: { at: number; value: Settings } | undefined;

/** Forgets the cached settings (after a write, a restore or a configuration import). */
export function invalidateSettingsCache(): void {
	cache = undefined;
}

/**
 * Every section, stored values over defaults.
 * @param now the current time in ms (tests pass their clock)
 */
export async function getSettings(db: DbOrTx, now: number = Date.now()): Promise<Settings> {
	if (cache && now - cache.at < CACHE_TTL_MS) return cache.value;
	const rows = await db.select().from(appSettings);
	const value = defaultSettings();
	for (const row of rows) {
		if (!SECTIONS.includes(row.key as SettingsSection)) continue;
		const section = row.key as SettingsSection;
		const parsed = v.safeParse(SETTINGS_SCHEMAS[section], row.value);
		if (parsed.success) {
			(value as Record<SettingsSection, unknown>)[section] = parsed.output;
		} else {
			log.warn(
				{ section, issue: parsed.issues[0]?.message },
				'stored settings section is invalid; using its defaults'
			);
		}
	}
	cache = { at: now, value };
	return value;
}

/**
 * Validates and stores one section (replacing it), then clears the cache.
 * @returns the stored value (after trimming and other transformations).
 * @throws ValiError naming the offending field.
 */
export async function updateSettings<S extends SettingsSection>(
	db: DbOrTx,
	section: S,
	input: unknown
): Promise<Settings[S]> {
	const value = v.parse(SETTINGS_SCHEMAS[section], input) as Settings[S];
	await db
		.insert(appSettings)
		.values({ key: section, value })
		.onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt: sql`now()` } });
	invalidateSettingsCache();
	if (section === 'general') {
		// The built-in jobs run in the General time zone: every scheduler re-reads it now rather
		// than at its next resync (services/schedule/changes.ts).
		await announceScheduleChange(db, 'settings:general');
		scheduleChanged('settings:general');
	}
	return value;
}

/** Removes a stored section so its defaults apply again. */
export async function resetSettings(db: DbOrTx, section: SettingsSection): Promise<void> {
	await db.delete(appSettings).where(eq(appSettings.key, section));
	invalidateSettingsCache();
}
