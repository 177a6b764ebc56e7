/**
 * Notifications: channels (where to send), the outbox (what is to be sent, written in the same
 * transaction as the routing of the events it reports), the log of every delivery attempt, and
 * the cursors with which readers (the notification router, later analytics) follow `events`.
 * Types and config shapes: src/lib/types/notifications.ts.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, varchar } from 'drizzle-orm/pg-core';
import type {
	ChannelConfig,
	ChannelTemplates,
	ChannelType,
	DeliveryStatus,
	NotificationMessage,
	OutboxStatus,
	QuietHours,
	Severity
} from '../../../types/notifications';
import { jsonb, timestamptz } from './columns';
import { connectors } from './connectors';

export const notificationChannels = pgTable('notification_channels', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	type: varchar('type', { length: 16 }).$type<ChannelType>().notNull(),
	/** Unique regardless of case (enforced by the service). */
	name: varchar('name', { length: 100 }).notNull(),
	enabled: boolean('enabled').notNull().default(true),
	/** The type's settings without its secrets (server URL, topic, chat id, priority…). */
	config: jsonb<ChannelConfig>('config').notNull(),
	/**
	 * The type's secret fields (tokens, passwords, webhook URLs, the HMAC secret) as one JSON
	 * object encrypted with the app's SecretBox (crypto/secrets.ts); null when it has none.
	 */
	secretsEncrypted: text('secrets_encrypted'),
	/** Event types sent (`EventType` or `*` for all). */
	events: jsonb<string[]>('events')
		.notNull()
		.default(sql`'["*"]'::jsonb`),
	minSeverity: varchar('min_severity', { length: 8 }).$type<Severity>().notNull().default('info'),
	/** Only events of these connectors (and events without a connector); empty = every connector. */
	connectorIds: jsonb<number[]>('connector_ids')
		.notNull()
		.default(sql`'[]'::jsonb`),
	/** Similar events within this many seconds merge into one digest; 0 = send each at once. */
	batchWindowSeconds: integer('batch_window_seconds').notNull().default(300),
	/** Held during these local hours and sent as one digest when they end; null = none. */
	quietHours: jsonb<QuietHours | null>('quiet_hours'),
	/** At most this many messages in any rolling hour; null = no limit. */
	maxPerHour: integer('max_per_hour'),
	/** Message templates with `{placeholders}`; null fields use the built-in text. */
	templates: jsonb<ChannelTemplates>('templates')
		.notNull()
		.default(sql`'{}'::jsonb`),
	createdAt: timestamptz('created_at').notNull().defaultNow(),
	updatedAt: timestamptz('updated_at').notNull().defaultNow()
});

export type NotificationChannelRow = typeof notificationChannels.$inferSelect;

/**
 * One message to one channel: a single event, or a digest of several (`eventIds`). Rows open
 * for batching (`status = 'pending'`, `notBefore` in the future) take further similar events.
 */
export const notificationOutbox = pgTable(
	'notification_outbox',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		channelId: integer('channel_id')
			.notNull()
			.references(() => notificationChannels.id, { onDelete: 'cascade' }),
		/** The event type, or `digest` for a message that merges several types (quiet hours). */
		eventType: varchar('event_type', { length: 48 }).notNull(),
		severity: varchar('severity', { length: 8 }).$type<Severity>().notNull(),
		connectorId: integer('connector_id').references(() => connectors.id, { onDelete: 'set null' }),
		/** The `events.id`s this message reports, in order. */
		eventIds: jsonb<number[]>('event_ids').notNull(),
		status: varchar('status', { length: 10 }).$type<OutboxStatus>().notNull().default('pending'),
		/** Not sent before this instant (end of the batching window, of quiet hours, of the hourly limit). */
		notBefore: timestamptz('not_before').notNull().defaultNow(),
		/** Attempts made so far (the delivery log has one row per attempt). */
		attempts: integer('attempts').notNull().default(0),
		/** The rendered message, fixed at the first attempt so retries send the same text. */
		message: jsonb<NotificationMessage | null>('message'),
		lastError: text('last_error'),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		sentAt: timestamptz('sent_at')
	},
	(t) => [
		index('notification_outbox_due_idx')
			.on(t.notBefore)
			.where(sql`${t.status} = 'pending'`),
		index('notification_outbox_channel_idx').on(t.channelId, t.createdAt)
	]
);

export type NotificationOutboxRow = typeof notificationOutbox.$inferSelect;

/** Every delivery attempt, kept for the channel's log (pruned with the job runs). */
export const notificationDeliveries = pgTable(
	'notification_deliveries',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		channelId: integer('channel_id')
			.notNull()
			.references(() => notificationChannels.id, { onDelete: 'cascade' }),
		/** Null for a test notification. */
		outboxId: bigint('outbox_id', { mode: 'number' }).references(() => notificationOutbox.id, {
			onDelete: 'set null'
		}),
		eventType: varchar('event_type', { length: 48 }).notNull(),
		/** 1 for the first attempt of a message. */
		attempt: integer('attempt').notNull().default(1),
		status: varchar('status', { length: 10 }).$type<DeliveryStatus>().notNull(),
		/** The HTTP status (or SMTP reply code) received; null when nothing answered. */
		responseCode: integer('response_code'),
		/** What went wrong, for the user (never a secret or a full URL with a token). */
		error: text('error'),
		durationMs: integer('duration_ms').notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow()
	},
	(t) => [
		index('notification_deliveries_channel_idx').on(t.channelId, t.id),
		index('notification_deliveries_created_idx').on(t.createdAt)
	]
);

export type NotificationDeliveryRow = typeof notificationDeliveries.$inferSelect;

/** How far a reader of `events` has got: the last id it processed (moved in its transaction). */
export const eventCursors = pgTable('event_cursors', {
	reader: varchar('reader', { length: 48 }).primaryKey(),
	lastEventId: bigint('last_event_id', { mode: 'number' }).notNull().default(0),
	updatedAt: timestamptz('updated_at').notNull().defaultNow()
});
