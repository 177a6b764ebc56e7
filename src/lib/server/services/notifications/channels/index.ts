/**
 * The channel senders, one per type, in one registry.
 *
 * `createSenders(options)` builds the map type → sender; the API bases of the hosted services
 * (Telegram, Pushover) and the resolver are options so tests can point them at local receivers.
 * `sendNotification(type, config, message, options)` sends with the default senders.
 *
 * Every sender resolves to a `SendResult` and never throws or rejects, even for a malformed
 * stored configuration: an unexpected exception becomes a non-retryable failure whose sentence
 * has the channel's secrets blanked.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import {
	SECRET_FIELDS,
	type ChannelConfigs,
	type ChannelType,
	type NotificationMessage
} from '$lib/types/notifications';
import { createDiscordSender } from './discord';
import { createEmailSender } from './email';
import { createGotifySender } from './gotify';
import { failure, redact, urlSecrets } from './http';
import { createNtfySender } from './ntfy';
import { createPushoverSender } from './pushover';
import { createSlackSender } from './slack';
import { createTelegramSender } from './telegram';
import type { ChannelSender, SendOptions, SendResult } from './types';
import { createWebhookSender } from './webhook';

export type { ChannelSender, SendOptions, SendResult } from './types';
export { verifyWebhookSignature, webhookSignature } from './webhook';

/** The Bot API base (https://core.telegram.org/bots/api#making-requests). */
export const TELEGRAM_API_BASE = 'https://api.telegram.org';
/** The Pushover API base (https://pushover.net/api). */
export const PUSHOVER_API_BASE = 'https://api.pushover.net';

export interface SenderOptions {
	/** Default `TELEGRAM_API_BASE`; no trailing slash needed. */
	telegramApiBase?: string;
	/** Default `PUSHOVER_API_BASE`. */
	pushoverApiBase?: string;
	/** How host names are resolved before the address guard checks them. Default: the system's. */
	resolver?: Resolver;
}

/** One sender per channel type. */
export type SenderRegistry = { [T in ChannelType]: ChannelSender<T> };

/** Every secret string of a configuration, and the parts of secret URLs. */
function secretsOf(type: ChannelType, config: unknown): string[] {
	if (!config || typeof config !== 'object') return [];
	const record = config as Record<string, unknown>;
	return (SECRET_FIELDS[type] as readonly string[]).flatMap((field) => {
		const value = record[field];
		if (typeof value !== 'string') return [];
		return field === 'webhookUrl' ? urlSecrets(value) : [value];
	});
}

/** Wraps a sender so that nothing it does can throw out of `send`. */
function neverThrows<T extends ChannelType>(sender: ChannelSender<T>): ChannelSender<T> {
	return {
		type: sender.type,
		async send(config, message, options): Promise<SendResult> {
			try {
				return await sender.send(config, message, options);
			} catch (error) {
				const text = error instanceof Error ? error.message : String(error);
				return failure(
					redact(`${sender.type}: could not send (${text})`, secretsOf(sender.type, config)),
					false
				);
			}
		}
	};
}

/** Builds the sender of every channel type. */
export function createSenders(options: SenderOptions = {}): SenderRegistry {
	const { resolver } = options;
	return {
		discord: neverThrows(createDiscordSender({ resolver })),
		ntfy: neverThrows(createNtfySender({ resolver })),
		telegram: neverThrows(
			createTelegramSender({ resolver, apiBase: options.telegramApiBase ?? TELEGRAM_API_BASE })
		),
		slack: neverThrows(createSlackSender({ resolver })),
		pushover: neverThrows(
			createPushoverSender({ resolver, apiBase: options.pushoverApiBase ?? PUSHOVER_API_BASE })
		),
		gotify: neverThrows(createGotifySender({ resolver })),
		email: neverThrows(createEmailSender({ resolver })),
		webhook: neverThrows(createWebhookSender({ resolver }))
	};
}

let defaults: SenderRegistry | undefined;

/**
 * Sends `message` on a channel of `type` with the default senders (the public Telegram and
 * Pushover APIs, the system resolver). Never throws.
 */
export function sendNotification<T extends ChannelType>(
	type: T,
	config: ChannelConfigs[T],
	message: NotificationMessage,
	options?: SendOptions
): Promise<SendResult> {
	defaults ??= createSenders();
	const sender = defaults[type] as ChannelSender<T>;
	return sender.send(config, message, options);
}
