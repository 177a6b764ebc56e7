import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import * as v from 'valibot';
import { getDb } from '$lib/server/db';
import { formError, formSuccess } from '$lib/server/forms';
import {
	deleteProfile,
	listProfiles,
	setDefaultProfile
} from '$lib/server/services/queue/throttle-profiles';
import { getSettings } from '$lib/server/services/settings/settings-service';
import type { Actions, PageServerLoad } from './$types';

const profileIdSchema = v.object({
	id: v.pipe(v.number('Not a profile of this list.'), v.integer(), v.minValue(1))
});

/** Every profile with its figures and the connectors using it (searches today / budget). */
export const load = (async () => {
	const db = getDb();
	return {
		profiles: await listProfiles(db, new Date()),
		timeZone: (await getSettings(db)).general.timeZone
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Deletes a user's profile; refused (409) for a preset, the default or one in use. */
	delete: async ({ request }) => {
		const form = await superValidate(request, valibot(profileIdSchema), { id: 'delete' });
		if (!form.valid) return fail(400, { form });
		try {
			const name = await deleteProfile(getDb(), form.data.id);
			return formSuccess(form, `Deleted the throttle profile “${name}”.`);
		} catch (err) {
			return formError(form, err);
		}
	},

	/** Makes a profile the default (connectors without their own use it). */
	setDefault: async ({ request }) => {
		const form = await superValidate(request, valibot(profileIdSchema), { id: 'setDefault' });
		if (!form.valid) return fail(400, { form });
		try {
			const view = await setDefaultProfile(getDb(), form.data.id, new Date());
			return formSuccess(form, `“${view.name}” is now the default throttle profile.`);
		} catch (err) {
			return formError(form, err);
		}
	}
} satisfies Actions;
