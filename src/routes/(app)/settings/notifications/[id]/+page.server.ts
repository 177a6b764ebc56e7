import { error, redirect } from '@sveltejs/kit';
import { fail } from 'sveltekit-superforms';
import { getRuntime } from '$lib/server/runtime';
import { withBase } from '$lib/server/http/base-path';
import { formError, formSuccess } from '$lib/server/forms';
import {
	NotificationChannelError,
	deleteChannel,
	getChannel,
	testChannel,
	updateChannel
} from '$lib/server/services/notifications/channels-service';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { channelFormValues, formToBody } from '$lib/schemas/notification-channels';
import { FORM_RENAMES, channelForm, formChoices, withoutSecrets } from '../channel-form.server';
import type { Actions, PageServerLoad } from './$types';

/** `params.id` as a positive integer. @throws 404 */
function idOf(raw: string): number {
	const id = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) {
		error(404, 'Notification channel not found');
	}
	return id;
}

/** The channel (404 when it is gone), its form, and what the form lists. */
export const load = (async ({ params }) => {
	const { db, secrets } = await getRuntime();
	const id = idOf(params.id);
	let channel;
	try {
		channel = await getChannel(db, secrets, id);
	} catch (err) {
		if (err instanceof NotificationChannelError) error(404, 'Notification channel not found');
		throw err;
	}
	const { timeZone } = (await getSettings(db)).general;
	return {
		channel,
		form: await channelForm(channelFormValues(channel, timeZone)),
		...(await formChoices(db))
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Saves the channel; secrets left empty keep the stored ones, unless marked for removal. */
	save: async ({ request, params }) => {
		const { db, secrets } = await getRuntime();
		const form = await channelForm(request);
		if (!form.valid) return fail(400, { form: withoutSecrets(form) });
		const id = idOf(params.id);
		try {
			const view = await updateChannel(
				db,
				secrets,
				id,
				formToBody(form.data, { clearEmpty: true })
			);
			form.data.storedSecrets = Object.entries(view.secrets)
				.filter(([, set]) => set)
				.map(([field]) => field);
			form.data.removeSecrets = [];
			return formSuccess(withoutSecrets(form), `Saved the notification channel “${view.name}”.`);
		} catch (err) {
			return formError(withoutSecrets(form), err, { rename: FORM_RENAMES });
		}
	},

	/** Sends a test message now; the result (sent or why not) is shown on the page. */
	test: async ({ params }) => {
		const { db, secrets } = await getRuntime();
		const { publicUrl } = (await getSettings(db)).notifications;
		try {
			return {
				test: await testChannel(db, secrets, idOf(params.id), { publicUrl, now: new Date() })
			};
		} catch (err) {
			if (err instanceof NotificationChannelError) {
				return fail(err.status, { message: err.message });
			}
			throw err;
		}
	},

	/** Deletes the channel, then back to the list. */
	delete: async ({ params }) => {
		const { db } = await getRuntime();
		try {
			await deleteChannel(db, idOf(params.id));
		} catch (err) {
			if (!(err instanceof NotificationChannelError)) throw err;
		}
		redirect(303, withBase('/settings/notifications'));
	}
} satisfies Actions;
