/**
 * The server side of the channel form (new and edit): superforms with the schema the browser
 * validates with (`channelFormSchema`, posted as JSON), and what the form lists (connectors,
 * time zones).
 */
import { superValidate, type SuperValidated } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import type { DbOrTx } from '$lib/server/db';
import { connectorChoices } from '$lib/server/services/notifications/channels-service';
import type { FormMessage } from '$lib/server/forms';
import { timeZoneNames } from '$lib/schemas/settings';
import { channelFormSchema, type ChannelFormValues } from '$lib/schemas/notification-channels';

export type ChannelForm = SuperValidated<ChannelFormValues, FormMessage>;

/** The form filled with `values`, or the posted one validated. */
export function channelForm(source: Request | ChannelFormValues): Promise<ChannelForm> {
	const adapter = valibot(channelFormSchema);
	return source instanceof Request
		? superValidate<ChannelFormValues, FormMessage>(source, adapter, { id: 'channel' })
		: superValidate<ChannelFormValues, FormMessage>(source, adapter, {
				errors: false,
				id: 'channel'
			});
}

/** What the form offers: the connectors (filter) and the time zones (quiet hours). */
export async function formChoices(db: DbOrTx) {
	return {
		connectors: await connectorChoices(db),
		timeZones: timeZoneNames()
	};
}

/**
 * Service field paths → form fields, for `formError` (`config.serverUrl` → `serverUrl`,
 * `quietHours.timezone` → `quietTimezone`, `templates.body` → `bodyTemplate`).
 */
export const FORM_RENAMES: Record<string, string> = {
	'config.serverUrl': 'serverUrl',
	'config.topic': 'topic',
	'config.token': 'token',
	'config.username': 'username',
	'config.password': 'password',
	'config.priority': 'priority',
	'config.tags': 'tags',
	'config.webhookUrl': 'webhookUrl',
	'config.botToken': 'botToken',
	'config.chatId': 'chatId',
	'config.userKey': 'userKey',
	'config.appToken': 'appToken',
	'config.host': 'host',
	'config.port': 'port',
	'config.secure': 'secure',
	'config.from': 'from',
	'config.to': 'to',
	'config.url': 'url',
	'config.secret': 'secret',
	'quietHours.start': 'quietStart',
	'quietHours.end': 'quietEnd',
	'quietHours.timezone': 'quietTimezone',
	'templates.title': 'titleTemplate',
	'templates.body': 'bodyTemplate'
};

const SECRET_INPUTS = [
	'token',
	'password',
	'webhookUrl',
	'botToken',
	'userKey',
	'appToken',
	'secret'
] as const;

/**
 * The form with its secret fields emptied, for every answer to the browser: a secret typed into
 * the form is never sent back (not even on a refused save); the user types it again.
 */
export function withoutSecrets<F extends ChannelForm>(form: F): F {
	for (const field of SECRET_INPUTS) form.data[field] = '';
	return form;
}
