/**
 * The server side of the throttle profile form (new, copy, edit): superforms with the schema the
 * browser validates with (`throttleProfileFormSchema`, posted as JSON), and the values of a
 * stored profile.
 */
import { superValidate, type SuperValidated } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import type { FormMessage } from '$lib/server/forms';
import type { ThrottleProfileView } from '$lib/server/services/queue/throttle-profiles';
import {
	throttleProfileFormSchema,
	type ThrottleProfileFormValues
} from '$lib/schemas/throttle-profile';

export type ThrottleProfileForm = SuperValidated<ThrottleProfileFormValues, FormMessage>;

/** The form filled with `values`, or the posted one validated. */
export function profileForm(
	source: Request | ThrottleProfileFormValues
): Promise<ThrottleProfileForm> {
	const adapter = valibot(throttleProfileFormSchema);
	return source instanceof Request
		? superValidate<ThrottleProfileFormValues, FormMessage>(source, adapter)
		: superValidate<ThrottleProfileFormValues, FormMessage>(source, adapter, { errors: false });
}

/** What the form shows of a stored profile. */
export function formValues(view: ThrottleProfileView, name = view.name): ThrottleProfileFormValues {
	return {
		name,
		commandsPerMinute: view.commandsPerMinute,
		batchSize: view.batchSize,
		dailyBudget: view.dailyBudget,
		maxInFlight: view.maxInFlight,
		errorCooldownSeconds: view.errorCooldownSeconds,
		backoffMultiplier: view.backoffMultiplier,
		searchCooldownHours: view.searchCooldownHours,
		activeWindows: view.activeWindows.map((w) => ({ ...w }))
	};
}
