/**
 * Telegram: one message from a bot to a chat.
 *
 * Format from https://core.telegram.org/bots/api#sendmessage : `POST {apiBase}/bot<token>/sendMessage`
 * with JSON `{chat_id, text, parse_mode:"HTML", link_preview_options:{is_disabled:true}}`
 * (https://core.telegram.org/bots/api#linkpreviewoptions). The text uses the HTML style of
 * https://core.telegram.org/bots/api#html-style : the title in `<b>`, the body, the fields as
 * `<b>name:</b> value` lines and the link as `<a href>`; `&`, `<`, `>` (and `"` in the href) are
 * escaped as entities. Text is at most 4096 characters after entity parsing: the body is cut
 * to keep the whole inside that.
 *
 * Answers (https://core.telegram.org/bots/api#making-requests) are JSON `{ok, result}` or
 * `{ok:false, error_code, description, parameters}`; a 429 carries `parameters.retry_after`
 * in seconds (https://core.telegram.org/bots/api#responseparameters). The bot token is in the URL
 * path and is a credential: it never appears in an error sentence.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { NotificationMessage } from '$lib/types/notifications';
import {
	failure,
	parseJson,
	postChecked,
	redact,
	requiredString,
	resultForStatus,
	stringField,
	success,
	truncate
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

const MAX_TEXT = 4096;

/** Escapes text for Telegram's HTML parse mode (and for a double-quoted attribute). */
export function escapeTelegramHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;');
}

export interface TelegramSendMessage {
	chat_id: string;
	text: string;
	parse_mode: 'HTML';
	link_preview_options: { is_disabled: true };
}

/** Builds the sendMessage body; the visible text stays within 4096 characters. */
export function telegramBody(chatId: string, message: NotificationMessage): TelegramSendMessage {
	const esc = escapeTelegramHtml;
	const title = truncate(message.title, 256);
	const fields = message.fields
		.slice(0, 25)
		.map((field) => ({ name: truncate(field.name, 100), value: truncate(field.value, 300) }));
	const linkText = 'Open in Comradarr';
	// Visible characters of everything but the body (entities count as one character).
	const fixed =
		title.length +
		fields.reduce((sum, f) => sum + f.name.length + f.value.length + 3, 0) +
		(message.url ? linkText.length + 2 : 0) +
		4;
	const body = truncate(message.body, Math.max(0, MAX_TEXT - fixed));
	const parts = [`<b>${esc(title)}</b>`];
	if (body.trim() !== '') parts.push(esc(body));
	if (fields.length > 0) {
		parts.push(fields.map((f) => `<b>${esc(f.name)}:</b> ${esc(f.value)}`).join('\n'));
	}
	if (message.url) parts.push(`<a href="${esc(message.url)}">${linkText}</a>`);
	return {
		chat_id: chatId,
		text: parts.join('\n\n'),
		parse_mode: 'HTML',
		link_preview_options: { is_disabled: true }
	};
}

function retryAfterOf(body: unknown): number | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const parameters = (body as { parameters?: unknown }).parameters;
	if (!parameters || typeof parameters !== 'object') return undefined;
	const seconds = (parameters as { retry_after?: unknown }).retry_after;
	return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
		? seconds * 1000
		: undefined;
}

export function createTelegramSender(deps: {
	apiBase: string;
	resolver?: Resolver | undefined;
}): ChannelSender<'telegram'> {
	return {
		type: 'telegram',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const label = 'Telegram';
			const token = requiredString(config.botToken);
			if (!token) return failure(`${label}: no bot token configured`, false);
			const chatId =
				typeof config.chatId === 'number' ? String(config.chatId) : requiredString(config.chatId);
			if (!chatId) return failure(`${label}: no chat id configured`, false);
			const secrets = [token, `bot${token}`];
			const outcome = await postChecked({
				url: `${deps.apiBase.replace(/\/+$/, '')}/bot${token}/sendMessage`,
				body: JSON.stringify(telegramBody(chatId, message)),
				contentType: 'application/json',
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			const body = parseJson(answer.text);
			const description = stringField(body, 'description');
			if (answer.status >= 200 && answer.status < 300) {
				if (body && typeof body === 'object' && (body as { ok?: unknown }).ok === true) {
					return success(answer.status);
				}
				return failure(
					redact(
						`${label}: HTTP ${answer.status} without ok:true${description ? `: ${description}` : ''}`,
						secrets
					),
					false,
					answer.status
				);
			}
			const retryAfterMs = retryAfterOf(body);
			return retryAfterMs === undefined
				? resultForStatus(answer, label, description, secrets)
				: resultForStatus(answer, label, description, secrets, retryAfterMs);
		}
	};
}
