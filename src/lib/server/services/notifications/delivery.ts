/**
 * Delivering the outbox: a pass claims the due rows, sends them, and records every attempt in
 * `notification_deliveries`.
 *
 * **Claim** (one transaction): due pending rows (`notBefore <= now`) are locked with
 * `FOR UPDATE SKIP LOCKED`, so two processes never take the same row; each claimed row gets a
 * lease (`notBefore = now + leaseMs`, attempts + 1) before the transaction commits, so a process
 * that dies while sending leaves a row another pass takes again after the lease. At the first
 * attempt the message is rendered (render.ts) and stored in `message`: retries send the same text.
 * In the same transaction:
 * - notifications turned off (Settings → Notifications) or the channel disabled: the row is
 *   `dropped` with the reason in `lastError`;
 * - the channel is in its quiet hours and the row is not an error passing through: it is held to
 *   their end (merged into the channel's quiet-hours digest);
 * - **hourly limit** (`maxPerHour`): when the channel already sent that many messages in the
 *   last rolling hour (`sent_at`), the rows over the limit are not dropped but merged into one
 *   digest row, due when the oldest of those sends leaves the hour (a row already attempted keeps
 *   its fixed text and is only postponed). Merged rows become `dropped` with
 *   "Merged into message #N".
 *
 * **Send**: channels in parallel, each channel's rows one after the other in due order, each
 * attempt under a timeout (`timeoutMs`), so a slow or failing channel never delays another. A
 * network failure (nothing answered) is retried once at once in the same pass (p-retry); then the
 * persisted backoff takes over: `notBefore = now + backoffMs(attempt)` (exponential from 30 s,
 * doubled per attempt, capped at 1 h, with jitter, at least the server's Retry-After), which
 * survives restarts. After `maxAttempts` attempts, or at once for a non-retryable answer (4xx,
 * bad configuration, unreadable secrets), the row is `failed`.
 */
import pRetry from 'p-retry';
import { and, asc, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { SecretError, type SecretBox } from '$lib/server/crypto/secrets';
import type { Database, DbOrTx } from '$lib/server/db';
import {
	notificationChannels,
	notificationDeliveries,
	notificationOutbox,
	type NotificationChannelRow,
	type NotificationOutboxRow
} from '$lib/server/db/schema';
import { moduleLogger, safeErrorMessage } from '$lib/server/logger';
import { getSettings } from '$lib/server/services/settings/settings-service';
import type { ChannelConfigs, ChannelType, NotificationMessage } from '$lib/types/notifications';
import { fullConfigOf } from './channel-config';
import { sendNotification, type SendOptions, type SendResult } from './channels';
import { passesQuietHours, quietState } from './quiet-hours';
import { renderMessage } from './render';
import { loadLookup, loadRenderEvents } from './render-context';
import { maxSeverity } from './severity';

const log = moduleLogger('notifications');

/** The delivery rules (times in ms). */
export const DELIVERY_RULES = {
	/** Attempts of one message before it is `failed`. */
	maxAttempts: 8,
	/** Wait after the first failed attempt; doubled per attempt. */
	backoffBaseMs: 30_000,
	/** Longest wait between two attempts. */
	backoffCapMs: 60 * 60_000,
	/** How long a claimed row is reserved for the pass sending it. */
	leaseMs: 2 * 60_000,
	/** Timeout of one attempt. */
	timeoutMs: 10_000,
	/** Rows claimed per pass. */
	claimLimit: 200,
	/** Immediate retries, within the pass, of an attempt nothing answered (network, timeout). */
	quickRetries: 1,
	/** Pause before such an immediate retry. */
	quickRetryMs: 500,
	/** The rolling window of `maxPerHour`. */
	limitWindowMs: 60 * 60_000
} as const;

/** Sends one message on one channel type (channels/index.ts `sendNotification`). Never throws. */
export type SendFn = <T extends ChannelType>(
	type: T,
	config: ChannelConfigs[T],
	message: NotificationMessage,
	options?: SendOptions
) => Promise<SendResult>;

/**
 * The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed: `backoffBaseMs
 * · 2^(attempt-1)`, capped at `backoffCapMs`, scaled by a jitter of 0.75–1.25, and at least
 * `retryAfterMs` (capped too) when the server sent one. In ms.
 */
export function backoffMs(
	attempt: number,
	random: () => number = Math.random,
	retryAfterMs?: number
): number {
	const exponential = Math.min(
		DELIVERY_RULES.backoffCapMs,
		DELIVERY_RULES.backoffBaseMs * 2 ** Math.max(0, attempt - 1)
	);
	const jittered = Math.round(exponential * (0.75 + random() * 0.5));
	const floor = Math.min(DELIVERY_RULES.backoffCapMs, retryAfterMs ?? 0);
	return Math.max(jittered, floor);
}

export interface AttemptOptions {
	/** The outbox row sent; null for a test notification. */
	outboxId: number | null;
	/** 1-based attempt number, as logged. */
	attempt: number;
	/** The event type logged (`item.acquired`, `digest`, `test`). */
	eventType: string;
	/** Per-attempt timeout in ms (default DELIVERY_RULES.timeoutMs). */
	timeoutMs?: number;
	signal?: AbortSignal;
	/** The sender (default channels/index.ts `sendNotification`). */
	send?: SendFn;
}

/**
 * Sends `message` once on `channel` and logs the attempt as a `notification_deliveries` row
 * (status, response code, error, duration). Used by the delivery pass and by "Send test
 * notification" (outboxId null, eventType `test`).
 * Secrets that cannot be decrypted (the app secret changed) give a failed, non-retryable result.
 * @returns the sender's result and the id of the delivery row
 * @throws only on database failure (writing the log row)
 */
export async function attemptDelivery(
	db: DbOrTx,
	box: SecretBox,
	channel: NotificationChannelRow,
	message: NotificationMessage,
	options: AttemptOptions
): Promise<{ result: SendResult; deliveryId: number }> {
	const started = performance.now();
	const send = options.send ?? sendNotification;
	let result: SendResult;
	try {
		const config = fullConfigOf(channel, box);
		result = await send(channel.type, config, message, {
			timeoutMs: options.timeoutMs ?? DELIVERY_RULES.timeoutMs,
			...(options.signal ? { signal: options.signal } : {})
		});
	} catch (error) {
		result =
			error instanceof SecretError
				? {
						ok: false,
						responseCode: null,
						error:
							'The channel’s credentials cannot be decrypted (was the app secret changed?). Enter them again.',
						retryable: false
					}
				: {
						ok: false,
						responseCode: null,
						error: `Sending failed: ${safeErrorMessage(error)}`,
						retryable: true
					};
	}
	const durationMs = Math.max(0, Math.round(performance.now() - started));
	const [row] = await db
		.insert(notificationDeliveries)
		.values({
			channelId: channel.id,
			outboxId: options.outboxId,
			eventType: options.eventType.slice(0, 48),
			attempt: options.attempt,
			status: result.ok ? 'sent' : 'failed',
			responseCode: result.responseCode,
			error: result.ok ? null : (result.error ?? 'The delivery failed.'),
			durationMs
		})
		.returning({ id: notificationDeliveries.id });
	return { result, deliveryId: row!.id };
}

export interface DeliveryDeps {
	db: Database;
	secrets: SecretBox;
	clock: () => Date;
	/** The sender (default `sendNotification`). */
	send?: SendFn;
	/** 0–1, for the backoff's jitter (default Math.random). */
	random?: () => number;
	/** Per-attempt timeout in ms (default DELIVERY_RULES.timeoutMs). */
	timeoutMs?: number;
}

/** What one delivery pass did. */
export interface DeliverResult {
	/** Rows claimed to be sent in this pass. */
	claimed: number;
	sent: number;
	/** Failed attempts that will be retried later. */
	retrying: number;
	/** Rows given up on (retry limit or a non-retryable answer). */
	failed: number;
	/** Rows held for quiet hours or the hourly limit. */
	postponed: number;
	/** Rows dropped (notifications off, channel disabled, merged into a digest, events gone). */
	dropped: number;
	/** Attempts logged (quick retries included). */
	attempts: number;
}

interface Claimed {
	row: NotificationOutboxRow;
	message: NotificationMessage;
}

/**
 * One delivery pass (see the module comment).
 * @throws on database failure of the claim (nothing is sent then); a failure while recording
 *   one row's result is logged and leaves that row to its lease
 */
export async function deliverDue(deps: DeliveryDeps): Promise<DeliverResult> {
	const result: DeliverResult = {
		claimed: 0,
		sent: 0,
		retrying: 0,
		failed: 0,
		postponed: 0,
		dropped: 0,
		attempts: 0
	};
	const claims = await claim(deps, result);
	result.claimed = [...claims.values()].reduce((n, c) => n + c.rows.length, 0);
	await Promise.all(
		[...claims.values()].map(async ({ channel, rows }) => {
			for (const item of rows) {
				try {
					await deliverRow(deps, channel, item, result);
				} catch (error) {
					log.error(
						{ err: error, channelId: channel.id, outboxId: item.row.id },
						'recording a notification delivery failed'
					);
				}
			}
		})
	);
	return result;
}

async function claim(
	deps: DeliveryDeps,
	result: DeliverResult
): Promise<Map<number, { channel: NotificationChannelRow; rows: Claimed[] }>> {
	const now = deps.clock();
	return deps.db.transaction(async (tx) => {
		const out = new Map<number, { channel: NotificationChannelRow; rows: Claimed[] }>();
		const due = await tx
			.select()
			.from(notificationOutbox)
			.where(and(eq(notificationOutbox.status, 'pending'), lte(notificationOutbox.notBefore, now)))
			.orderBy(asc(notificationOutbox.notBefore), asc(notificationOutbox.id))
			.limit(DELIVERY_RULES.claimLimit)
			.for('update', { skipLocked: true });
		if (due.length === 0) return out;
		const settings = await getSettings(tx, now.getTime());
		if (!settings.notifications.enabled) {
			await drop(tx, due, 'Notifications are turned off (Settings → Notifications).');
			result.dropped += due.length;
			return out;
		}
		const channelRows = await tx
			.select()
			.from(notificationChannels)
			.where(inArray(notificationChannels.id, [...new Set(due.map((r) => r.channelId))]));
		const channels = new Map(channelRows.map((c) => [c.id, c]));
		for (const [channelId, rows] of groupBy(due, (r) => r.channelId)) {
			const channel = channels.get(channelId);
			if (!channel?.enabled) {
				await drop(tx, rows, 'The channel is disabled.');
				result.dropped += rows.length;
				continue;
			}
			let sendable = rows;
			const quiet = quietState(channel.quietHours, now, settings.general.timeZone);
			if (quiet.quiet) {
				const held = rows.filter((r) => !passesQuietHours(channel.quietHours!, r.severity));
				sendable = rows.filter((r) => passesQuietHours(channel.quietHours!, r.severity));
				if (held.length > 0) {
					result.dropped += await hold(tx, held, quiet.endsAt, now, 'quiet hours');
					result.postponed += held.length;
				}
			}
			if (channel.maxPerHour !== null && sendable.length > 0) {
				const limit = await hourlySlots(tx, channel.id, channel.maxPerHour, now);
				if (sendable.length > limit.slots) {
					const over = sendable.slice(Math.max(0, limit.slots));
					sendable = sendable.slice(0, Math.max(0, limit.slots));
					result.dropped += await hold(
						tx,
						over,
						limit.freeAt(sendable.length),
						now,
						'hourly limit'
					);
					result.postponed += over.length;
				}
			}
			const claimed: Claimed[] = [];
			for (const row of sendable) {
				const message = row.message ?? (await render(tx, row, channel, settings));
				if (!message) {
					await drop(tx, [row], 'Its events no longer exist (pruned).');
					result.dropped++;
					continue;
				}
				await tx
					.update(notificationOutbox)
					.set({
						message,
						attempts: sql`${notificationOutbox.attempts} + 1`,
						notBefore: new Date(now.getTime() + DELIVERY_RULES.leaseMs)
					})
					.where(eq(notificationOutbox.id, row.id));
				claimed.push({ row: { ...row, attempts: row.attempts + 1, message }, message });
			}
			if (claimed.length > 0) out.set(channel.id, { channel, rows: claimed });
		}
		return out;
	});
}

/** The rendered message of a fresh row, or null when none of its events exist any more. */
async function render(
	tx: DbOrTx,
	row: NotificationOutboxRow,
	channel: NotificationChannelRow,
	settings: { notifications: { publicUrl: string } }
): Promise<NotificationMessage | null> {
	const list = await loadRenderEvents(tx, row.eventIds);
	if (list.length === 0) return null;
	return renderMessage(list, {
		templates: channel.templates,
		publicUrl: settings.notifications.publicUrl,
		lookup: await loadLookup(tx, list)
	});
}

/**
 * How many more messages `channelId` may send now under `max` per rolling hour, and when the
 * next slot frees after `sendingNow` more are sent at `now`.
 */
async function hourlySlots(
	tx: DbOrTx,
	channelId: number,
	max: number,
	now: Date
): Promise<{ slots: number; freeAt: (sendingNow: number) => Date }> {
	const since = new Date(now.getTime() - DELIVERY_RULES.limitWindowMs);
	const recent = await tx
		.select({ sentAt: notificationOutbox.sentAt })
		.from(notificationOutbox)
		.where(
			and(
				eq(notificationOutbox.channelId, channelId),
				eq(notificationOutbox.status, 'sent'),
				gt(notificationOutbox.sentAt, since)
			)
		)
		.orderBy(asc(notificationOutbox.sentAt));
	const times = recent.map((r) => r.sentAt!.getTime());
	return {
		slots: max - times.length,
		freeAt: (sendingNow) => {
			const all = [...times, ...Array<number>(sendingNow).fill(now.getTime())];
			// The send that must leave the hour before one more fits.
			const oldest = all[Math.max(0, all.length - max)] ?? now.getTime();
			return new Date(Math.max(now.getTime(), oldest) + DELIVERY_RULES.limitWindowMs);
		}
	};
}

/**
 * Holds `rows` (one channel's) until `until`: rows with a fixed message (already attempted) are
 * only postponed; the fresh ones are merged into one digest — the channel's open digest due at
 * that instant when there is one, else the first of them — and the others `dropped`.
 * @returns rows dropped by the merge
 */
async function hold(
	tx: DbOrTx,
	rows: readonly NotificationOutboxRow[],
	until: Date,
	now: Date,
	why: string
): Promise<number> {
	const fixed = rows.filter((r) => r.message !== null);
	const fresh = rows.filter((r) => r.message === null);
	if (fixed.length > 0) {
		await tx
			.update(notificationOutbox)
			.set({ notBefore: until, lastError: `Held by the channel’s ${why}.` })
			.where(
				inArray(
					notificationOutbox.id,
					fixed.map((r) => r.id)
				)
			);
	}
	if (fresh.length === 0) return 0;
	const [open] = await tx
		.select()
		.from(notificationOutbox)
		.where(
			and(
				eq(notificationOutbox.channelId, fresh[0]!.channelId),
				eq(notificationOutbox.status, 'pending'),
				eq(notificationOutbox.eventType, 'digest'),
				eq(notificationOutbox.attempts, 0),
				isNull(notificationOutbox.message),
				eq(notificationOutbox.notBefore, until),
				gt(notificationOutbox.notBefore, now)
			)
		)
		.orderBy(desc(notificationOutbox.id))
		.limit(1)
		// Never wait for a row the router is extending (it may wait for rows locked here).
		.for('update', { skipLocked: true });
	const keeper = open ?? fresh[0]!;
	const merged = open ? fresh : fresh.slice(1);
	const all = [keeper, ...merged];
	const eventIds = [...new Set(all.flatMap((r) => r.eventIds))];
	const types = new Set(all.map((r) => r.eventType));
	await tx
		.update(notificationOutbox)
		.set({
			eventIds,
			eventType: types.size === 1 ? keeper.eventType : 'digest',
			severity: all.map((r) => r.severity).reduce(maxSeverity),
			connectorId: new Set(all.map((r) => r.connectorId)).size === 1 ? keeper.connectorId : null,
			notBefore: until,
			attempts: 0,
			lastError: null
		})
		.where(eq(notificationOutbox.id, keeper.id));
	if (merged.length > 0) {
		await drop(tx, merged, `Merged into message #${keeper.id} (${why}).`);
	}
	return merged.length;
}

async function drop(
	tx: DbOrTx,
	rows: readonly NotificationOutboxRow[],
	reason: string
): Promise<void> {
	if (rows.length === 0) return;
	await tx
		.update(notificationOutbox)
		.set({ status: 'dropped', lastError: reason })
		.where(
			inArray(
				notificationOutbox.id,
				rows.map((r) => r.id)
			)
		);
}

/** Raised inside p-retry for an attempt nothing answered, to retry it at once. */
class NoAnswer extends Error {}

/** Sends one claimed row (with the quick retries) and records where it stands. */
async function deliverRow(
	deps: DeliveryDeps,
	channel: NotificationChannelRow,
	{ row, message }: Claimed,
	result: DeliverResult
): Promise<void> {
	let attempt = row.attempts;
	let last: SendResult | undefined;
	try {
		await pRetry(
			async (n) => {
				attempt = row.attempts + n - 1;
				const sent = await attemptDelivery(deps.db, deps.secrets, channel, message, {
					outboxId: row.id,
					attempt,
					eventType: row.eventType,
					...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
					...(deps.send ? { send: deps.send } : {})
				});
				result.attempts++;
				last = sent.result;
				const r = sent.result;
				if (!r.ok && r.retryable && r.responseCode === null) {
					if (attempt < DELIVERY_RULES.maxAttempts) throw new NoAnswer(r.error ?? 'no answer');
				}
			},
			{
				retries: DELIVERY_RULES.quickRetries,
				minTimeout: DELIVERY_RULES.quickRetryMs,
				factor: 1,
				randomize: false,
				shouldRetry: ({ error }) => error instanceof NoAnswer
			}
		);
	} catch (error) {
		if (!(error instanceof NoAnswer)) throw error;
	}
	const outcome = last!;
	const now = deps.clock();
	if (outcome.ok) {
		result.sent++;
		await updateRow(deps.db, row.id, {
			status: 'sent',
			sentAt: now,
			attempts: attempt,
			lastError: null
		});
		return;
	}
	const error = outcome.error ?? 'The delivery failed.';
	if (!outcome.retryable || attempt >= DELIVERY_RULES.maxAttempts) {
		result.failed++;
		await updateRow(deps.db, row.id, {
			status: 'failed',
			attempts: attempt,
			lastError: outcome.retryable
				? `Gave up after ${attempt} attempts: ${error}`
				: `Not retried: ${error}`
		});
		return;
	}
	result.retrying++;
	await updateRow(deps.db, row.id, {
		attempts: attempt,
		lastError: error,
		notBefore: new Date(
			now.getTime() + backoffMs(attempt, deps.random ?? Math.random, outcome.retryAfterMs)
		)
	});
}

/** Updates outbox row `id`. */
async function updateRow(
	db: Database,
	id: number,
	set: Partial<
		Pick<NotificationOutboxRow, 'status' | 'sentAt' | 'attempts' | 'lastError' | 'notBefore'>
	>
): Promise<void> {
	await db.update(notificationOutbox).set(set).where(eq(notificationOutbox.id, id));
}

function groupBy<T, K>(list: readonly T[], key: (item: T) => K): Map<K, T[]> {
	const out = new Map<K, T[]>();
	for (const item of list) {
		const k = key(item);
		const group = out.get(k);
		if (group) group.push(item);
		else out.set(k, [item]);
	}
	return out;
}
