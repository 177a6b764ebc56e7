import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { formError, formSuccess, type FormMessage } from '$lib/server/forms';
import {
	channelChoices,
	deleteChannel,
	listChannels,
	listDeliveries,
	updateChannel
} from '$lib/server/services/notifications/channels-service';
import { getSettings, updateSettings } from '$lib/server/services/settings/settings-service';
import { notificationSettingsSchema } from '$lib/schemas/settings';
import type { Actions, PageServerLoad } from './$types';

/** Delivery log rows per page. */
const PAGE_SIZE = 25;

const channelIdSchema = v.object({
	id: v.pipe(v.number('Not a channel of this list.'), v.integer(), v.minValue(1))
});
const toggleSchema = v.object({
	id: v.pipe(v.number('Not a channel of this list.'), v.integer(), v.minValue(1)),
	enabled: v.boolean()
});

/** A positive id from the query string, or undefined (an unparsable filter is no filter). */
function idParam(url: URL, name: string): number | undefined {
	const raw = url.searchParams.get(name);
	return raw !== null && /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

/**
 * The master switch and public URL, every channel with its last delivery, and one page of the
 * delivery log (`?channel=<id>&status=sent|failed&before=<id>`).
 */
export const load = (async ({ url }) => {
	const { db, secrets } = await getRuntime();
	const rawStatus = url.searchParams.get('status');
	const status = rawStatus === 'sent' || rawStatus === 'failed' ? rawStatus : undefined;
	const channelId = idParam(url, 'channel');
	const before = idParam(url, 'before');
	const rows = await listDeliveries(db, { channelId, status, before, limit: PAGE_SIZE + 1 });
	const { notifications } = await getSettings(db);
	return {
		settingsForm: await superValidate<
			v.InferOutput<typeof notificationSettingsSchema>,
			FormMessage
		>(notifications, valibot(notificationSettingsSchema), { id: 'settings' }),
		channels: await listChannels(db, secrets),
		choices: await channelChoices(db),
		deliveries: rows.slice(0, PAGE_SIZE),
		hasMore: rows.length > PAGE_SIZE,
		filters: { channelId: channelId ?? null, status: status ?? null, before: before ?? null }
	};
}) satisfies PageServerLoad;

export const actions = {
	/** The master switch and the public URL (Settings → Notifications section). */
	settings: async ({ request }) => {
		const form = await superValidate<v.InferOutput<typeof notificationSettingsSchema>, FormMessage>(
			request,
			valibot(notificationSettingsSchema),
			{ id: 'settings' }
		);
		if (!form.valid) return fail(400, { form });
		try {
			const { db } = await getRuntime();
			form.data = await updateSettings(db, 'notifications', form.data);
		} catch (err) {
			return formError(form, err);
		}
		return formSuccess(
			form,
			form.data.enabled ? 'Notifications are on.' : 'Notifications are off: nothing is sent.'
		);
	},

	/** Turns one channel on or off. */
	toggle: async ({ request }) => {
		const form = await superValidate(request, valibot(toggleSchema), { id: 'toggle' });
		if (!form.valid) return fail(400, { form });
		try {
			const { db, secrets } = await getRuntime();
			const view = await updateChannel(db, secrets, form.data.id, { enabled: form.data.enabled });
			return formSuccess(form, `“${view.name}” is ${view.enabled ? 'on' : 'off'}.`);
		} catch (err) {
			return formError(form, err);
		}
	},

	/** Deletes a channel with its delivery log. */
	delete: async ({ request }) => {
		const form = await superValidate(request, valibot(channelIdSchema), { id: 'delete' });
		if (!form.valid) return fail(400, { form });
		try {
			const { db } = await getRuntime();
			const name = await deleteChannel(db, form.data.id);
			return formSuccess(form, `Deleted the notification channel “${name}”.`);
		} catch (err) {
			return formError(form, err);
		}
	}
} satisfies Actions;
