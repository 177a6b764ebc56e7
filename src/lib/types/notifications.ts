/**
 * Notification shapes shared by the server (channels, router, outbox, API) and the browser
 * (Settings → Notifications). Tables: src/lib/server/db/schema/notifications.ts.
 */
import type { EventType } from './events';

/** The supported channel types (issue “Schedules and notifications” §5). */
export const CHANNEL_TYPES = [
	'discord',
	'ntfy',
	'telegram',
	'slack',
	'pushover',
	'gotify',
	'email',
	'webhook'
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Ordered lowest first: a channel with `minSeverity: 'warning'` gets warnings and errors. */
export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The full configuration of each type as the API takes it (`config` of a channel). The fields
 * named in `SECRET_FIELDS` are write-only: stored encrypted, never returned.
 */
export interface ChannelConfigs {
	/** ntfy publish: https://docs.ntfy.sh/publish/ ; priority 1–5 (3 = default). */
	ntfy: {
		serverUrl: string;
		topic: string;
		token?: string;
		username?: string;
		password?: string;
		priority?: number;
		tags?: string[];
	};
	discord: { webhookUrl: string };
	telegram: { botToken: string; chatId: string };
	slack: { webhookUrl: string };
	pushover: { userKey: string; appToken: string };
	gotify: { serverUrl: string; appToken: string };
	email: {
		host: string;
		port: number;
		/** true: TLS from the start (465); false: STARTTLS when offered (587/25). */
		secure: boolean;
		username?: string;
		password?: string;
		from: string;
		to: string;
	};
	webhook: { url: string; secret: string };
}

/** Any type's configuration (the stored, non-secret part when read from `config`). */
export type ChannelConfig = Record<string, unknown>;

/** The write-only fields of each type (stored in `secrets_encrypted`). */
export const SECRET_FIELDS = {
	ntfy: ['token', 'password'],
	discord: ['webhookUrl'],
	telegram: ['botToken'],
	slack: ['webhookUrl'],
	pushover: ['userKey', 'appToken'],
	gotify: ['appToken'],
	email: ['password'],
	webhook: ['secret']
} as const satisfies { [T in ChannelType]: readonly (keyof ChannelConfigs[T])[] };

/** Local hours ("HH:MM", 24 h) during which a channel is quiet; end < start wraps midnight. */
export interface QuietHours {
	start: string;
	end: string;
	/** IANA zone; default the app's (Settings → General). */
	timezone: string;
	/** Errors are sent during quiet hours unless this is false. Default true. */
	errorsPassThrough?: boolean;
}

/**
 * Message templates; `{content_title}`, `{content_year}`, `{connector_name}`,
 * `{connector_type}`, `{event_type}`, `{timestamp}`, `{statistics}`, `{url}` are replaced.
 * A missing field uses the built-in text of the event type.
 */
export interface ChannelTemplates {
	title?: string;
	body?: string;
}

/** A rendered message, the same for every channel type (each formats it its own way). */
export interface NotificationMessage {
	/** One line ("Acquired 15 episodes across 3 series"). */
	title: string;
	/** Plain text, may have several lines. */
	body: string;
	severity: Severity;
	/** The event type, or `digest` for a message merging several types. */
	eventType: EventType | 'digest' | 'test';
	/** A link into Comradarr (absolute when the public URL is known), or null. */
	url: string | null;
	/** Facts shown as fields where the channel has them (Discord embed fields, Slack fields). */
	fields: { name: string; value: string }[];
	/** When it happened (the newest event), ISO 8601 UTC. */
	timestamp: string;
	/** The events reported, for the generic webhook's JSON body. */
	events: {
		id: number;
		type: EventType;
		connectorId: number | null;
		subject: Record<string, unknown>;
		payload: Record<string, unknown>;
		createdAt: string;
	}[];
}

/**
 * Outbox states: `pending` (waiting for `notBefore`, or retrying), `sent`, `failed` (gave up
 * after the retry limit), `dropped` (the channel was disabled or the hourly limit merged it).
 */
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'dropped';

/** The outcome of one delivery attempt. */
export type DeliveryStatus = 'sent' | 'failed';

/** One delivery attempt as the API shows it (`GET /api/v1/notification-deliveries`). */
export interface DeliveryView {
	id: number;
	channelId: number;
	channelName: string;
	outboxId: number | null;
	eventType: string;
	attempt: number;
	status: DeliveryStatus;
	responseCode: number | null;
	error: string | null;
	durationMs: number;
	createdAt: string;
}
