import { error, redirect } from '@sveltejs/kit';
import { fail } from 'sveltekit-superforms';
import { getDb } from '$lib/server/db';
import { withBase } from '$lib/server/http/base-path';
import { formError } from '$lib/server/forms';
import {
	ThrottleProfileError,
	copyProfile,
	createProfile,
	getProfile
} from '$lib/server/services/queue/throttle-profiles';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { NEW_PROFILE_VALUES } from '$lib/schemas/throttle-profile';
import { formValues, profileForm } from '../profile-form.server';
import type { Actions, PageServerLoad } from './$types';

/** `?copyFrom=<id>`: the profile to copy, or null for a new one. @throws 404 for a bad id */
function copySource(url: URL): number | null {
	const raw = url.searchParams.get('copyFrom');
	if (raw === null) return null;
	const id = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) {
		error(404, 'Throttle profile not found');
	}
	return id;
}

/** A new profile (Moderate's figures), or a copy of `?copyFrom=` named "… copy". */
export const load = (async ({ url }) => {
	const db = getDb();
	const from = copySource(url);
	let source = null;
	if (from !== null) {
		try {
			source = await getProfile(db, from, new Date());
		} catch (err) {
			if (err instanceof ThrottleProfileError) error(404, 'Throttle profile not found');
			throw err;
		}
	}
	return {
		copyOf: source?.name ?? null,
		timeZone: (await getSettings(db)).general.timeZone,
		form: await profileForm(
			source ? formValues(source, `${source.name} copy`.slice(0, 50)) : NEW_PROFILE_VALUES
		)
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Creates the profile (a copy keeps the source's rolling window), then back to the list. */
	default: async ({ request, url }) => {
		const db = getDb();
		const form = await profileForm(request);
		if (!form.valid) return fail(400, { form });
		const from = copySource(url);
		try {
			if (from === null) await createProfile(db, form.data, new Date());
			else await copyProfile(db, from, form.data, new Date());
		} catch (err) {
			return formError(form, err);
		}
		redirect(303, withBase('/settings/throttle'));
	}
} satisfies Actions;
