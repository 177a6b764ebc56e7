import { redirect } from '@sveltejs/kit';
import { fail } from 'sveltekit-superforms';
import { getRuntime } from '$lib/server/runtime';
import { withBase } from '$lib/server/http/base-path';
import { formError } from '$lib/server/forms';
import { createChannel } from '$lib/server/services/notifications/channels-service';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { formToBody, newChannelValues } from '$lib/schemas/notification-channels';
import { CHANNEL_TYPES, type ChannelType } from '$lib/types/notifications';
import { FORM_RENAMES, channelForm, formChoices, withoutSecrets } from '../channel-form.server';
import type { Actions, PageServerLoad } from './$types';

/** `?type=gotify` preselects a type; anything else starts with ntfy. */
function typeOf(url: URL): ChannelType {
	const raw = url.searchParams.get('type');
	return (CHANNEL_TYPES as readonly string[]).includes(raw ?? '') ? (raw as ChannelType) : 'ntfy';
}

/** An empty form of the chosen type; quiet hours default to Settings → General's zone. */
export const load = (async ({ url }) => {
	const { db } = await getRuntime();
	const { timeZone } = (await getSettings(db)).general;
	return {
		form: await channelForm(newChannelValues(typeOf(url), timeZone)),
		...(await formChoices(db))
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Creates the channel, then opens it (to send a test notification). */
	default: async ({ request }) => {
		const { db, secrets } = await getRuntime();
		const form = await channelForm(request);
		if (!form.valid) return fail(400, { form: withoutSecrets(form) });
		let id: number;
		try {
			id = (await createChannel(db, secrets, formToBody(form.data))).id;
		} catch (err) {
			return formError(withoutSecrets(form), err, { rename: FORM_RENAMES });
		}
		redirect(303, withBase(`/settings/notifications/${id}`));
	}
} satisfies Actions;
