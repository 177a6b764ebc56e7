/**
 * Notification channel schemas, shared by the service (`channels-service.ts`), the JSON API
 * (`/api/v1/notification-channels`) and the Settings → Notifications form (superforms' client-side
 * validation), so every limit and message is written once. Pure valibot and shared types:
 * nothing here may import server code.
 *
 * The API body is `{ type, name, enabled, config, events, minSeverity, connectorIds,
 * batchWindowSeconds, quietHours?, maxPerHour, templates? }` (issue “Schedules and notifications”,
 * API v1); `config` per type is `ChannelConfigs[type]` ($lib/types/notifications). The fields in
 * `SECRET_FIELDS` are write-only: the service stores them encrypted and views only say whether
 * each is set (`secrets: { token: true }`).
 */
import * as v from 'valibot';
import { EVENT_TYPES, type EventType } from '$lib/types/events';
import {
	CHANNEL_TYPES,
	SECRET_FIELDS,
	SEVERITIES,
	type ChannelConfig,
	type ChannelTemplates,
	type ChannelType,
	type DeliveryStatus,
	type QuietHours,
	type Severity
} from '$lib/types/notifications';
import { noControlCharacters } from '$lib/text-rules';
import { isTimeZone } from './settings';
import { TIME_OF_DAY } from './throttle-profile';

/** Limits of the channel fields; the form shows the same numbers. */
export const CHANNEL_LIMITS = {
	/** `notification_channels.name` is varchar(100). */
	name: { max: 100 },
	/** Seconds; 0 = send each event at once. */
	batchWindowSeconds: { min: 0, max: 3_600, default: 300 },
	/** Messages per rolling hour; null = no limit. */
	maxPerHour: { min: 1, max: 1_000 },
	/** Characters of each template. */
	template: { max: 2_000 },
	/** ntfy: https://docs.ntfy.sh/publish/#message-priority (1 min … 5 max, 3 default). */
	ntfyPriority: { min: 1, max: 5, default: 3 },
	ntfyTags: { max: 20, length: 64 },
	port: { min: 1, max: 65_535 },
	connectorIds: { max: 100 },
	/** The generic webhook's HMAC key, characters. */
	webhookSecret: { min: 16, max: 256 }
} as const;

/** What users see for each type. */
export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
	discord: 'Discord',
	ntfy: 'ntfy',
	telegram: 'Telegram',
	slack: 'Slack',
	pushover: 'Pushover',
	gotify: 'Gotify',
	email: 'Email (SMTP)',
	webhook: 'Webhook (signed JSON)'
};

/** The placeholders a template may use (the spec's list), with what each becomes. */
export const TEMPLATE_PLACEHOLDERS = [
	{ name: '{content_title}', meaning: 'Series or movie title' },
	{ name: '{content_year}', meaning: 'Its year' },
	{ name: '{connector_name}', meaning: 'The connector’s name' },
	{ name: '{connector_type}', meaning: 'Sonarr, Radarr, Whisparr' },
	{ name: '{event_type}', meaning: 'The event type (item.acquired…)' },
	{ name: '{timestamp}', meaning: 'When it happened (ISO 8601 UTC)' },
	{ name: '{statistics}', meaning: 'The event’s figures (counts, qualities)' },
	{ name: '{url}', meaning: 'A link into Comradarr (needs the public URL)' }
] as const;

/** Every event type a channel may choose, and `*` for all of them. */
export const CHANNEL_EVENT_CHOICES = ['*', ...EVENT_TYPES] as const;

// ---- Field rules -------------------------------------------------------------------------------

/** True for an absolute http:// or https:// URL with a host. */
export function isHttpUrl(raw: string): boolean {
	try {
		const url = new URL(raw);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

const requiredText = (label: string, max = 500) =>
	v.pipe(
		v.string(`${label} is required`),
		v.trim(),
		v.nonEmpty(`${label} is required`),
		v.maxLength(max, `${label} is at most ${max} characters`),
		noControlCharacters(label)
	);

const optionalText = (label: string, max = 500) =>
	v.optional(
		v.pipe(
			v.string(`${label} must be text`),
			v.trim(),
			v.maxLength(max, `${label} is at most ${max} characters`),
			noControlCharacters(label)
		)
	);

const httpUrl = (label: string) =>
	v.pipe(
		requiredText(label, 2_000),
		v.check(isHttpUrl, `${label} must be an http:// or https:// URL`)
	);

/** A write-only field; "" counts as not given (the service keeps the stored value then). */
const optionalSecret = (label: string, max = 500) =>
	v.optional(
		v.pipe(
			v.string(`${label} must be text`),
			v.maxLength(max, `${label} is at most ${max} characters`),
			noControlCharacters(label)
		)
	);

const int = (label: string, { min, max }: { min: number; max: number }) =>
	v.pipe(
		v.number(`${label} must be a number`),
		v.integer(`${label} must be a whole number`),
		v.minValue(min, `${label} must be at least ${min}`),
		v.maxValue(max, `${label} must be at most ${max}`)
	);

/** One address (`name@example.org`); the display-name form is not taken. */
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** "a@x.org, b@y.org" → its addresses, trimmed, empty parts dropped. */
export function splitAddresses(raw: string): string[] {
	return raw
		.split(/[,;]/)
		.map((a) => a.trim())
		.filter((a) => a !== '');
}

/** Host names and IP literals as nodemailer takes them (no scheme, no port, no path). */
const HOSTNAME =
	/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)$/;

/** ntfy topics: letters, digits, `_` and `-`, at most 64 (https://docs.ntfy.sh/publish/). */
const NTFY_TOPIC = /^[A-Za-z0-9_-]{1,64}$/;

/** Telegram Bot API: bot tokens are `<bot id>:<secret>` (https://core.telegram.org/bots/api#authorizing-your-bot). */
const TELEGRAM_TOKEN = /^\d+:[A-Za-z0-9_-]+$/;
/** Telegram Bot API `chat_id`: an integer, or `@channelusername` (https://core.telegram.org/bots/api#sendmessage). */
const TELEGRAM_CHAT = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

/** Pushover: user keys and application tokens are 30 characters, [A-Za-z0-9] (https://pushover.net/api). */
const PUSHOVER_KEY = /^[A-Za-z0-9]{30}$/;

/** The secrets of each type that must be set (the others are optional). */
export const REQUIRED_SECRETS: { [T in ChannelType]: readonly string[] } = {
	ntfy: [],
	discord: ['webhookUrl'],
	telegram: ['botToken'],
	slack: ['webhookUrl'],
	pushover: ['userKey', 'appToken'],
	gotify: ['appToken'],
	email: [],
	webhook: ['secret']
};

/**
 * The URL (or host) field a type's stored secrets are bound to: a stored token is only sent to
 * the server it was saved for (like a connector's API key), so changing this field means
 * entering the secrets again.
 */
export const SECRET_BOUND_FIELD: Partial<Record<ChannelType, 'serverUrl' | 'host'>> = {
	ntfy: 'serverUrl',
	gotify: 'serverUrl',
	email: 'host'
};

const secretLabels: Record<string, string> = {
	token: 'Access token',
	password: 'Password',
	webhookUrl: 'Webhook URL',
	botToken: 'Bot token',
	userKey: 'User key',
	appToken: 'Application token',
	secret: 'Signing secret'
};

/** "Access token", "Bot token"… for a secret field name. */
export function secretLabel(field: string): string {
	return secretLabels[field] ?? field;
}

/** A secret present after merging: required ones must be non-empty. */
const requiredSecret = (label: string, max = 500) =>
	v.pipe(
		v.string(`${label} is required`),
		v.trim(),
		v.nonEmpty(`${label} is required`),
		v.maxLength(max, `${label} is at most ${max} characters`),
		noControlCharacters(label)
	);

/**
 * The full configuration of each type (secrets included), as a channel must have it once the
 * stored secrets are merged in. Field messages name the field as the form labels it.
 */
export const CONFIG_SCHEMAS = {
	ntfy: v.pipe(
		v.object({
			serverUrl: httpUrl('Server URL'),
			topic: v.pipe(
				requiredText('Topic', 64),
				v.regex(NTFY_TOPIC, 'Topic: letters, digits, _ and - only (at most 64)')
			),
			token: optionalSecret('Access token'),
			username: optionalText('Username', 255),
			password: optionalSecret('Password'),
			priority: v.optional(int('Priority', CHANNEL_LIMITS.ntfyPriority)),
			tags: v.optional(
				v.pipe(
					v.array(
						v.pipe(
							requiredText('A tag', CHANNEL_LIMITS.ntfyTags.length),
							v.check((t) => !t.includes(','), 'A tag cannot contain a comma')
						),
						'Tags must be a list of words'
					),
					v.maxLength(CHANNEL_LIMITS.ntfyTags.max, `At most ${CHANNEL_LIMITS.ntfyTags.max} tags`)
				)
			)
		}),
		v.forward(
			v.check(
				(c) => !(c.token && c.username),
				'Use either an access token or a username and password, not both'
			),
			['token']
		),
		v.forward(
			v.check((c) => !c.username || Boolean(c.password), 'A username needs its password'),
			['password']
		),
		v.forward(
			v.check((c) => !c.password || Boolean(c.username), 'A password needs its username'),
			['username']
		)
	),
	discord: v.object({
		webhookUrl: v.pipe(
			requiredSecret('Webhook URL', 2_000),
			v.check(isHttpUrl, 'Webhook URL must be an http:// or https:// URL')
		)
	}),
	telegram: v.object({
		botToken: v.pipe(
			requiredSecret('Bot token'),
			v.regex(TELEGRAM_TOKEN, 'Bot token looks like 123456789:AAE… (from @BotFather)')
		),
		chatId: v.pipe(
			requiredText('Chat id', 64),
			v.regex(TELEGRAM_CHAT, 'Chat id is a number (-1001234…) or @channelname')
		)
	}),
	slack: v.object({
		webhookUrl: v.pipe(
			requiredSecret('Webhook URL', 2_000),
			v.check(isHttpUrl, 'Webhook URL must be an http:// or https:// URL')
		)
	}),
	pushover: v.object({
		userKey: v.pipe(
			requiredSecret('User key'),
			v.regex(PUSHOVER_KEY, 'User key is 30 letters and digits')
		),
		appToken: v.pipe(
			requiredSecret('Application token'),
			v.regex(PUSHOVER_KEY, 'Application token is 30 letters and digits')
		)
	}),
	gotify: v.object({
		serverUrl: httpUrl('Server URL'),
		appToken: requiredSecret('Application token')
	}),
	email: v.pipe(
		v.object({
			host: v.pipe(
				requiredText('SMTP host', 253),
				v.regex(HOSTNAME, 'SMTP host is a host name or an IP address (no scheme, no port)')
			),
			port: int('Port', CHANNEL_LIMITS.port),
			secure: v.boolean('TLS must be on or off'),
			username: optionalText('Username', 255),
			password: optionalSecret('Password'),
			from: v.pipe(requiredText('From', 254), v.regex(EMAIL, 'From must be an email address')),
			to: v.pipe(
				requiredText('To', 1_000),
				v.check(
					(s) => splitAddresses(s).length > 0 && splitAddresses(s).every((a) => EMAIL.test(a)),
					'To must be one or more email addresses, separated by commas'
				)
			)
		}),
		v.forward(
			v.check((c) => !c.password || Boolean(c.username), 'A password needs its username'),
			['username']
		)
	),
	webhook: v.object({
		url: httpUrl('URL'),
		secret: v.pipe(
			requiredSecret('Signing secret', CHANNEL_LIMITS.webhookSecret.max),
			v.minLength(
				CHANNEL_LIMITS.webhookSecret.min,
				`Signing secret is at least ${CHANNEL_LIMITS.webhookSecret.min} characters`
			)
		)
	})
} as const satisfies { [T in ChannelType]: v.GenericSchema };

// ---- The channel's other fields ------------------------------------------------------------------

const name = v.pipe(
	v.string('Name is required'),
	v.trim(),
	v.minLength(1, 'Name is required'),
	v.maxLength(CHANNEL_LIMITS.name.max, `Name is at most ${CHANNEL_LIMITS.name.max} characters`),
	noControlCharacters('Name')
);

const eventChoice = v.picklist(
	CHANNEL_EVENT_CHOICES,
	`Events are ${CHANNEL_EVENT_CHOICES.filter((e) => e !== '*').join(', ')} or * for all`
);
const events = v.pipe(
	v.array(eventChoice, 'Events must be a list of event types'),
	v.nonEmpty('Choose at least one event (or all)'),
	v.transform((list): string[] => (list.includes('*') ? ['*'] : [...new Set(list)]))
);

const minSeverity = v.picklist(SEVERITIES, `Minimum severity is ${SEVERITIES.join(', ')}`);

const connectorIds = v.pipe(
	v.array(
		v.pipe(v.number('Connector ids are numbers'), v.integer('Connector ids are whole numbers')),
		'Connectors must be a list of connector ids'
	),
	v.maxLength(CHANNEL_LIMITS.connectorIds.max, 'Too many connectors'),
	v.transform((list) => [...new Set(list)].sort((a, b) => a - b))
);

const batchWindowSeconds = int('Batching window', CHANNEL_LIMITS.batchWindowSeconds);
const maxPerHour = v.nullable(int('Maximum per hour', CHANNEL_LIMITS.maxPerHour));

const timeOfDay = (label: string) =>
	v.pipe(
		v.string(`${label} must be a time (HH:MM)`),
		v.trim(),
		v.regex(TIME_OF_DAY, `${label} must be a time from 00:00 to 23:59 (HH:MM, 24 h)`)
	);

/** Quiet hours: local "HH:MM" start and end (end before start wraps midnight) in an IANA zone. */
export const quietHoursSchema = v.pipe(
	v.object({
		start: timeOfDay('Quiet hours start'),
		end: timeOfDay('Quiet hours end'),
		timezone: v.pipe(
			v.string('Time zone is required'),
			v.trim(),
			v.check(isTimeZone, 'Time zone must be an IANA zone such as Europe/Berlin')
		),
		errorsPassThrough: v.optional(v.boolean('Errors pass through must be true or false'), true)
	}),
	v.forward(
		v.check((q) => q.start !== q.end, 'Start and end must differ'),
		['end']
	)
);

const template = (label: string) =>
	v.optional(
		v.pipe(
			v.string(`${label} must be text`),
			v.maxLength(
				CHANNEL_LIMITS.template.max,
				`${label} is at most ${CHANNEL_LIMITS.template.max.toLocaleString('en')} characters`
			)
		)
	);

/** `{ title?, body? }`; an empty template means the built-in text. */
export const templatesSchema = v.pipe(
	v.object({ title: template('Title template'), body: template('Body template') }),
	v.transform((t): ChannelTemplates => {
		const out: ChannelTemplates = {};
		if (t.title !== undefined && t.title.trim() !== '') out.title = t.title;
		if (t.body !== undefined && t.body.trim() !== '') out.body = t.body;
		return out;
	})
);

const typeSchema = v.picklist(CHANNEL_TYPES, `Type is one of ${CHANNEL_TYPES.join(', ')}`);

/** What the service reads first of a create body: the type picks the config schema. */
export const ChannelTypeSchema = v.looseObject({ type: typeSchema });

/** The fields every channel has, each with its default (a new channel). */
const commonCreate = {
	name,
	enabled: v.optional(v.boolean('Enabled must be true or false'), true),
	events: v.optional(events, ['*']),
	minSeverity: v.optional(minSeverity, 'info'),
	connectorIds: v.optional(connectorIds, []),
	batchWindowSeconds: v.optional(batchWindowSeconds, CHANNEL_LIMITS.batchWindowSeconds.default),
	quietHours: v.optional(v.nullable(quietHoursSchema), null),
	maxPerHour: v.optional(maxPerHour, null),
	templates: v.optional(templatesSchema, {})
};

/**
 * The full configuration of `type` (an object; every field of the type present, so a missing one
 * is named with its own message: "Topic is required", not valibot's "Invalid key").
 */
export function configSchema<T extends ChannelType>(type: T) {
	return v.pipe(
		v.looseObject({}, 'Config must be an object'),
		v.transform((c): Record<string, unknown> => {
			const all: Record<string, unknown> = {};
			for (const field of CONFIG_FIELDS[type]) all[field] = undefined;
			return { ...all, ...c };
		}),
		CONFIG_SCHEMAS[type]
	);
}

/** Body of `POST /api/v1/notification-channels` for one type (config with its secrets). */
export function channelCreateSchema<T extends ChannelType>(type: T) {
	return v.object({ type: v.literal(type), config: configSchema(type), ...commonCreate });
}
export type ChannelCreateInput = v.InferOutput<ReturnType<typeof channelCreateSchema>>;

/**
 * Body of `PATCH /api/v1/notification-channels/{id}`: any field. `config` is merged over the
 * stored one (secrets included) and the result checked by the type's schema; a secret omitted or
 * "" keeps the stored value, `null` removes an optional one. `type` cannot change.
 */
export const ChannelUpdateSchema = v.object({
	type: v.optional(typeSchema),
	name: v.optional(name),
	enabled: v.optional(v.boolean('Enabled must be true or false')),
	config: v.optional(v.record(v.string(), v.unknown(), 'Config must be an object')),
	events: v.optional(events),
	minSeverity: v.optional(minSeverity),
	connectorIds: v.optional(connectorIds),
	batchWindowSeconds: v.optional(batchWindowSeconds),
	quietHours: v.optional(v.nullable(quietHoursSchema)),
	maxPerHour: v.optional(maxPerHour),
	templates: v.optional(templatesSchema)
});
export type ChannelUpdateInput = v.InferOutput<typeof ChannelUpdateSchema>;

/** Query of `GET /api/v1/notification-deliveries`. */
export const DELIVERY_LIMIT = { default: 50, max: 200 } as const;

// ---- Views (what the API and the page see) -------------------------------------------------------

/** The last delivery attempt of a channel. */
export interface LastDelivery {
	status: DeliveryStatus;
	responseCode: number | null;
	error: string | null;
	createdAt: string;
}

/** A channel as the API and the settings page show it: never a secret, only whether it is set. */
export interface ChannelView {
	id: number;
	type: ChannelType;
	name: string;
	enabled: boolean;
	/** The non-secret configuration (server URL, topic, chat id, priority…). */
	config: ChannelConfig;
	/** Each secret field of the type: true when a value is stored. */
	secrets: Record<string, boolean>;
	/** False when the stored secrets cannot be decrypted with this key (enter them again). */
	secretsReadable: boolean;
	events: string[];
	minSeverity: Severity;
	connectorIds: number[];
	batchWindowSeconds: number;
	quietHours: QuietHours | null;
	maxPerHour: number | null;
	templates: ChannelTemplates;
	createdAt: string;
	updatedAt: string;
	lastDelivery: LastDelivery | null;
}

/** The answer of `POST /api/v1/notification-channels/{id}/test`. */
export interface TestResult {
	ok: boolean;
	responseCode: number | null;
	error: string | null;
	deliveryId: number | null;
}

// ---- The form --------------------------------------------------------------------------------------

/**
 * The Settings → Notifications channel form (new and edit), flat so superforms and formsnap can
 * name every field: the fields of every type are present, only those of `type` are checked and
 * sent (`formToBody`). `storedSecrets` lists the secrets the channel already has (edit): those
 * may stay empty ("leave empty to keep").
 */
export const channelFormSchema = v.pipe(
	v.object({
		type: typeSchema,
		name,
		enabled: v.boolean(),
		storedSecrets: v.array(v.string()),
		/** Stored optional secrets the user asked to remove (edit): sent as null. */
		removeSecrets: v.optional(v.array(v.string()), []),
		// The config fields of every type (strings as typed; numbers and lists converted on send).
		serverUrl: v.string(),
		topic: v.string(),
		token: v.string(),
		username: v.string(),
		password: v.string(),
		priority: v.pipe(
			v.number('Priority must be a number'),
			v.integer(),
			v.minValue(1),
			v.maxValue(5)
		),
		tags: v.string(),
		webhookUrl: v.string(),
		botToken: v.string(),
		chatId: v.string(),
		userKey: v.string(),
		appToken: v.string(),
		host: v.string(),
		port: v.number('Port must be a number'),
		secure: v.boolean(),
		from: v.string(),
		to: v.string(),
		url: v.string(),
		secret: v.string(),
		// The routing fields.
		allEvents: v.boolean(),
		events: v.array(v.string()),
		minSeverity,
		connectorIds: v.array(v.number()),
		batchWindowSeconds,
		quietEnabled: v.boolean(),
		quietStart: v.string(),
		quietEnd: v.string(),
		quietTimezone: v.string(),
		errorsPassThrough: v.boolean(),
		limitPerHour: v.boolean(),
		maxPerHour: v.number('Maximum per hour must be a number'),
		titleTemplate: v.string(),
		bodyTemplate: v.string()
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const body = formToBody(dataset.value);
		const result = v.safeParse(channelCreateSchema(dataset.value.type), body);
		if (result.success) return;
		const stored = new Set(dataset.value.storedSecrets);
		for (const issue of result.issues) {
			const path = v.getDotPath(issue) ?? '';
			const field = formFieldOf(path);
			// A stored secret left empty is kept: not an error on the edit form.
			if (
				path.startsWith('config.') &&
				stored.has(path.slice(7)) &&
				body.config[path.slice(7)] === undefined
			) {
				continue;
			}
			addIssue({
				message: issue.message,
				path: [
					{
						type: 'object',
						origin: 'value',
						input: dataset.value,
						key: field,
						value: (dataset.value as Record<string, unknown>)[field]
					}
				]
			});
		}
	})
);
export type ChannelFormValues = v.InferOutput<typeof channelFormSchema>;

/** The form field an API issue path belongs to (`config.serverUrl` → `serverUrl`). */
export function formFieldOf(path: string): string {
	if (path.startsWith('config.')) return path.slice(7).split(/[.[]/)[0] ?? '';
	if (path.startsWith('quietHours.')) {
		const key = path.slice(11);
		return key === 'start' ? 'quietStart' : key === 'end' ? 'quietEnd' : 'quietTimezone';
	}
	if (path.startsWith('templates.')) {
		return path.endsWith('title') ? 'titleTemplate' : 'bodyTemplate';
	}
	return path.split(/[.[]/)[0] ?? '';
}

/** The config field names of each type, in form order. */
export const CONFIG_FIELDS: { [T in ChannelType]: readonly string[] } = {
	ntfy: ['serverUrl', 'topic', 'token', 'username', 'password', 'priority', 'tags'],
	discord: ['webhookUrl'],
	telegram: ['botToken', 'chatId'],
	slack: ['webhookUrl'],
	pushover: ['userKey', 'appToken'],
	gotify: ['serverUrl', 'appToken'],
	email: ['host', 'port', 'secure', 'username', 'password', 'from', 'to'],
	webhook: ['url', 'secret']
};

/**
 * The API body of a filled form: only the fields of its type; empty secrets and empty optional
 * fields left out (a secret left out keeps the stored one on an edit). `clearEmpty` (an edit,
 * merged over the stored config): an emptied optional field (username, tags) is sent as null so
 * the stored value goes, and so is an optional secret named in `removeSecrets` and left empty
 * (the API's `null` removes it; a required one cannot be removed, only replaced).
 */
export function formToBody(
	f: ChannelFormValues,
	options: { clearEmpty?: boolean } = {}
): {
	type: ChannelType;
	name: string;
	enabled: boolean;
	config: Record<string, unknown>;
	events: string[];
	minSeverity: Severity;
	connectorIds: number[];
	batchWindowSeconds: number;
	quietHours: QuietHours | null;
	maxPerHour: number | null;
	templates: ChannelTemplates;
} {
	const secrets = new Set<string>(SECRET_FIELDS[f.type]);
	const removable = new Set(
		f.removeSecrets.filter(
			(field) => secrets.has(field) && !REQUIRED_SECRETS[f.type].includes(field)
		)
	);
	const config: Record<string, unknown> = {};
	const values = f as unknown as Record<string, unknown>;
	for (const field of CONFIG_FIELDS[f.type]) {
		const value = values[field];
		if (field === 'tags') {
			const tags = String(value)
				.split(',')
				.map((t) => t.trim())
				.filter((t) => t !== '');
			if (tags.length > 0) config.tags = tags;
			else if (options.clearEmpty) config.tags = null;
		} else if (typeof value === 'string') {
			if (value.trim() !== '') config[field] = secrets.has(field) ? value : value.trim();
			else if (field === 'username' || removable.has(field)) {
				if (options.clearEmpty) config[field] = null;
			} else if (!secrets.has(field)) {
				config[field] = value; // required fields stay, so the schema names them
			}
		} else {
			config[field] = value;
		}
	}
	return {
		type: f.type,
		name: f.name,
		enabled: f.enabled,
		config,
		events: f.allEvents ? ['*'] : f.events,
		minSeverity: f.minSeverity,
		connectorIds: f.connectorIds,
		batchWindowSeconds: f.batchWindowSeconds,
		quietHours: f.quietEnabled
			? {
					start: f.quietStart,
					end: f.quietEnd,
					timezone: f.quietTimezone,
					errorsPassThrough: f.errorsPassThrough
				}
			: null,
		maxPerHour: f.limitPerHour ? f.maxPerHour : null,
		templates: { title: f.titleTemplate, body: f.bodyTemplate }
	};
}

/** The values of a new channel's form of `type`. */
export function newChannelValues(type: ChannelType, timeZone: string): ChannelFormValues {
	return {
		type,
		name: '',
		enabled: true,
		storedSecrets: [],
		removeSecrets: [],
		serverUrl: type === 'ntfy' ? 'https://ntfy.sh' : '',
		topic: '',
		token: '',
		username: '',
		password: '',
		priority: CHANNEL_LIMITS.ntfyPriority.default,
		tags: '',
		webhookUrl: '',
		botToken: '',
		chatId: '',
		userKey: '',
		appToken: '',
		host: '',
		port: 587,
		secure: false,
		from: '',
		to: '',
		url: '',
		secret: '',
		allEvents: true,
		events: [],
		minSeverity: 'info',
		connectorIds: [],
		batchWindowSeconds: CHANNEL_LIMITS.batchWindowSeconds.default,
		quietEnabled: false,
		quietStart: '22:00',
		quietEnd: '07:00',
		quietTimezone: timeZone,
		errorsPassThrough: true,
		limitPerHour: false,
		maxPerHour: 20,
		titleTemplate: '',
		bodyTemplate: ''
	};
}

/** The form of a stored channel (secrets empty: "leave empty to keep"). */
export function channelFormValues(view: ChannelView, timeZone: string): ChannelFormValues {
	const base = newChannelValues(view.type, timeZone);
	const c = view.config;
	const str = (key: string, fallback: string) =>
		typeof c[key] === 'string' ? (c[key] as string) : fallback;
	return {
		...base,
		name: view.name,
		enabled: view.enabled,
		storedSecrets: Object.entries(view.secrets)
			.filter(([, set]) => set)
			.map(([field]) => field),
		serverUrl: str('serverUrl', ''),
		topic: str('topic', ''),
		username: str('username', ''),
		priority: typeof c.priority === 'number' ? c.priority : base.priority,
		tags: Array.isArray(c.tags) ? c.tags.join(', ') : '',
		chatId: str('chatId', ''),
		host: str('host', ''),
		port: typeof c.port === 'number' ? c.port : base.port,
		secure: c.secure === true,
		from: str('from', ''),
		to: str('to', ''),
		url: str('url', ''),
		allEvents: view.events.includes('*'),
		events: view.events.filter((e) => e !== '*'),
		minSeverity: view.minSeverity,
		connectorIds: [...view.connectorIds],
		batchWindowSeconds: view.batchWindowSeconds,
		quietEnabled: view.quietHours !== null,
		quietStart: view.quietHours?.start ?? base.quietStart,
		quietEnd: view.quietHours?.end ?? base.quietEnd,
		quietTimezone: view.quietHours?.timezone ?? timeZone,
		errorsPassThrough: view.quietHours?.errorsPassThrough ?? true,
		limitPerHour: view.maxPerHour !== null,
		maxPerHour: view.maxPerHour ?? base.maxPerHour,
		titleTemplate: view.templates.title ?? '',
		bodyTemplate: view.templates.body ?? ''
	};
}

/** Event type names as users read them. */
export const EVENT_LABELS: Record<EventType, string> = {
	'sync.completed': 'Sync completed',
	'sync.failed': 'Sync failed',
	'item.acquired': 'Item acquired',
	'item.upgraded': 'Item upgraded',
	'item.removed': 'Item removed',
	'sweep.completed': 'Sweep completed',
	'search.sent': 'Search sent',
	'search.completed': 'Batch search completed',
	'search.exhausted': 'Search exhausted',
	'connector.health_changed': 'Connector health changed',
	'app.started': 'Application started',
	'maintenance.completed': 'Maintenance completed',
	'errors.threshold_exceeded': 'Error threshold exceeded'
};
