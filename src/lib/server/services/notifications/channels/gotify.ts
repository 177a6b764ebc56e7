/**
 * Gotify: one message to a self-hosted Gotify server.
 *
 * Format from https://gotify.net/api-docs (`POST /message`, `MessageExternal`): `POST
 * {serverUrl}/message` with the application token in the `X-Gotify-Key` header (never the
 * `token` query parameter, which ends up in access logs) and JSON `{title, message, priority,
 * extras}`. Extras from https://gotify.net/docs/msgextras : `client::display.contentType`
 * `text/plain`, and `client::notification.click.url` opening Comradarr when the notification is
 * tapped. Priority by severity, on the Android client's scale (0 no notification, 1–3 silent,
 * 4–7 with sound, 8–10 as a pop-up): info 2, warning 5, error 8.
 *
 * Answers: 200 with the created message; errors as JSON `{error, errorCode, errorDescription}`
 * (401/403 for a wrong token). The token never appears in an error sentence.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { NotificationMessage, Severity } from '$lib/types/notifications';
import {
	failure,
	originOf,
	parseJson,
	postChecked,
	requiredString,
	resultForStatus,
	stringField,
	success,
	truncate
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

const PRIORITY: Record<Severity, number> = { info: 2, warning: 5, error: 8 };

export interface GotifyMessage {
	title: string;
	message: string;
	priority: number;
	extras: {
		'client::display': { contentType: 'text/plain' };
		'client::notification'?: { click: { url: string } };
	};
}

/** Builds the message body for `message`. */
export function gotifyBody(message: NotificationMessage): GotifyMessage {
	const lines = [message.body, ...message.fields.map((field) => `${field.name}: ${field.value}`)];
	return {
		title: truncate(message.title, 250),
		message: truncate(
			lines.filter((line) => line.trim() !== '').join('\n') || message.title,
			10_000
		),
		priority: PRIORITY[message.severity],
		extras: {
			'client::display': { contentType: 'text/plain' },
			...(message.url ? { 'client::notification': { click: { url: message.url } } } : {})
		}
	};
}

export function createGotifySender(
	deps: { resolver?: Resolver | undefined } = {}
): ChannelSender<'gotify'> {
	return {
		type: 'gotify',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const serverUrl = requiredString(config.serverUrl);
			if (!serverUrl) return failure('Gotify: no server URL configured', false);
			const appToken = requiredString(config.appToken);
			if (!appToken) return failure('Gotify: no application token configured', false);
			const label = `Gotify at ${originOf(serverUrl)}`;
			const secrets = [appToken];
			const outcome = await postChecked({
				url: `${serverUrl.replace(/\/+$/, '')}/message`,
				body: JSON.stringify(gotifyBody(message)),
				contentType: 'application/json',
				headers: { 'X-Gotify-Key': appToken },
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			if (answer.status >= 200 && answer.status < 300) return success(answer.status);
			const body = parseJson(answer.text);
			return resultForStatus(
				answer,
				label,
				stringField(body, 'errorDescription') ?? stringField(body, 'error'),
				secrets
			);
		}
	};
}
