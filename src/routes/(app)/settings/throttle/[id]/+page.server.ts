import { error, redirect } from '@sveltejs/kit';
import { fail } from 'sveltekit-superforms';
import { getDb } from '$lib/server/db';
import { withBase } from '$lib/server/http/base-path';
import { formError } from '$lib/server/forms';
import {
	ThrottleProfileError,
	getProfile,
	updateProfile
} from '$lib/server/services/queue/throttle-profiles';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { formValues, profileForm } from '../profile-form.server';
import type { Actions, PageServerLoad } from './$types';

/** The profile of the route, or a 404. Presets are read-only: their page is the list's Copy. */
async function routeProfile(raw: string) {
	const id = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) {
		error(404, 'Throttle profile not found');
	}
	try {
		return await getProfile(getDb(), id, new Date());
	} catch (err) {
		if (err instanceof ThrottleProfileError && err.status === 404) {
			error(404, 'Throttle profile not found');
		}
		throw err;
	}
}

export const load = (async ({ params }) => {
	const profile = await routeProfile(params.id);
	if (profile.isPreset) redirect(303, withBase(`/settings/throttle/new?copyFrom=${profile.id}`));
	return {
		profile: { id: profile.id, name: profile.name, connectors: profile.connectors },
		timeZone: (await getSettings(getDb())).general.timeZone,
		form: await profileForm(formValues(profile))
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Saves the profile; the dispatcher reads it at its next pass. */
	default: async ({ params, request }) => {
		const profile = await routeProfile(params.id);
		const form = await profileForm(request);
		if (!form.valid) return fail(400, { form });
		try {
			await updateProfile(getDb(), profile.id, form.data, new Date());
		} catch (err) {
			return formError(form, err);
		}
		redirect(303, withBase('/settings/throttle'));
	}
} satisfies Actions;
