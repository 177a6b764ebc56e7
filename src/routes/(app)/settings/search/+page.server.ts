import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { getDb } from '$lib/server/db';
import { formError, formSuccess, type FormMessage } from '$lib/server/forms';
import { getSettings, updateSettings } from '$lib/server/services/settings/settings-service';
import {
	DEFAULT_SEARCH_WEIGHTS,
	GRACE_PERIOD_HOURS,
	MAX_SEARCH_ATTEMPTS,
	NO_RESULTS_COOLDOWN_DAYS,
	searchFormSchema,
	type SearchFormInput
} from '$lib/schemas/settings';
import type { Actions, PageServerLoad } from './$types';

export const load = (async () => {
	const { search } = await getSettings(getDb());
	return {
		form: await superValidate<SearchFormInput, FormMessage>(
			{
				...search.weights,
				gracePeriodHours: search.gracePeriodHours,
				maxAttempts: search.maxAttempts,
				noResultsCooldownDays: search.noResultsCooldownDays
			},
			valibot(searchFormSchema)
		),
		defaults: {
			...DEFAULT_SEARCH_WEIGHTS,
			gracePeriodHours: GRACE_PERIOD_HOURS.default,
			maxAttempts: MAX_SEARCH_ATTEMPTS.default,
			noResultsCooldownDays: NO_RESULTS_COOLDOWN_DAYS.default
		}
	};
}) satisfies PageServerLoad;

export const actions = {
	/**
	 * Saves the weights, the grace period, the max attempts and the no-results wait; the next sweep
	 * ranks and holds back with them (the queue is rebuilt on every sweep), the next finished search
	 * counts attempts against the new maximum and waits the new time.
	 */
	default: async ({ request }) => {
		const form = await superValidate<SearchFormInput, FormMessage>(
			request,
			valibot(searchFormSchema)
		);
		if (!form.valid) return fail(400, { form });
		try {
			const { gracePeriodHours, maxAttempts, noResultsCooldownDays, ...weights } = form.data;
			const saved = await updateSettings(getDb(), 'search', {
				gracePeriodHours,
				maxAttempts,
				noResultsCooldownDays,
				weights
			});
			form.data = {
				...saved.weights,
				gracePeriodHours: saved.gracePeriodHours,
				maxAttempts: saved.maxAttempts,
				noResultsCooldownDays: saved.noResultsCooldownDays
			};
		} catch (error) {
			return formError(form, error);
		}
		return formSuccess(
			form,
			'Search behaviour saved. The next sweep ranks with these weights and grace period.'
		);
	}
} satisfies Actions;
