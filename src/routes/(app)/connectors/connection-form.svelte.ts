import { tick } from 'svelte';
import type { FormOptions, Infer, InferIn, SuperValidated } from 'sveltekit-superforms';
import { createForm } from '$lib/components/ui/form';
import {
	CONNECTION_FIELDS,
	type addConnectorSchema,
	type editConnectorSchema
} from '$lib/schemas/connectors';
import type { FormMessage } from '$lib/types/forms';

export type ConnectionAction = 'test' | 'save';

type ConnectorSchema = typeof addConnectorSchema | typeof editConnectorSchema;

/**
 * The kit's form (`createForm`) for a connector form that posts `?/save` and, from its
 * "Test connection" button, `?/test`:
 * - remembers which of the two runs (the button that shows the spinner);
 * - validates a test in the browser on the fields a test uses only (`CONNECTION_FIELDS`; the Test
 *   button carries `formnovalidate`, so the whole form is not checked): a test needs no name;
 * - keeps the API key as typed after a test and after a refused save (the server never sends it
 *   back), so saving can follow a test directly and a typo can be corrected in place; after a
 *   successful save the field is empty ("unchanged unless filled").
 * Call it during component initialisation; it only needs the initial form once, superForm keeps
 * itself in sync with later page data. `onResult` is passed on (e.g. a toast before a redirect).
 */
export function connectionForm<S extends ConnectorSchema>(
	initial: SuperValidated<Infer<S, 'valibot'>, FormMessage, InferIn<S, 'valibot'>>,
	schema: S,
	options: Pick<
		FormOptions<Infer<S, 'valibot'>, FormMessage, InferIn<S, 'valibot'>>,
		'onResult'
	> = {}
) {
	let pendingAction = $state<ConnectionAction>('save');
	// The key as typed at the last submit.
	let typedKey = '';

	const superform = createForm(initial, schema, {
		...options,
		async onSubmit({ action, formData, formElement, cancel }) {
			pendingAction = action.searchParams.has('/test') ? 'test' : 'save';
			const key = formData.get('apiKey');
			typedKey = typeof key === 'string' ? key : '';
			if (pendingAction !== 'test') return;
			const { errors } = await superform.validateForm();
			const wrong: Record<string, string[]> = {};
			for (const field of CONNECTION_FIELDS) {
				const messages = (errors as Record<string, string[] | undefined>)[field];
				if (messages?.length) wrong[field] = messages;
			}
			if (Object.keys(wrong).length === 0) return;
			cancel();
			superform.errors.set(wrong as typeof errors);
			await tick();
			formElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
		},
		onUpdate({ form, result }) {
			// A successful save answers with the stored values: the key field is empty again then.
			if (pendingAction === 'test' || result.type === 'failure') {
				// Both schemas have an apiKey; TypeScript cannot see it through the generic.
				(form.data as unknown as { apiKey: string }).apiKey = typedKey;
			}
		}
	});

	return {
		superform,
		/** The action of the last submit: which button shows the spinner. */
		get pendingAction(): ConnectionAction {
			return pendingAction;
		}
	};
}
