import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { getDb } from '$lib/server/db';
import { formError, formSuccess, type FormMessage } from '$lib/server/forms';
import { setLogLevel } from '$lib/server/logger';
import { getSettings, updateSettings } from '$lib/server/services/settings/settings-service';
import {
	generalSettingsSchema,
	timeZoneNames,
	type GeneralSettingsInput
} from '$lib/schemas/settings';
import type { Actions, PageServerLoad } from './$types';

export const load = (async () => {
	const { general } = await getSettings(getDb());
	return {
		form: await superValidate<GeneralSettingsInput, FormMessage>(
			general,
			valibot(generalSettingsSchema)
		),
		timeZones: timeZoneNames()
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Saves the General section and applies the log level to this process at once. */
	default: async ({ request }) => {
		const form = await superValidate<GeneralSettingsInput, FormMessage>(
			request,
			valibot(generalSettingsSchema)
		);
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await updateSettings(getDb(), 'general', form.data);
			setLogLevel(saved.logLevel);
			form.data = saved;
		} catch (error) {
			return formError(form, error);
		}
		return formSuccess(form, 'General settings saved.');
	}
} satisfies Actions;
