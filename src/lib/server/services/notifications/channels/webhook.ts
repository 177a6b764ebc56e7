/**
 * The generic webhook: Comradarr's own JSON format, signed, for receivers that are not one of the
 * named services (Home Assistant, n8n, a script).
 *
 * Request (this module is its documentation; the format is ours):
 *
 *     POST <url>
 *     Content-Type: application/json
 *     X-Comradarr-Timestamp: <unix seconds>            (the instant of `sentAt`)
 *     X-Comradarr-Signature: sha256=<hex HMAC-SHA256(secret, raw body bytes)>
 *     X-Comradarr-Event: <eventType>
 *
 *     {"version":1,"sentAt":"2026-12-02T16:00:00.000Z","eventType":"…","severity":"info",
 *      "title":"…","body":"…","url":"…"|null,"timestamp":"…","fields":[{"name","value"}],
 *      "events":[{"id","type","connectorId","subject","payload","createdAt"}]}
 *
 * The signature is HMAC-SHA256 as in RFC 2104 with SHA-256 (FIPS 180-4), written the way GitHub
 * writes `X-Hub-Signature-256`. `sentAt` is inside the signed body and whole seconds, so the
 * timestamp header cannot be changed without breaking the signature, and a receiver that refuses
 * old timestamps refuses replays: see `verifyWebhookSignature`.
 *
 * Any 2xx is success; other answers are classified as every HTTP channel (http.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import { systemClock } from '$lib/server/auth/clock';
import type { NotificationMessage } from '$lib/types/notifications';
import {
	failure,
	originOf,
	postChecked,
	requiredString,
	resultForStatus,
	success,
	urlSecrets
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

/** The body a webhook receiver gets (version 1). */
export interface WebhookPayload {
	version: 1;
	/** When this delivery attempt was made, ISO 8601 UTC, whole seconds. */
	sentAt: string;
	eventType: NotificationMessage['eventType'];
	severity: NotificationMessage['severity'];
	title: string;
	body: string;
	url: string | null;
	/** When it happened (the newest event), ISO 8601 UTC. */
	timestamp: string;
	fields: NotificationMessage['fields'];
	events: NotificationMessage['events'];
}

export const SIGNATURE_HEADER = 'X-Comradarr-Signature';
export const TIMESTAMP_HEADER = 'X-Comradarr-Timestamp';

/** `sha256=<hex>` of HMAC-SHA256 keyed with `secret` over the exact body bytes. */
export function webhookSignature(secret: string, rawBody: string | Uint8Array): string {
	return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** The payload for `message`, sent at `sentAt` (cut to whole seconds). */
export function webhookPayload(message: NotificationMessage, sentAt: Date): WebhookPayload {
	const seconds = Math.floor(sentAt.getTime() / 1000);
	return {
		version: 1,
		sentAt: new Date(seconds * 1000).toISOString(),
		eventType: message.eventType,
		severity: message.severity,
		title: message.title,
		body: message.body,
		url: message.url,
		timestamp: message.timestamp,
		fields: message.fields,
		events: message.events
	};
}

/**
 * Checks a request a Comradarr webhook receiver got. Use the raw body bytes as received (not a
 * re-serialised parse). True only when all hold:
 * - `signatureHeader` is `sha256=<64 hex>` and equals HMAC-SHA256(secret, rawBody) (compared in
 *   constant time);
 * - `timestampHeader` is unix seconds within `toleranceSeconds` of `now` (either side);
 * - the body is JSON whose `sentAt` is that same instant (so the header matches what was signed).
 * @param now the receiver's clock (Date or ms since the epoch).
 * @param toleranceSeconds how old (or early) a request may be; default 300 s.
 */
export function verifyWebhookSignature(
	secret: string,
	rawBody: string | Uint8Array,
	signatureHeader: string | null | undefined,
	timestampHeader: string | null | undefined,
	now: Date | number,
	toleranceSeconds = 300
): boolean {
	const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader?.trim() ?? '');
	if (!match) return false;
	const expected = Buffer.from(webhookSignature(secret, rawBody).slice('sha256='.length), 'hex');
	const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
	if (!timingSafeEqual(expected, given)) return false;

	if (!/^\d{1,12}$/.test(timestampHeader?.trim() ?? '')) return false;
	const timestamp = Number(timestampHeader);
	const nowSeconds = (typeof now === 'number' ? now : now.getTime()) / 1000;
	if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;

	const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
	let sentAt: unknown;
	try {
		sentAt = (JSON.parse(text) as { sentAt?: unknown }).sentAt;
	} catch {
		return false;
	}
	return typeof sentAt === 'string' && Date.parse(sentAt) === timestamp * 1000;
}

export function createWebhookSender(
	deps: { resolver?: Resolver | undefined } = {}
): ChannelSender<'webhook'> {
	return {
		type: 'webhook',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const url = requiredString(config.url);
			if (!url) return failure('webhook: no URL configured', false);
			const secret = requiredString(config.secret);
			if (!secret) return failure('webhook: no signing secret configured', false);
			const label = `the webhook at ${originOf(url)}`;
			const secrets = [secret, ...urlSecrets(url, false)];
			const payload = webhookPayload(message, (options?.clock ?? systemClock)());
			const body = JSON.stringify(payload);
			const outcome = await postChecked({
				url,
				body,
				contentType: 'application/json',
				headers: {
					[TIMESTAMP_HEADER]: String(Date.parse(payload.sentAt) / 1000),
					[SIGNATURE_HEADER]: webhookSignature(secret, body),
					'X-Comradarr-Event': message.eventType
				},
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			if (answer.status >= 200 && answer.status < 300) return success(answer.status);
			return resultForStatus(answer, label, null, secrets);
		}
	};
}
