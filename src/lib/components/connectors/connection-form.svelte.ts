import { superForm, type SuperValidated } from 'sveltekit-superforms';

export type ConnectionAction = 'test' | 'save';

/**
 * superforms for a connector form that posts `?/save` and, from its "Test connection" button,
 * `?/test`. Keeps track of which of the two runs, and keeps the API key as typed after a successful
 * test (the server never sends it back) so saving can follow directly.
 * Call it during component initialisation; it only needs the initial form once, superForm keeps
 * itself in sync with later page data.
 */
export function connectionForm<
	T extends Record<string, unknown> & { apiKey: string },
	M,
	In extends Record<string, unknown>
>(initial: SuperValidated<T, M, In>) {
	let pendingAction = $state<ConnectionAction>('save');
	// The key as typed at the last submit.
	let typedKey = '';

	const superform = superForm(initial, {
		resetForm: false,
		onSubmit({ action, formData }) {
			pendingAction = action.searchParams.has('/test') ? 'test' : 'save';
			const key = formData.get('apiKey');
			typedKey = typeof key === 'string' ? key : '';
		},
		onUpdate({ form, result }) {
			if (pendingAction === 'test' && result.type === 'success') form.data.apiKey = typedKey;
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
