/**
 * `createForm`: superforms' client with the app's defaults, for every form of the kit.
 *
 * - client-side validation with the same valibot schema the server uses (`valibotClient`), on
 *   input and on submit: an invalid form is not posted, its errors show on their fields and the
 *   first one is focused;
 * - a field is validated when it loses focus, except when a press on a button, link, checkbox or
 *   label takes the focus away (see `keepPressesClickable`);
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
 * Whether superforms leaves the submit unvalidated: it skips client validation when the form has
 * `novalidate` — which the kit's forms carry so that the browser's own bubbles never replace the
 * schema's messages. A submit button with `formnovalidate` still means "do not validate".
 */
function needsOwnValidation(submit: {
	formElement: HTMLFormElement;
	submitter: HTMLElement | null;
}) {
	const submitter = submit.submitter;
	const skipped =
		(submitter instanceof HTMLButtonElement || submitter instanceof HTMLInputElement) &&
		submitter.formNoValidate;
	return submit.formElement.noValidate && !skipped;
}

/** What a pointer press acts on at `click` (mouseup), unlike a text field, which takes focus at once. */
const PRESSABLE =
	'button, a[href], label, input[type="checkbox"], input[type="radio"], input[type="submit"], ' +
	'input[type="button"], [role="button"], [role="checkbox"], [role="switch"], [role="radio"]';

/**
 * Keeps the blur that a pointer press on a button (link, checkbox, label…) causes from being
 * validated on its own. The error it would add appears between mousedown and mouseup, moves the
 * button down, and the click lands beside it: the press is lost — the well-known blur-validation
 * trap. The submit validates every field anyway; a keyboard user is unaffected (Tab validates).
 * @returns the function that removes the listeners.
 */
function keepPressesClickable(formElement: HTMLFormElement): () => void {
	let pressing = false;
	const down = (event: PointerEvent) => {
		pressing = event.target instanceof Element && event.target.closest(PRESSABLE) !== null;
	};
	const up = () => {
		pressing = false;
	};
	// Capture on the form runs before superforms' own focusout listener there (bubble phase).
	const focusOut = (event: FocusEvent) => {
		if (pressing) event.stopPropagation();
	};
	document.addEventListener('pointerdown', down, true);
	document.addEventListener('pointerup', up, true);
	document.addEventListener('pointercancel', up, true);
	formElement.addEventListener('focusout', focusOut, true);
	return () => {
		document.removeEventListener('pointerdown', down, true);
		document.removeEventListener('pointerup', up, true);
		document.removeEventListener('pointercancel', up, true);
		formElement.removeEventListener('focusout', focusOut, true);
	};
}

/**
 * Creates the client form for `form` (from the page data), validated by `schema` in the browser.
 * `options` override the defaults; an `onUpdated` given there runs after the toast, an `onSubmit`
 * before the validation (it may `cancel()` the submit).
 */
export function createForm<S extends ValibotSchema>(
	form: SuperValidated<Infer<S, 'valibot'>, FormMessage, InferIn<S, 'valibot'>>,
	schema: S,
	options: FormOptions<Infer<S, 'valibot'>, FormMessage, InferIn<S, 'valibot'>> = {}
) {
	const { onUpdated, onSubmit, ...rest } = options;
	const superform = superForm(form, {
		...rest,
		validators: valibotClient(schema),
		resetForm: rest.resetForm ?? false,
		async onSubmit(submit) {
			let cancelled = false;
			await onSubmit?.({
				...submit,
				cancel() {
					cancelled = true;
					submit.cancel();
				}
			});
			if (cancelled || !needsOwnValidation(submit)) return;
			// Shows every field's errors and focuses the first, as superforms does without novalidate.
			const validated = await superform.validateForm({ update: true });
			if (!validated.valid) submit.cancel();
		},
		onUpdated(event) {
			toastMessage(event.form.message);
			return onUpdated?.(event);
		}
	});
	const enhance = superform.enhance;
	superform.enhance = (formElement, events) => {
		const release = keepPressesClickable(formElement);
		const enhanced = enhance(formElement, events);
		return {
			destroy() {
				release();
				enhanced.destroy?.();
			}
		};
	};
	return superform;
}
