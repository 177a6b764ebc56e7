/**
 * Pushover: one message through the Message API.
 *
 * Format from https://pushover.net/api : `POST {apiBase}/1/messages.json`, form-encoded
 * (`application/x-www-form-urlencoded`) `token` (the application's API token), `user` (the user
 * or group key), `title` (at most 250 characters), `message` (at most 1024, required), `url`
 * (at most 512), `url_title` (at most 100), `priority` and `timestamp` (unix seconds). Priority
 * by severity (https://pushover.net/api#priority): info −1 (quiet, no sound), warning 0
 * (normal), error 1 (high, bypasses the user's quiet hours). Emergency priority 2 needs
 * acknowledgement parameters and is not used.
 *
 * Answers (https://pushover.net/api#response): JSON `{status: 1, request}` on success, 4xx with
 * `{status: 0, errors: [...]}` when a parameter is refused (do not retry), 429 when the
 * application's message limit is reached, 5xx to be retried after at least 5 seconds.
 * Both keys are credentials and never appear in an error sentence.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { NotificationMessage, Severity } from '$lib/types/notifications';
import {
	failure,
	parseJson,
	postChecked,
	redact,
	requiredString,
	resultForStatus,
	success,
	truncate
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

const PRIORITY: Record<Severity, -1 | 0 | 1> = { info: -1, warning: 0, error: 1 };
/** Pushover asks clients to wait at least this long after a 5xx. */
const SERVER_ERROR_RETRY_MS = 5_000;

/** The form fields Pushover receives (all strings, as they are form-encoded). */
export function pushoverForm(
	config: { appToken: string; userKey: string },
	message: NotificationMessage
): URLSearchParams {
	const lines = [message.body, ...message.fields.map((field) => `${field.name}: ${field.value}`)];
	const text = lines.filter((line) => line.trim() !== '').join('\n') || message.title;
	const form = new URLSearchParams({
		token: config.appToken,
		user: config.userKey,
		title: truncate(message.title, 250),
		message: truncate(text, 1024),
		priority: String(PRIORITY[message.severity])
	});
	if (message.url && message.url.length <= 512) {
		form.set('url', message.url);
		form.set('url_title', 'Open in Comradarr');
	}
	const at = Date.parse(message.timestamp);
	if (Number.isFinite(at)) form.set('timestamp', String(Math.floor(at / 1000)));
	return form;
}

/** The first of Pushover's `errors` strings, when the answer has one. */
function firstError(body: unknown): string | null {
	if (!body || typeof body !== 'object') return null;
	const errors = (body as { errors?: unknown }).errors;
	return Array.isArray(errors) && typeof errors[0] === 'string' ? errors[0].slice(0, 200) : null;
}

export function createPushoverSender(deps: {
	apiBase: string;
	resolver?: Resolver | undefined;
}): ChannelSender<'pushover'> {
	return {
		type: 'pushover',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const label = 'Pushover';
			const appToken = requiredString(config.appToken);
			const userKey = requiredString(config.userKey);
			if (!appToken) return failure(`${label}: no application token configured`, false);
			if (!userKey) return failure(`${label}: no user key configured`, false);
			const secrets = [appToken, userKey];
			const outcome = await postChecked({
				url: `${deps.apiBase.replace(/\/+$/, '')}/1/messages.json`,
				body: pushoverForm({ appToken, userKey }, message).toString(),
				contentType: 'application/x-www-form-urlencoded',
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			const body = parseJson(answer.text);
			if (answer.status >= 200 && answer.status < 300) {
				if (body && typeof body === 'object' && (body as { status?: unknown }).status === 1) {
					return success(answer.status);
				}
				const detail = firstError(body);
				return failure(
					redact(
						`${label}: HTTP ${answer.status} without status 1${detail ? `: ${detail}` : ''}`,
						secrets
					),
					false,
					answer.status
				);
			}
			const result = resultForStatus(answer, label, firstError(body), secrets);
			if (answer.status >= 500) {
				result.retryAfterMs = Math.max(result.retryAfterMs ?? 0, SERVER_ERROR_RETRY_MS);
			}
			return result;
		}
	};
}
