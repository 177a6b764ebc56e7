/**
 * ntfy: one JSON publish per message.
 *
 * Format from https://docs.ntfy.sh/publish/#publish-as-json : `POST` to the server's root URL
 * (`serverUrl`, which may include a path prefix when ntfy is served under one) with a JSON body
 * `{topic, title, message, priority, tags, click}`. Priority is 1–5 (3 = default): the channel's
 * `priority` when set, else by severity — info 3 (default), warning 4 (high), error 5 (max).
 * Tags are shown as emoji when they name one (https://docs.ntfy.sh/publish/#tags-emojis): the
 * severity's emoji tag first (`information_source`, `warning`, `rotating_light`), then the
 * channel's own tags. The message is cut to 4,000 characters (ntfy turns longer messages into an
 * attachment, https://docs.ntfy.sh/publish/#attachments limits: 4,096 bytes).
 *
 * Auth from https://docs.ntfy.sh/publish/#authentication : an access token as
 * `Authorization: Bearer <token>`, or username and password as `Authorization: Basic`.
 * Answers: 200 with the published message as JSON; errors as JSON `{code, http, error}`.
 */
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { ChannelConfigs, NotificationMessage, Severity } from '$lib/types/notifications';
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

const PRIORITY: Record<Severity, number> = { info: 3, warning: 4, error: 5 };
const SEVERITY_TAG: Record<Severity, string> = {
	info: 'information_source',
	warning: 'warning',
	error: 'rotating_light'
};

/** The JSON body ntfy receives. */
export interface NtfyPublish {
	topic: string;
	title: string;
	message: string;
	priority: number;
	tags: string[];
	click?: string;
}

/** Builds the publish body for `message` on `config`'s topic. */
export function ntfyBody(
	config: ChannelConfigs['ntfy'],
	message: NotificationMessage
): NtfyPublish {
	const priority =
		Number.isInteger(config.priority) && config.priority! >= 1 && config.priority! <= 5
			? config.priority!
			: PRIORITY[message.severity];
	const lines = [message.body, ...message.fields.map((field) => `${field.name}: ${field.value}`)];
	return {
		topic: config.topic,
		title: truncate(message.title, 250),
		message: truncate(lines.filter((line) => line !== '').join('\n'), 4000),
		priority,
		tags: [SEVERITY_TAG[message.severity], ...(config.tags ?? [])],
		...(message.url ? { click: message.url } : {})
	};
}

/** The Authorization header for the configured credentials, or null for a public topic. */
export function ntfyAuthorization(config: ChannelConfigs['ntfy']): string | null {
	if (config.token) return `Bearer ${config.token}`;
	if (config.username && config.password !== undefined) {
		return `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
	}
	return null;
}

export function createNtfySender(
	deps: { resolver?: Resolver | undefined } = {}
): ChannelSender<'ntfy'> {
	return {
		type: 'ntfy',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const serverUrl = requiredString(config.serverUrl);
			if (!serverUrl) return failure('ntfy: no server URL configured', false);
			if (!requiredString(config.topic)) return failure('ntfy: no topic configured', false);
			const label = `ntfy at ${originOf(serverUrl)}`;
			const secrets = [config.token, config.password];
			const authorization = ntfyAuthorization(config);
			const outcome = await postChecked({
				url: `${serverUrl.replace(/\/+$/, '')}/`,
				body: JSON.stringify(ntfyBody(config, message)),
				contentType: 'application/json',
				headers: authorization ? { Authorization: authorization } : {},
				label,
				secrets,
				options,
				resolver: deps.resolver
			});
			if ('failure' in outcome) return outcome.failure;
			const { answer } = outcome;
			if (answer.status >= 200 && answer.status < 300) return success(answer.status);
			return resultForStatus(answer, label, stringField(parseJson(answer.text), 'error'), secrets);
		}
	};
}
