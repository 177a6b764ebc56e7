import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { getDb } from '$lib/server/db';
import { formError, formSuccess, type FormMessage } from '$lib/server/forms';
import { getSettings, updateSettings } from '$lib/server/services/settings/settings-service';
import {
	DEFAULT_SEARCH_WEIGHTS,
	searchWeightsFormSchema,
	type SearchWeightsInput
} from '$lib/schemas/settings';
import type { Actions, PageServerLoad } from './$types';

export const load = (async () => {
	const { search } = await getSettings(getDb());
	return {
		form: await superValidate<SearchWeightsInput, FormMessage>(
			search.weights,
			valibot(searchWeightsFormSchema)
		),
		defaults: DEFAULT_SEARCH_WEIGHTS
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Saves the weights; the next sweep ranks with them (the queue is rebuilt on every sweep). */
	default: async ({ request }) => {
		const form = await superValidate<SearchWeightsInput, FormMessage>(
			request,
			valibot(searchWeightsFormSchema)
		);
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await updateSettings(getDb(), 'search', { weights: form.data });
			form.data = saved.weights;
		} catch (error) {
			return formError(form, error);
		}
		return formSuccess(form, 'Search behaviour saved. The next sweep ranks with these weights.');
	}
} satisfies Actions;
