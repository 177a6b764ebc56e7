/**
 * The form-level message every superform of the app carries (`form.message`): set by the server's
 * form-error mapper (`$lib/server/forms`) and by successful actions, shown by the form kit
 * (`Form.Message` for errors, a toast for successes).
 */
export interface FormMessage {
	type: 'success' | 'error' | 'warning';
	text: string;
}

/**
 * Normalises a message: older forms (login, setup) still send a bare string, which is an error.
 * @returns null when there is nothing to show.
 */
export function toFormMessage(
	message: FormMessage | string | null | undefined
): FormMessage | null {
	if (message === null || message === undefined || message === '') return null;
	return typeof message === 'string' ? { type: 'error', text: message } : message;
}
