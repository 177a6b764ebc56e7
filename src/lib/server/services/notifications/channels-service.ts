/**
 * Notification channel use cases (Settings → Notifications, `/api/v1/notification-channels`,
 * `/api/v1/notification-deliveries`): list, get, create, update, delete, send a test message,
 * and the delivery log.
 *
 * Rules:
 * - the body is checked by the type's schema ($lib/schemas/notification-channels): 400
 *   `validation.failed` with the field (`config.serverUrl`, `quietHours.timezone`…);
 * - secrets (`SECRET_FIELDS`: tokens, passwords, webhook URLs, the HMAC key) are write-only:
 *   stored encrypted in `secrets_encrypted` (one JSON object, `sealSecrets`), never returned —
 *   a view says per field whether it is set (`secrets: { token: true }`);
 * - an update merges `config` over the stored one: a secret omitted or "" keeps the stored value,
 *   `null` removes an optional one; the type cannot change;
 * - a stored secret never follows a changed server (ntfy / Gotify server URL: scheme, host and
 *   port; email: SMTP host): such an edit must carry the secrets again (400 on the secret's field)
 *   — the rule connectors apply to their API key (connector-service.ts `storedKeyFor`);
 * - names are unique regardless of case (409 `notification_channels.name_taken` on `name`);
 * - `connectorIds` must name existing connectors (400 on `connectorIds`);
 * - unknown id: 404 `notification_channels.not_found`.
 * Writes run in one transaction holding an advisory lock on the channels, so two requests cannot
 * both take a name.
 */
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import type { Database, DbOrTx } from '../../db';
import {
	connectors,
	notificationChannels,
	notificationDeliveries,
	type NotificationChannelRow
} from '../../db/schema';
import type { SecretBox } from '../../crypto/secrets';
import { SecretError } from '../../crypto/secrets';
import { DomainError } from '../../errors';
import { sameOrigin } from '../../../safe-url';
import {
	SECRET_FIELDS,
	type ChannelType,
	type DeliveryStatus,
	type DeliveryView
} from '../../../types/notifications';
import {
	ChannelTypeSchema,
	ChannelUpdateSchema,
	DELIVERY_LIMIT,
	SECRET_BOUND_FIELD,
	channelCreateSchema,
	configSchema,
	secretLabel,
	type ChannelView,
	type LastDelivery,
	type TestResult
} from '../../../schemas/notification-channels';
import { readSecrets, sealSecrets, splitConfig } from './channel-config';
import { attemptDelivery } from './delivery';
import { testMessage } from './render';

export type { ChannelView, TestResult };

/** A refusal about notification channels, with its stable code and HTTP status. */
export class NotificationChannelError extends DomainError {
	constructor(
		code:
			'notification_channels.not_found' | 'notification_channels.name_taken' | 'validation.failed',
		message: string,
		options: { status: number; fields?: Record<string, string> }
	) {
		super(code, message, options);
		this.name = 'NotificationChannelError';
	}
}

function notFound(id: number): NotificationChannelError {
	return new NotificationChannelError(
		'notification_channels.not_found',
		`Notification channel ${id} does not exist`,
		{ status: 404 }
	);
}

/** 400 `validation.failed` with one field. */
function invalid(field: string, message: string): NotificationChannelError {
	return new NotificationChannelError('validation.failed', message, {
		status: 400,
		fields: { [field]: message }
	});
}

/** The stored secrets of `row`, or null when they cannot be decrypted with this key. */
function storedSecrets(row: NotificationChannelRow, box: SecretBox): Record<string, string> | null {
	try {
		return readSecrets(row, box);
	} catch (error) {
		if (error instanceof SecretError) return null;
		throw error;
	}
}

/** The view of a row: never a secret, only which are set. */
function toView(
	row: NotificationChannelRow,
	box: SecretBox,
	last: LastDelivery | null
): ChannelView {
	const secrets = storedSecrets(row, box);
	const set: Record<string, boolean> = {};
	for (const field of SECRET_FIELDS[row.type]) set[field] = Boolean(secrets?.[field]);
	return {
		id: row.id,
		type: row.type,
		name: row.name,
		enabled: row.enabled,
		config: row.config,
		secrets: set,
		secretsReadable: secrets !== null,
		events: row.events,
		minSeverity: row.minSeverity,
		connectorIds: row.connectorIds,
		batchWindowSeconds: row.batchWindowSeconds,
		quietHours: row.quietHours,
		maxPerHour: row.maxPerHour,
		templates: row.templates,
		createdAt: row.createdAt.toISOString(),
		updatedAt: row.updatedAt.toISOString(),
		lastDelivery: last
	};
}

/** The newest delivery attempt of each of `ids`. */
async function lastDeliveries(db: DbOrTx, ids: number[]): Promise<Map<number, LastDelivery>> {
	const map = new Map<number, LastDelivery>();
	if (ids.length === 0) return map;
	const rows = await db
		.selectDistinctOn([notificationDeliveries.channelId], {
			channelId: notificationDeliveries.channelId,
			status: notificationDeliveries.status,
			responseCode: notificationDeliveries.responseCode,
			error: notificationDeliveries.error,
			createdAt: notificationDeliveries.createdAt
		})
		.from(notificationDeliveries)
		.where(inArray(notificationDeliveries.channelId, ids))
		.orderBy(notificationDeliveries.channelId, desc(notificationDeliveries.id));
	for (const r of rows) {
		map.set(r.channelId, {
			status: r.status,
			responseCode: r.responseCode,
			error: r.error,
			createdAt: r.createdAt.toISOString()
		});
	}
	return map;
}

/** Every channel, by name (case-insensitive), each with its last delivery. */
export async function listChannels(db: DbOrTx, box: SecretBox): Promise<ChannelView[]> {
	const rows = await db
		.select()
		.from(notificationChannels)
		.orderBy(sql`lower(${notificationChannels.name})`, notificationChannels.id);
	const last = await lastDeliveries(
		db,
		rows.map((r) => r.id)
	);
	return rows.map((r) => toView(r, box, last.get(r.id) ?? null));
}

/** The stored row. @throws NotificationChannelError 404 */
export async function getChannelRow(db: DbOrTx, id: number): Promise<NotificationChannelRow> {
	const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
	if (!row) throw notFound(id);
	return row;
}

/** One channel with its last delivery. @throws NotificationChannelError 404 */
export async function getChannel(db: DbOrTx, box: SecretBox, id: number): Promise<ChannelView> {
	const row = await getChannelRow(db, id);
	const last = await lastDeliveries(db, [id]);
	return toView(row, box, last.get(id) ?? null);
}

async function lockChannels(tx: DbOrTx): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(hashtext('notification_channels'))`);
}

/** @throws NotificationChannelError 409 `name_taken` when another channel has `name`, in any case. */
async function assertNameFree(tx: DbOrTx, name: string, exceptId?: number): Promise<void> {
	const clash = await tx
		.select({ id: notificationChannels.id, name: notificationChannels.name })
		.from(notificationChannels)
		.where(sql`lower(${notificationChannels.name}) = lower(${name})`);
	const other = clash.find((c) => c.id !== exceptId);
	if (other) {
		const message = `A notification channel named "${other.name}" already exists`;
		throw new NotificationChannelError('notification_channels.name_taken', message, {
			status: 409,
			fields: { name: message }
		});
	}
}

/** @throws NotificationChannelError 400 on `connectorIds` naming the ids that do not exist. */
async function assertConnectorsExist(tx: DbOrTx, ids: number[]): Promise<void> {
	if (ids.length === 0) return;
	const found = await tx
		.select({ id: connectors.id })
		.from(connectors)
		.where(inArray(connectors.id, ids));
	const known = new Set(found.map((f) => f.id));
	const missing = ids.filter((id) => !known.has(id));
	if (missing.length > 0) {
		throw invalid(
			'connectorIds',
			`There is no connector ${missing.join(', ')}: pick connectors from the list`
		);
	}
}

/** `config` (secrets included) checked by the type's schema, errors on `config.<field>`. */
function parseConfig(type: ChannelType, config: unknown): Record<string, unknown> {
	const parsed = v.parse(v.object({ config: configSchema(type) }), { config });
	return parsed.config as Record<string, unknown>;
}

/**
 * Creates a channel; its secrets are stored encrypted.
 * @param body `channelCreateSchema(type)`: `{ type, name, config, …routing }`
 * @throws ValiError (400); NotificationChannelError 400 `connectorIds`, 409 `name_taken`
 */
export async function createChannel(
	db: Database,
	box: SecretBox,
	body: unknown
): Promise<ChannelView> {
	const { type } = v.parse(ChannelTypeSchema, body);
	const input = v.parse(channelCreateSchema(type), body);
	const { config, secrets } = splitConfig(type, input.config as Record<string, unknown>);
	const id = await db.transaction(async (tx) => {
		await lockChannels(tx);
		await assertNameFree(tx, input.name);
		await assertConnectorsExist(tx, input.connectorIds);
		const [row] = await tx
			.insert(notificationChannels)
			.values({
				type,
				name: input.name,
				enabled: input.enabled,
				config,
				secretsEncrypted: sealSecrets(secrets, box),
				events: input.events,
				minSeverity: input.minSeverity,
				connectorIds: input.connectorIds,
				batchWindowSeconds: input.batchWindowSeconds,
				quietHours: input.quietHours,
				maxPerHour: input.maxPerHour,
				templates: input.templates
			})
			.returning({ id: notificationChannels.id });
		if (!row) throw new Error('insert returned no row');
		return row.id;
	});
	return getChannel(db, box, id);
}

/** "https://ntfy.example.org" of a URL, or the text itself. */
function originOf(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return url;
	}
}

/**
 * Whether `next` points the secrets elsewhere than `current` (the server URL's scheme, host or
 * port; the SMTP host, case-insensitive).
 */
function movesAway(field: 'serverUrl' | 'host', current: unknown, next: unknown): boolean {
	if (typeof current !== 'string' || typeof next !== 'string') return false;
	if (field === 'host') return current.trim().toLowerCase() !== next.trim().toLowerCase();
	return !sameOrigin(current, next.trim());
}

/**
 * The full configuration after an update: the stored one, the stored secrets, then `patch`
 * (a secret given as "" or omitted keeps the stored value; `null` removes a field).
 * @throws NotificationChannelError 400 on a kept secret when the server it belongs to changed.
 */
function mergeConfig(
	row: NotificationChannelRow,
	stored: Record<string, string>,
	patch: Record<string, unknown>
): Record<string, unknown> {
	const secretNames = new Set<string>(SECRET_FIELDS[row.type]);
	const merged: Record<string, unknown> = { ...row.config, ...stored };
	const reentered = new Set<string>();
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) {
			delete merged[key];
			continue;
		}
		if (secretNames.has(key)) {
			if (value === '' || value === undefined) continue;
			reentered.add(key);
		}
		merged[key] = value;
	}
	const bound = SECRET_BOUND_FIELD[row.type];
	if (bound && bound in patch && movesAway(bound, row.config[bound], patch[bound])) {
		const kept = [...secretNames].filter(
			(name) => stored[name] !== undefined && !reentered.has(name) && patch[name] !== null
		);
		if (kept.length > 0) {
			const where =
				bound === 'host'
					? `the SMTP host is now ${String(patch[bound])} instead of ${String(row.config[bound])}`
					: `the server URL now points at ${originOf(String(patch[bound]))} instead of ${originOf(String(row.config[bound]))}`;
			const fields: Record<string, string> = {};
			for (const name of kept) {
				fields[`config.${name}`] =
					`Enter the ${secretLabel(name).toLowerCase()} again: ${where}, and a stored secret is only sent where it was saved for.`;
			}
			const message = Object.values(fields)[0] ?? 'Enter the secrets again';
			throw new NotificationChannelError('validation.failed', message, { status: 400, fields });
		}
	}
	return merged;
}

/**
 * Changes a channel (any field; `config` merged over the stored one, see `mergeConfig`).
 * @throws ValiError (400); NotificationChannelError 404, 400 (`type` changed, `connectorIds`,
 *   a secret that may not follow a changed server), 409 `name_taken`
 */
export async function updateChannel(
	db: Database,
	box: SecretBox,
	id: number,
	body: unknown
): Promise<ChannelView> {
	const input = v.parse(ChannelUpdateSchema, body);
	await db.transaction(async (tx) => {
		await lockChannels(tx);
		const [row] = await tx
			.select()
			.from(notificationChannels)
			.where(eq(notificationChannels.id, id))
			.for('update');
		if (!row) throw notFound(id);
		if (input.type !== undefined && input.type !== row.type) {
			throw invalid(
				'type',
				`The type of a channel cannot change (this one is ${row.type}): add a new channel instead`
			);
		}
		const columns: Partial<typeof notificationChannels.$inferInsert> = {};
		if (input.name !== undefined) {
			await assertNameFree(tx, input.name, id);
			columns.name = input.name;
		}
		if (input.connectorIds !== undefined) {
			await assertConnectorsExist(tx, input.connectorIds);
			columns.connectorIds = input.connectorIds;
		}
		if (input.config !== undefined) {
			// Unreadable secrets (a changed key) count as none: required ones must be typed again.
			const stored = storedSecrets(row, box) ?? {};
			const full = parseConfig(row.type, mergeConfig(row, stored, input.config));
			const { config, secrets } = splitConfig(row.type, full);
			columns.config = config;
			columns.secretsEncrypted = sealSecrets(secrets, box);
		}
		if (input.enabled !== undefined) columns.enabled = input.enabled;
		if (input.events !== undefined) columns.events = input.events;
		if (input.minSeverity !== undefined) columns.minSeverity = input.minSeverity;
		if (input.batchWindowSeconds !== undefined) {
			columns.batchWindowSeconds = input.batchWindowSeconds;
		}
		if (input.quietHours !== undefined) columns.quietHours = input.quietHours;
		if (input.maxPerHour !== undefined) columns.maxPerHour = input.maxPerHour;
		if (input.templates !== undefined) columns.templates = input.templates;
		if (Object.keys(columns).length > 0) {
			await tx
				.update(notificationChannels)
				.set({ ...columns, updatedAt: new Date() })
				.where(eq(notificationChannels.id, id));
		}
	});
	return getChannel(db, box, id);
}

/**
 * Deletes a channel with its outbox and delivery log (foreign keys cascade).
 * @returns the deleted channel's name. @throws NotificationChannelError 404
 */
export async function deleteChannel(db: Database, id: number): Promise<string> {
	const [row] = await db
		.delete(notificationChannels)
		.where(eq(notificationChannels.id, id))
		.returning({ name: notificationChannels.name });
	if (!row) throw notFound(id);
	return row.name;
}

/**
 * Sends a test message to channel `id` now — whatever its switch, filters, quiet hours or hourly
 * limit — and logs the attempt (a `notification_deliveries` row with `outbox_id` null, event type
 * `test`), through the engine's `attemptDelivery` (delivery.ts).
 * A failing send is a result (`ok: false`, with the response code and error), not an exception.
 * @param options.publicUrl Settings → Notifications public URL ('' = no link)
 * @throws NotificationChannelError 404; database errors
 */
export async function testChannel(
	db: Database,
	box: SecretBox,
	id: number,
	options: { publicUrl: string; now: Date; timeoutMs?: number }
): Promise<TestResult> {
	const row = await getChannelRow(db, id);
	const { result, deliveryId } = await attemptDelivery(
		db,
		box,
		row,
		testMessage(row.name, options),
		{
			outboxId: null,
			attempt: 1,
			eventType: 'test',
			...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {})
		}
	);
	return {
		ok: result.ok,
		responseCode: result.responseCode,
		error: result.ok ? null : result.error,
		deliveryId
	};
}

/** Filters of the delivery log. */
export interface DeliveryQuery {
	channelId?: number | undefined;
	status?: DeliveryStatus | undefined;
	/** At most this many (1–200, default 50). */
	limit?: number | undefined;
	/** Only attempts with a smaller id (the last id of the previous page). */
	before?: number | undefined;
}

/** Query-string rules of `GET /api/v1/notification-deliveries` (strings in, numbers out). */
const idParam = (label: string) =>
	v.pipe(
		v.string(),
		v.regex(/^\d{1,15}$/, `${label} must be a positive whole number`),
		v.transform(Number),
		v.minValue(1, `${label} must be a positive whole number`)
	);
export const DeliveryQuerySchema = v.object({
	channelId: v.optional(idParam('channelId')),
	status: v.optional(v.picklist(['sent', 'failed'], 'status is sent or failed')),
	limit: v.optional(
		v.pipe(
			idParam('limit'),
			v.maxValue(DELIVERY_LIMIT.max, `limit must be at most ${DELIVERY_LIMIT.max}`)
		)
	),
	before: v.optional(idParam('before'))
});

/** The delivery log, newest first. */
export async function listDeliveries(db: DbOrTx, query: DeliveryQuery): Promise<DeliveryView[]> {
	const where: SQL[] = [];
	if (query.channelId !== undefined) {
		where.push(eq(notificationDeliveries.channelId, query.channelId));
	}
	if (query.status !== undefined) where.push(eq(notificationDeliveries.status, query.status));
	if (query.before !== undefined) where.push(lt(notificationDeliveries.id, query.before));
	const rows = await db
		.select({
			id: notificationDeliveries.id,
			channelId: notificationDeliveries.channelId,
			channelName: notificationChannels.name,
			outboxId: notificationDeliveries.outboxId,
			eventType: notificationDeliveries.eventType,
			attempt: notificationDeliveries.attempt,
			status: notificationDeliveries.status,
			responseCode: notificationDeliveries.responseCode,
			error: notificationDeliveries.error,
			durationMs: notificationDeliveries.durationMs,
			createdAt: notificationDeliveries.createdAt
		})
		.from(notificationDeliveries)
		.innerJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
		.where(where.length > 0 ? and(...where) : undefined)
		.orderBy(desc(notificationDeliveries.id))
		.limit(Math.min(query.limit ?? DELIVERY_LIMIT.default, DELIVERY_LIMIT.max));
	return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

/** Id and name of every channel, for the delivery log's filter. */
export async function channelChoices(db: DbOrTx): Promise<{ id: number; name: string }[]> {
	return db
		.select({ id: notificationChannels.id, name: notificationChannels.name })
		.from(notificationChannels)
		.orderBy(sql`lower(${notificationChannels.name})`);
}

/** Id, name and type of every connector, for the channel form's connector filter. */
export async function connectorChoices(
	db: DbOrTx
): Promise<{ id: number; name: string; type: string }[]> {
	return db
		.select({ id: connectors.id, name: connectors.name, type: connectors.type })
		.from(connectors)
		.orderBy(sql`lower(${connectors.name})`);
}
