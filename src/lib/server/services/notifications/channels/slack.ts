/**
 * Slack: one Block Kit message through an incoming webhook.
 *
 * Format from https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks :
 * `POST <webhookUrl>` with JSON `{text, blocks}`; `text` is the fallback shown in notifications.
 * Blocks from https://docs.slack.dev/reference/block-kit/blocks : a `header` (plain_text, at most
 * 150 characters), a `section` with the body as mrkdwn (at most 3000), a `section` of `fields`
 * (at most 10, each at most 2000) and a `context` with the time and the link (at most 10
 * elements). mrkdwn text escapes `&`, `<`, `>` as entities
 * (https://docs.slack.dev/messaging/formatting-message-text#escaping); links are `<url|text>`.
 *
 * Slack answers 200 with the text `ok`; errors are short text codes (`invalid_payload`,
 * `no_service`, `channel_is_archived`, …) with 400/403/404/410, and 429 with `Retry-After`.
 * The webhook URL is the credential: it never appears in an error sentence.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { NotificationMessage, Severity } from '$lib/types/notifications';
import {
	failure,
	postChecked,
	redact,
	requiredString,
	resultForStatus,
	success,
	truncate,
	urlSecrets
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

/** Escapes text for mrkdwn (Slack's three control characters). */
export function escapeSlack(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const SEVERITY_LABEL: Record<Severity, string> = {
	info: ':information_source: Info',
	warning: ':warning: Warning',
	error: ':rotating_light: Error'
};

type TextObject =
	{ type: 'plain_text'; text: string; emoji: true } | { type: 'mrkdwn'; text: string };

export type SlackBlock =
	| { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
	| { type: 'section'; text: { type: 'mrkdwn'; text: string } }
	| { type: 'section'; fields: { type: 'mrkdwn'; text: string }[] }
	| { type: 'context'; elements: TextObject[] };

export interface SlackWebhookBody {
	text: string;
	blocks: SlackBlock[];
}

/** Builds the webhook body for `message` within Block Kit's limits. */
export function slackBody(message: NotificationMessage): SlackWebhookBody {
	const blocks: SlackBlock[] = [
		{
			type: 'header',
			text: { type: 'plain_text', text: truncate(message.title || 'Comradarr', 150), emoji: true }
		}
	];
	if (message.body.trim() !== '') {
		blocks.push({
			type: 'section',
			text: { type: 'mrkdwn', text: truncate(escapeSlack(message.body), 3000) }
		});
	}
	if (message.fields.length > 0) {
		blocks.push({
			type: 'section',
			fields: message.fields.slice(0, 10).map((field) => ({
				type: 'mrkdwn' as const,
				text: truncate(`*${escapeSlack(field.name)}*\n${escapeSlack(field.value)}`, 2000)
			}))
		});
	}
	const context: TextObject[] = [
		{ type: 'mrkdwn', text: SEVERITY_LABEL[message.severity] },
		{ type: 'mrkdwn', text: escapeSlack(message.timestamp) }
	];
	if (message.url) {
		// `|` and `>` would end the link early; the URL is ours, but stay safe.
		const href = message.url.replaceAll('|', '%7C').replaceAll('>', '%3E');
		context.push({ type: 'mrkdwn', text: `<${href}|Open in Comradarr>` });
	}
	blocks.push({ type: 'context', elements: context });
	const fallback = message.body.trim() === '' ? message.title : `${message.title}\n${message.body}`;
	return { text: truncate(escapeSlack(fallback), 3000), blocks };
}

export function createSlackSender(
	deps: { resolver?: Resolver | undefined } = {}
): ChannelSender<'slack'> {
	return {
		type: 'slack',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const label = 'the Slack webhook';
			const webhookUrl = requiredString(config.webhookUrl);
			if (!webhookUrl) return failure(`${label}: no webhook URL configured`, false);
			const secrets = urlSecrets(webhookUrl);
			const outcome = await postChecked({
				url: webhookUrl,
				body: JSON.stringify(slackBody(message)),
				contentType: 'application/json',
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			const code = /^[a-z_]{1,60}$/.test(answer.text.trim()) ? answer.text.trim() : null;
			if (answer.status >= 200 && answer.status < 300) {
				if (answer.text.trim() === 'ok') return success(answer.status);
				return failure(
					redact(`${label}: HTTP ${answer.status} without "ok"${code ? `: ${code}` : ''}`, secrets),
					false,
					answer.status
				);
			}
			return resultForStatus(answer, label, code, secrets);
		}
	};
}
