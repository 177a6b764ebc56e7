/**
 * Connector schemas, shared by the server (service, JSON API, form actions) and the browser
 * (superforms' client-side validation), so each rule and limit is written once. Pure valibot:
 * nothing here may import server code.
 *
 * - `ConnectorCreateSchema` / `ConnectorUpdateSchema`: the service's input (and the API's bodies),
 *   timeout in ms;
 * - `addConnectorSchema` / `editConnectorSchema`: the "Add connector" and connector settings forms,
 *   timeout in seconds, the URL's shape checked as well (so the browser can refuse it at once);
 * - the limits, which the forms show (`min`/`max`, hints).
 */
import * as v from 'valibot';
import { normaliseConnectorUrl } from '$lib/connector-url';
import { CONNECTOR_TYPES, OFFERED_CONNECTOR_TYPES, offeredTypesText } from '$lib/connector-types';
import { noControlCharacters } from '$lib/text-rules';

/** `connectors.name` is varchar(100). */
export const CONNECTOR_NAME_MAX = 100;
/** `connectors.url` is varchar(500). */
export const CONNECTOR_URL_MAX = 500;
/** Longer than any *arr key (32 hex characters) with room to spare; it travels in a header. */
export const CONNECTOR_API_KEY_MAX = 200;
/** Request timeout per connector, in ms (`connectors.timeout_ms`, default 30 s). */
export const CONNECTOR_TIMEOUT_MS = { min: 1_000, max: 300_000, default: 30_000 } as const;
/** The same timeout as the forms ask for it, in seconds (decimals allowed). */
export const CONNECTOR_TIMEOUT_SECONDS = {
	min: CONNECTOR_TIMEOUT_MS.min / 1000,
	max: CONNECTOR_TIMEOUT_MS.max / 1000,
	default: CONNECTOR_TIMEOUT_MS.default / 1000
} as const;
/** A fully aired season missing at least this share (%) of its episodes gets a season search. */
export const SEASON_PACK_THRESHOLD_PCT = { min: 1, max: 100 } as const;
/** A season missing more episodes than this gets a season search even below the threshold. */
export const MAX_EPISODES_BEFORE_PACK = { min: 1, max: 500 } as const;
/** Season-pack and per-item search cooldowns, in hours (up to 90 days). */
export const COOLDOWN_HOURS = { min: 1, max: 24 * 90 } as const;
/** A season missing fewer episodes than this never gets a season search (default 3). */
export const SEASON_PACK_MIN_EPISODES = { min: 1, max: 50, default: 3 } as const;
/**
 * Backpressure: no dispatch while the app's download queue (`GET /api/v3/queue/status`
 * `totalCount`) holds more than this many items (null: off; default 20).
 */
export const DOWNLOAD_QUEUE_LIMIT = { min: 1, max: 10_000, default: 20 } as const;
/** At most this many *arr tags in each of a connector's include / exclude lists. */
export const TAG_FILTER_MAX = 100;

const name = v.pipe(
	v.string('Name is required'),
	v.trim(),
	v.minLength(1, 'Name is required'),
	v.maxLength(CONNECTOR_NAME_MAX, `Name is at most ${CONNECTOR_NAME_MAX} characters`),
	noControlCharacters('Name')
);
const url = v.pipe(
	v.string('URL is required'),
	v.trim(),
	v.minLength(1, 'URL is required'),
	v.maxLength(CONNECTOR_URL_MAX, `URL is at most ${CONNECTOR_URL_MAX} characters`),
	// The URL parser silently drops tabs and line breaks and encodes NUL into the path.
	noControlCharacters('The URL')
);
const apiKey = v.pipe(
	v.string('API key is required'),
	v.trim(),
	v.minLength(1, 'API key is required'),
	v.maxLength(CONNECTOR_API_KEY_MAX, 'API key is too long'),
	// It travels in an HTTP header, where control characters are not allowed.
	noControlCharacters('The API key')
);
/** An edit's key: empty means "keep the stored one". */
const changedApiKey = v.pipe(
	v.string(),
	v.trim(),
	v.maxLength(CONNECTOR_API_KEY_MAX, 'API key is too long'),
	noControlCharacters('The API key')
);
const type = v.picklist(CONNECTOR_TYPES, 'Type must be sonarr, radarr or whisparr');

const int = (label: string, { min, max }: { min: number; max: number }) =>
	v.pipe(
		v.number(`${label} must be a number`),
		v.integer(`${label} must be a whole number`),
		v.minValue(min, `${label} must be at least ${min}`),
		v.maxValue(max, `${label} must be at most ${max}`)
	);

const timeoutMs = int('Timeout', CONNECTOR_TIMEOUT_MS);
const seasonPackThresholdPct = int('Season pack threshold', SEASON_PACK_THRESHOLD_PCT);
const maxEpisodesBeforePack = v.nullable(int('Max individual episodes', MAX_EPISODES_BEFORE_PACK));
const seasonPackCooldownHours = int('Season pack cooldown', COOLDOWN_HOURS);
const searchCooldownHours = v.nullable(int('Episode cooldown', COOLDOWN_HOURS));
const profileId = v.pipe(
	v.number('Throttle profile must be a profile id'),
	v.integer('Throttle profile must be a profile id'),
	v.minValue(1, 'Throttle profile must be a profile id')
);
const throttleProfileId = v.nullable(profileId);
const seasonPackMinEpisodes = int('Minimum episodes for a season pack', SEASON_PACK_MIN_EPISODES);
const downloadQueueLimit = int('Download queue limit', DOWNLOAD_QUEUE_LIMIT);
/** *arr tag ids (TagResource.id), duplicates dropped, ascending. */
const tagIds = (label: string) =>
	v.pipe(
		v.array(
			v.pipe(
				v.number(`${label}: each tag must be a tag id`),
				v.integer(`${label}: each tag must be a tag id`),
				v.minValue(1, `${label}: each tag must be a tag id`)
			),
			`${label} must be a list of tag ids`
		),
		v.maxLength(TAG_FILTER_MAX, `${label}: at most ${TAG_FILTER_MAX} tags`),
		v.transform((ids) => [...new Set(ids)].sort((a, b) => a - b))
	);

/** Body of `POST /api/v1/connectors` and the service's create input. */
export const ConnectorCreateSchema = v.object({
	type,
	name,
	url,
	apiKey,
	enabled: v.optional(v.boolean(), true),
	timeoutMs: v.optional(timeoutMs),
	skipTlsVerify: v.optional(v.boolean())
});
export type ConnectorCreateInput = v.InferOutput<typeof ConnectorCreateSchema>;

/** Per-connector settings of an update (all optional). */
const settingsEntries = {
	/** Request timeout in ms. */
	timeoutMs: v.optional(timeoutMs),
	skipTlsVerify: v.optional(v.boolean()),
	seasonPackEnabled: v.optional(v.boolean()),
	seasonPackThresholdPct: v.optional(seasonPackThresholdPct),
	/** null: off. */
	maxEpisodesBeforePack: v.optional(maxEpisodesBeforePack),
	seasonPackCooldownHours: v.optional(seasonPackCooldownHours),
	/** null: the throttle profile's cooldown. */
	searchCooldownHours: v.optional(searchCooldownHours),
	/** null: the default throttle profile. An unknown id is refused by the service. */
	throttleProfileId: v.optional(throttleProfileId),
	seasonPackMinEpisodes: v.optional(seasonPackMinEpisodes),
	/** null: no download-queue backpressure. */
	downloadQueueLimit: v.optional(v.nullable(downloadQueueLimit)),
	/** Only series/movies with one of these *arr tags are searched; empty: all. */
	includeTagIds: v.optional(tagIds('Included tags')),
	/** Series/movies with any of these *arr tags are never searched. */
	excludeTagIds: v.optional(tagIds('Excluded tags')),
	/** Also search files below their quality profile's custom format score cutoff. */
	customFormatUpgrades: v.optional(v.boolean())
};
/** The settings an update may change besides the connection (the service copies them as given). */
export const CONNECTOR_SETTING_KEYS = Object.keys(
	settingsEntries
) as (keyof typeof settingsEntries)[];

/** Body of `PATCH /api/v1/connectors/{id}`: every field optional; an empty apiKey means unchanged. */
export const ConnectorUpdateSchema = v.object({
	type: v.optional(type),
	name: v.optional(name),
	url: v.optional(url),
	apiKey: v.optional(changedApiKey),
	enabled: v.optional(v.boolean()),
	...settingsEntries
});
export type ConnectorUpdateInput = v.InferOutput<typeof ConnectorUpdateSchema>;

// ---- The forms ------------------------------------------------------------------------------

/**
 * The forms' URL: the service's rule plus the shape the connector layer checks before any request
 * (`normaliseConnectorUrl`: http(s), a host, no credentials, query or `/api`), with its message.
 */
const formUrl = v.pipe(
	url,
	v.rawCheck(({ dataset, addIssue }) => {
		// An empty or over-long URL already has its message.
		if (!dataset.typed || dataset.value === '') return;
		const checked = normaliseConnectorUrl(dataset.value);
		if (!checked.ok) addIssue({ message: checked.message });
	})
);

const timeoutMessage =
	`Enter a timeout from ${CONNECTOR_TIMEOUT_SECONDS.min} to ` +
	`${CONNECTOR_TIMEOUT_SECONDS.max} s`;
/** The forms ask for seconds (decimals allowed); the service stores ms. */
const timeoutSeconds = v.pipe(
	v.number(timeoutMessage),
	v.minValue(CONNECTOR_TIMEOUT_SECONDS.min, timeoutMessage),
	v.maxValue(CONNECTOR_TIMEOUT_SECONDS.max, timeoutMessage)
);

/**
 * A number field that may be left empty: the browser binds an empty number input to null, a
 * posted form may omit it; both mean null ("off", "the profile's").
 */
function optionalNumber<S extends v.GenericSchema<number, number>>(schema: S) {
	return v.pipe(
		v.nullish(schema),
		v.transform((value) => value ?? null)
	);
}

/** The "Add connector" form. */
export const addConnectorSchema = v.object({
	type: v.picklist(OFFERED_CONNECTOR_TYPES, `Choose ${offeredTypesText()}`),
	name,
	url: formUrl,
	apiKey,
	// Empty means the default.
	timeoutSeconds: v.nullish(timeoutSeconds, CONNECTOR_TIMEOUT_SECONDS.default),
	skipTlsVerify: v.boolean()
});

/**
 * The connector settings form. Every field is posted (the season-pack fields as hidden inputs when
 * the page does not show them); an empty `apiKey` keeps the stored key.
 */
export const editConnectorSchema = v.object({
	// A stored type stays valid even when the UI no longer offers it.
	type: v.picklist(CONNECTOR_TYPES, 'Choose the type of the app'),
	name,
	url: formUrl,
	apiKey: changedApiKey,
	enabled: v.boolean(),
	timeoutSeconds,
	skipTlsVerify: v.boolean(),
	seasonPackEnabled: v.boolean(),
	seasonPackThresholdPct,
	/** Empty: off. */
	maxEpisodesBeforePack: optionalNumber(int('Max individual episodes', MAX_EPISODES_BEFORE_PACK)),
	seasonPackCooldownHours,
	/** Empty: the throttle profile's cooldown. */
	searchCooldownHours: optionalNumber(int('Episode cooldown', COOLDOWN_HOURS)),
	/** Empty: the default profile. */
	throttleProfileId: optionalNumber(profileId),
	seasonPackMinEpisodes,
	/** Empty: off. */
	downloadQueueLimit: optionalNumber(downloadQueueLimit),
	includeTagIds: tagIds('Included tags'),
	excludeTagIds: tagIds('Excluded tags'),
	customFormatUpgrades: v.boolean()
});

export type AddConnectorValues = v.InferOutput<typeof addConnectorSchema>;
export type EditConnectorValues = v.InferOutput<typeof editConnectorSchema>;

/**
 * The fields "Test connection" uses, in both forms: errors of the other fields (a missing name)
 * do not stop a test, in the browser or on the server.
 */
export const CONNECTION_FIELDS = [
	'type',
	'url',
	'apiKey',
	'timeoutSeconds',
	'skipTlsVerify'
] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

/** The part of a connector form that "Test connection" validates. */
export function connectionFieldsSchema<
	S extends typeof addConnectorSchema | typeof editConnectorSchema
>(schema: S) {
	return v.pick(schema, CONNECTION_FIELDS);
}
