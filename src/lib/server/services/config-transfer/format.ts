/**
 * The configuration file format: `{ format: 'comradarr-config', version: 1, … }`, JSON.
 *
 * Version 1 holds connectors (their *arr API keys left out, or encrypted under the exporting
 * instance's SECRET_KEY: `apiKeyEncrypted`, the `v1:` AES-256-GCM format of crypto/secrets.ts),
 * throttle profiles, the settings sections and the sweep schedules (by connector name).
 * `notificationChannels` is reserved: this version reports it as skipped. Unknown keys are ignored, so a later minor addition stays readable; an incompatible
 * change raises `version`. Fields added later are optional with the database's defaults, so an
 * older file imports as before (issue 9: a profile's maxInFlight, errorCooldownSeconds,
 * backoffMultiplier, activeWindows; a connector's seasonPackMinEpisodes, downloadQueueLimit,
 * includeTagIds, excludeTagIds, customFormatUpgrades).
 */
import * as v from 'valibot';
import { CONNECTOR_TYPES } from '$lib/server/db/schema';
import { normaliseConnectorUrl } from '$lib/server/connectors';
import {
	CONNECTOR_NAME_MAX,
	CONNECTOR_TIMEOUT_MS,
	COOLDOWN_HOURS,
	DOWNLOAD_QUEUE_LIMIT,
	MAX_EPISODES_BEFORE_PACK,
	SEASON_PACK_MIN_EPISODES,
	SEASON_PACK_THRESHOLD_PCT,
	TAG_FILTER_MAX
} from '$lib/schemas/connectors';
import { THROTTLE_LIMITS, activeWindowSchema } from '$lib/schemas/throttle-profile';
import {
	backupSettingsSchema,
	generalSettingsSchema,
	securitySettingsSchema
} from '$lib/server/services/settings/settings-service';
import { scheduleProblem } from '$lib/server/services/database/backup';
import { cronProblem } from '$lib/server/services/schedule/cron';
import {
	isTimeZone,
	notificationSettingsSchema,
	searchSettingsSchema
} from '$lib/schemas/settings';
import { SCHEDULE_LIMITS, SWEEP_TYPES } from '$lib/types/schedules';

export const CONFIG_FORMAT = 'comradarr-config';
export const CONFIG_VERSION = 1;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

const int = (label: string, min: number, max: number) =>
	v.pipe(
		v.number(`${label} must be a number.`),
		v.integer(`${label} must be a whole number.`),
		v.minValue(min, `${label} must be at least ${min}.`),
		v.maxValue(max, `${label} must be at most ${max}.`)
	);

const name = (max: number) =>
	v.pipe(
		v.string('Enter a name.'),
		v.trim(),
		v.minLength(1, 'Enter a name.'),
		v.maxLength(max, `A name is at most ${max} characters.`),
		v.regex(PRINTABLE, 'Control characters are not allowed.')
	);

const connectorEntry = v.object({
	name: name(CONNECTOR_NAME_MAX),
	type: v.picklist(CONNECTOR_TYPES, 'The type must be sonarr, radarr or whisparr.'),
	url: v.pipe(
		v.string('Enter the URL.'),
		v.rawTransform(({ dataset, addIssue, NEVER }) => {
			const checked = normaliseConnectorUrl(dataset.value);
			if (checked.ok) return checked.url;
			addIssue({ message: checked.message });
			return NEVER;
		})
	),
	enabled: v.optional(v.boolean(), true),
	timeoutMs: v.optional(
		int('The timeout', CONNECTOR_TIMEOUT_MS.min, CONNECTOR_TIMEOUT_MS.max),
		CONNECTOR_TIMEOUT_MS.default
	),
	skipTlsVerify: v.optional(v.boolean(), false),
	seasonPackEnabled: v.optional(v.boolean(), true),
	seasonPackThresholdPct: v.optional(
		int('The season pack threshold', SEASON_PACK_THRESHOLD_PCT.min, SEASON_PACK_THRESHOLD_PCT.max),
		50
	),
	maxEpisodesBeforePack: v.optional(
		v.nullable(
			int('Max individual episodes', MAX_EPISODES_BEFORE_PACK.min, MAX_EPISODES_BEFORE_PACK.max)
		),
		null
	),
	seasonPackCooldownHours: v.optional(
		int('The season pack cooldown', COOLDOWN_HOURS.min, COOLDOWN_HOURS.max),
		168
	),
	searchCooldownHours: v.optional(
		v.nullable(int('The episode cooldown', COOLDOWN_HOURS.min, COOLDOWN_HOURS.max)),
		null
	),
	seasonPackMinEpisodes: v.optional(
		int('The season pack minimum', SEASON_PACK_MIN_EPISODES.min, SEASON_PACK_MIN_EPISODES.max),
		SEASON_PACK_MIN_EPISODES.default
	),
	/** null: no download-queue backpressure. */
	downloadQueueLimit: v.optional(
		v.nullable(int('The download queue limit', DOWNLOAD_QUEUE_LIMIT.min, DOWNLOAD_QUEUE_LIMIT.max)),
		DOWNLOAD_QUEUE_LIMIT.default
	),
	/** *arr tag ids (the app's own), so they stay right for the same app. */
	includeTagIds: v.optional(
		v.pipe(v.array(int('A tag id', 1, 2 ** 31 - 1)), v.maxLength(TAG_FILTER_MAX)),
		[]
	),
	excludeTagIds: v.optional(
		v.pipe(v.array(int('A tag id', 1, 2 ** 31 - 1)), v.maxLength(TAG_FILTER_MAX)),
		[]
	),
	customFormatUpgrades: v.optional(v.boolean(), false),
	/** Name of a throttle profile (in the file or already here); null = the default profile. */
	throttleProfile: v.optional(v.nullable(name(50)), null),
	/** The API key encrypted under the exporting instance's SECRET_KEY. */
	apiKeyEncrypted: v.optional(
		v.pipe(v.string(), v.regex(/^v1:[\w-]+:[\w-]+:[\w-]*$/, 'Not an encrypted API key.'))
	)
});

const throttleProfileEntry = v.object({
	name: name(50),
	isDefault: v.optional(v.boolean(), false),
	maxCommandsPerWindow: int('Commands per window', 1, 1_000),
	windowSeconds: int('The window', 1, 86_400),
	maxItemsPerCommand: int('Items per command', 1, 1_000),
	dailySearchBudget: int('The daily search budget', 1, 1_000_000),
	searchCooldownHours: int('The search cooldown', 1, 24 * 365),
	maxInFlight: v.optional(
		int('Commands in flight', THROTTLE_LIMITS.maxInFlight.min, THROTTLE_LIMITS.maxInFlight.max),
		THROTTLE_LIMITS.maxInFlight.default
	),
	errorCooldownSeconds: v.optional(
		int(
			'The error cooldown',
			THROTTLE_LIMITS.errorCooldownSeconds.min,
			THROTTLE_LIMITS.errorCooldownSeconds.max
		),
		THROTTLE_LIMITS.errorCooldownSeconds.default
	),
	backoffMultiplier: v.optional(
		v.pipe(
			v.number('The backoff multiplier must be a number.'),
			v.minValue(THROTTLE_LIMITS.backoffMultiplier.min),
			v.maxValue(THROTTLE_LIMITS.backoffMultiplier.max)
		),
		THROTTLE_LIMITS.backoffMultiplier.default
	),
	activeWindows: v.optional(
		v.pipe(v.array(activeWindowSchema), v.maxLength(THROTTLE_LIMITS.activeWindows.max)),
		[]
	)
});

/**
 * A sweep schedule (issue 10). An import replaces the schedules of every connector the file has
 * schedules for with the file's, and leaves the other connectors' schedules as they are.
 */
const scheduleEntry = v.pipe(
	v.object({
		/** The connector's name (in the file or already here). */
		connector: name(CONNECTOR_NAME_MAX),
		sweepType: v.picklist(SWEEP_TYPES, 'The sweep type must be gaps, upgrades or both.'),
		cron: v.pipe(v.string('Enter a cron expression.'), v.trim()),
		timezone: v.pipe(
			v.string('Enter a time zone.'),
			v.check(isTimeZone, 'Not a time zone this server knows.')
		),
		enabled: v.optional(v.boolean(), true),
		/** Name of a throttle profile (in the file or already here); null = the connector's. */
		throttleProfile: v.optional(v.nullable(name(50)), null),
		batchLimit: v.optional(
			v.nullable(int('The batch limit', 1, SCHEDULE_LIMITS.batchLimitMax)),
			null
		)
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		// An unknown zone is the timezone field's issue; croner would throw on it.
		if (!dataset.typed || !isTimeZone(dataset.value.timezone)) return;
		const problem = cronProblem(dataset.value.cron, dataset.value.timezone, {
			minIntervalSeconds: SCHEDULE_LIMITS.sweepMinIntervalSeconds
		});
		if (problem) {
			addIssue({
				message: problem,
				path: [
					{
						type: 'object',
						origin: 'value',
						input: dataset.value,
						key: 'cron',
						value: dataset.value.cron
					}
				]
			});
		}
	})
);

const backupSection = v.pipe(
	backupSettingsSchema,
	v.check(
		(value) => scheduleProblem(value.schedule, 'UTC') === null,
		'Not a valid backup schedule (cron).'
	)
);

const uniqueNames = <T extends { name: string }>(what: string) =>
	v.check<T[], string>(
		(list) => new Set(list.map((e) => e.name.toLowerCase())).size === list.length,
		`Two ${what} have the same name.`
	);

export const configFileSchema = v.object({
	format: v.literal(CONFIG_FORMAT, 'Not a Comradarr configuration file.'),
	version: v.literal(
		CONFIG_VERSION,
		`This Comradarr reads configuration format version ${CONFIG_VERSION}.`
	),
	exportedAt: v.optional(v.string()),
	appVersion: v.optional(v.string()),
	/** `encrypted` when connectors carry `apiKeyEncrypted`. */
	secrets: v.optional(v.picklist(['none', 'encrypted']), 'none'),
	connectors: v.optional(v.pipe(v.array(connectorEntry), uniqueNames('connectors')), []),
	throttleProfiles: v.optional(
		v.pipe(v.array(throttleProfileEntry), uniqueNames('throttle profiles')),
		[]
	),
	settings: v.optional(
		v.object({
			general: v.optional(generalSettingsSchema),
			security: v.optional(securitySettingsSchema),
			backup: v.optional(backupSection),
			/** Settings → Search behaviour; absent in files written before it was exported. */
			search: v.optional(searchSettingsSchema),
			/** Settings → Notifications (on/off, public URL); the channels are not exported yet. */
			notifications: v.optional(notificationSettingsSchema)
		}),
		{}
	),
	/** Sweep schedules; absent = the connectors' schedules are left as they are. */
	schedules: v.optional(v.array(scheduleEntry), []),
	/** Reserved (notification channels, a later issue). */
	notificationChannels: v.optional(v.array(v.unknown()), [])
});

/** A configuration file as read (defaults applied). */
export type ConfigFile = v.InferOutput<typeof configFileSchema>;
/** A configuration file as written. */
export type ConfigFileInput = v.InferInput<typeof configFileSchema>;
export type ConnectorEntry = v.InferOutput<typeof connectorEntry>;
export type ThrottleProfileEntry = v.InferOutput<typeof throttleProfileEntry>;
export type ScheduleEntry = v.InferOutput<typeof scheduleEntry>;
