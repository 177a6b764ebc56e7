/**
 * The contract every channel type implements (one module per type in this folder, registered in
 * ./index.ts): send one rendered `NotificationMessage` with the type's full configuration.
 * Every target goes through the connectors' address guard (connectors/common/address-guard.ts):
 * loopback and LAN are allowed (self-hosted ntfy / Gotify), link-local and metadata never.
 */
import type { Clock } from '$lib/server/auth/clock';
import type { ChannelConfigs, ChannelType, NotificationMessage } from '$lib/types/notifications';

/** What one delivery attempt gave. A sender never throws: every failure is a result. */
export interface SendResult {
	ok: boolean;
	/** HTTP status, or the SMTP reply code; null when nothing answered (DNS, refused, timeout). */
	responseCode: number | null;
	/** A sentence for the delivery log, without secrets (no token, no full webhook URL). */
	error: string | null;
	/** Whether trying again may help (5xx, 429, network, timeout) or not (4xx, bad config). */
	retryable: boolean;
	/** A server's Retry-After, in ms, when it gave one. */
	retryAfterMs?: number;
}

export interface SendOptions {
	/** Per-attempt timeout in ms (default 10,000). */
	timeoutMs?: number;
	/** Aborts the attempt (shutdown). */
	signal?: AbortSignal;
	/** The send time where a format carries one (the webhook's `sentAt`). Default: the wall clock. */
	clock?: Clock;
}

export interface ChannelSender<T extends ChannelType> {
	type: T;
	send(
		config: ChannelConfigs[T],
		message: NotificationMessage,
		options?: SendOptions
	): Promise<SendResult>;
}
