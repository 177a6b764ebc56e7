/**
 * `ActionForm`: for the small forms of the kit that carry no fields the user types (a "Log out"
 * or "Revoke" button posting a hidden id): `use:enhance` with a pending state for the button and
 * the action's message as a toast — success or failure.
 */
import type { SubmitFunction } from '@sveltejs/kit';
import { toast } from 'svelte-sonner';
import { toFormMessage, type FormMessage } from '$lib/types/forms';
import { toastMessage } from './create-form';

/** The form message in an action's result data (`{ form: { message } }`), if any. */
function resultMessage(data: Record<string, unknown> | undefined): FormMessage | null {
	const form = data?.form as { message?: FormMessage | string } | undefined;
	return toFormMessage(form?.message);
}

export class ActionForm {
	/** True from submit until the result is applied: disable the button meanwhile. */
	pending = $state(false);
	readonly #onDone: (() => void) | undefined;

	/** @param onDone runs after every result (e.g. close the confirmation dialog). */
	constructor(onDone?: () => void) {
		this.#onDone = onDone;
	}

	/** Pass to `use:enhance`. */
	enhance: SubmitFunction = () => {
		this.pending = true;
		return async ({ result, update }) => {
			try {
				await update();
				if (result.type === 'success') toastMessage(resultMessage(result.data));
				else if (result.type === 'failure') {
					toast.error(resultMessage(result.data)?.text ?? 'That did not work; nothing changed.');
				}
			} finally {
				this.pending = false;
				this.#onDone?.();
			}
		};
	};
}
