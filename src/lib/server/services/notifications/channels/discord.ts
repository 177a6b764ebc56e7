/**
 * Discord: one embed through a channel webhook.
 *
 * Format from https://discord.com/developers/docs/resources/webhook#execute-webhook :
 * `POST <webhookUrl>?wait=true` (wait: Discord answers 200 with the created message instead of
 * 204, so a refused message is reported) with JSON `{username, embeds:[embed]}`. The embed
 * (https://discord.com/developers/docs/resources/message#embed-object) has title, description,
 * url, color (by severity), fields `{name, value, inline:true}`, an ISO 8601 timestamp and a
 * footer. Limits from https://discord.com/developers/docs/resources/message#embed-object-embed-limits :
 * title 256, description 4096, at most 25 fields, field name 256 and value 1024, footer text
 * 2048, and 6000 characters over all of them together; empty field names or values are refused,
 * so they become "—". When the total is over, fields are dropped from the end, then the
 * description is cut.
 *
 * Rate limits (https://discord.com/developers/docs/topics/rate-limits): 429 with JSON
 * `retry_after` in seconds (a float), preferred over the `Retry-After` header. Errors are JSON
 * `{code, message}`. The webhook URL is the credential: it never appears in an error sentence.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { NotificationMessage, Severity } from '$lib/types/notifications';
import {
	failure,
	parseJson,
	postChecked,
	requiredString,
	resultForStatus,
	stringField,
	success,
	truncate,
	urlSecrets
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

/** Embed colours (RGB as an integer): blue, amber, red. */
export const DISCORD_COLORS: Record<Severity, number> = {
	info: 0x3b82f6,
	warning: 0xf59e0b,
	error: 0xef4444
};

export const DISCORD_LIMITS = {
	title: 256,
	description: 4096,
	fields: 25,
	fieldName: 256,
	fieldValue: 1024,
	footer: 2048,
	total: 6000
} as const;

export interface DiscordEmbed {
	title: string;
	description?: string;
	url?: string;
	color: number;
	fields: { name: string; value: string; inline: true }[];
	timestamp: string;
	footer: { text: string };
}

export interface DiscordWebhookBody {
	username: string;
	embeds: [DiscordEmbed];
}

/** The embed characters Discord counts towards the 6000 total. */
export function embedLength(embed: DiscordEmbed): number {
	return (
		embed.title.length +
		(embed.description?.length ?? 0) +
		embed.footer.text.length +
		embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0)
	);
}

/** Builds the webhook body for `message`, inside every embed limit. */
export function discordBody(message: NotificationMessage): DiscordWebhookBody {
	const L = DISCORD_LIMITS;
	const title = truncate(message.title || 'Comradarr', L.title);
	const footer = { text: truncate(`Comradarr · ${message.eventType}`, L.footer) };
	const fields = message.fields.slice(0, L.fields).map((field) => ({
		name: truncate(field.name.trim() || '—', L.fieldName),
		value: truncate(field.value.trim() || '—', L.fieldValue),
		inline: true as const
	}));
	const fixed = () =>
		title.length +
		footer.text.length +
		fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
	// Keep some of the description: the body matters more than the last facts.
	const wantedDescription = Math.min(message.body.length, L.description, 1000);
	while (fields.length > 0 && fixed() + wantedDescription > L.total) fields.pop();
	const room = Math.min(L.description, L.total - fixed());
	const description = message.body.trim() === '' ? undefined : truncate(message.body, room);
	return {
		username: 'Comradarr',
		embeds: [
			{
				title,
				...(description ? { description } : {}),
				...(message.url ? { url: message.url } : {}),
				color: DISCORD_COLORS[message.severity],
				fields,
				timestamp: message.timestamp,
				footer
			}
		]
	};
}

/** Discord's `retry_after` (seconds, float) of a 429 body, in ms. */
function bodyRetryAfterMs(body: unknown): number | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const seconds = (body as { retry_after?: unknown }).retry_after;
	return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
		? Math.ceil(seconds * 1000)
		: undefined;
}

export function createDiscordSender(
	deps: { resolver?: Resolver | undefined } = {}
): ChannelSender<'discord'> {
	return {
		type: 'discord',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const label = 'the Discord webhook';
			const webhookUrl = requiredString(config.webhookUrl);
			if (!webhookUrl) return failure(`${label}: no webhook URL configured`, false);
			const secrets = urlSecrets(webhookUrl);
			let url: URL;
			try {
				url = new URL(webhookUrl);
			} catch {
				return failure(`${label}: the webhook URL is not a valid URL`, false);
			}
			url.searchParams.set('wait', 'true');
			secrets.push(url.toString());
			const outcome = await postChecked({
				url: url.toString(),
				body: JSON.stringify(discordBody(message)),
				contentType: 'application/json',
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			if (answer.status >= 200 && answer.status < 300) return success(answer.status);
			const body = parseJson(answer.text);
			const retryAfterMs = answer.status === 429 ? bodyRetryAfterMs(body) : undefined;
			return retryAfterMs === undefined
				? resultForStatus(answer, label, stringField(body, 'message'), secrets)
				: resultForStatus(answer, label, stringField(body, 'message'), secrets, retryAfterMs);
		}
	};
}
