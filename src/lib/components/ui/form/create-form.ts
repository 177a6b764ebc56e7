/**
 * `createForm`: superforms' client with the app's defaults, for every form of the kit.
 *
 * - client-side validation with the same valibot schema the server uses (`valibotClient`);
 * - the values stay after a save (`resetForm: false`): settings forms show what was stored;
 * - a successful message becomes a toast (svelte-sonner), an error stays on the form
 *   (`Form.Message`), so a screen reader hears either.
 */
import { toast } from 'svelte-sonner';
import {
	superForm,
	type FormOptions,
	type Infer,
	type InferIn,
	type SuperValidated
} from 'sveltekit-superforms';
import { valibotClient } from 'sveltekit-superforms/adapters';
import { toFormMessage, type FormMessage } from '$lib/types/forms';

/** Any valibot schema superforms' valibot adapter accepts. */
type ValibotSchema = Parameters<typeof valibotClient>[0];

/** Shows a form message as a toast: success in green, warnings in amber; errors are not toasts. */
export function toastMessage(message: FormMessage | string | null | undefined): void {
	const shown = toFormMessage(message);
	if (shown?.type === 'success') toast.success(shown.text);
	else if (shown?.type === 'warning') toast.warning(shown.text);
}

/**
 * Creates the client form for `form` (from the page data), validated by `schema` in the browser.
 * `options` override the defaults; an `onUpdated` given there runs after the toast.
 */
export function createForm<S extends ValibotSchema>(
	form: SuperValidated<Infer<S, 'valibot'>, FormMessage, InferIn<S, 'valibot'>>,
	schema: S,
	options: FormOptions<Infer<S, 'valibot'>, FormMessage, InferIn<S, 'valibot'>> = {}
) {
	const { onUpdated, ...rest } = options;
	return superForm(form, {
		...rest,
		validators: valibotClient(schema),
		resetForm: rest.resetForm ?? false,
		onUpdated(event) {
			toastMessage(event.form.message);
			return onUpdated?.(event);
		}
	});
}
