/**
 * The one domain-error → form-error mapper, used by every form action of the app, and the
 * success message they send.
 *
 * - valibot `ValiError` (a service re-validating what the form already checked) → each issue on
 *   its field by dotted path, 400;
 * - a domain error (`$lib/server/errors`: every service refusal extends `DomainError`; an
 *   undecryptable stored key is translated by `asDomainError`) → its `fields` on the form's
 *   fields, its message as the form message when no field takes it, with its status;
 * - anything else is rethrown: an unexpected failure is a 500 with a correlation id
 *   (`handleError` in hooks.server.ts), never a message built from an exception.
 *
 * Messages for fields the form does not have become the form-level message, so nothing a
 * service says is lost. `rename` maps service field names to form field names
 * (`{ timeoutMs: 'timeoutSeconds' }`).
 */
import { fail, message, setError, type SuperValidated } from 'sveltekit-superforms';
import * as v from 'valibot';
import { asDomainError } from '$lib/server/errors';
import type { FormMessage } from '$lib/types/forms';

export type { FormMessage } from '$lib/types/forms';

/** Any superform of the app (its data shape does not matter to the mapper). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mapper works on every form shape
type AnyForm = SuperValidated<Record<string, unknown>, any, any>;

/** Options of `formError`. */
export interface FormErrorOptions {
	/** Service field name → form field name. */
	rename?: Record<string, string>;
}

/** True when `path` (dotted, `a.b[0]`) starts with a field of `form.data`. */
function hasField(form: AnyForm, path: string): boolean {
	const head = path.split(/[.[]/)[0] ?? '';
	return head !== '' && Object.hasOwn(form.data, head);
}

/** The messages of an error by field path; `''` holds those for the whole form. */
function messagesByField(error: unknown): { status: number; byField: [string, string][] } | null {
	if (v.isValiError(error)) {
		return {
			status: 400,
			byField: error.issues.map((issue) => [v.getDotPath(issue) ?? '', issue.message])
		};
	}
	const domainError = asDomainError(error);
	if (domainError) {
		const status = domainError.status;
		const fields = Object.entries(domainError.fields ?? {});
		return {
			// fail() takes 400–599; a domain error claiming anything else is still a refusal.
			status: status >= 400 && status <= 599 ? status : 400,
			// The error's own message is the form message when no field message exists.
			byField: fields.length > 0 ? fields : [['', domainError.message]]
		};
	}
	return null;
}

/**
 * Puts `error` on `form` and returns the `fail()` the action must return.
 * @returns `fail(status, { form })` with field errors and/or an error message set.
 * @throws `error` itself when it is neither a validation error nor a coded error.
 */
export function formError<F extends AnyForm>(
	form: F,
	error: unknown,
	options: FormErrorOptions = {}
) {
	const mapped = messagesByField(error);
	if (mapped === null) throw error;
	const formLevel: string[] = [];
	for (const [field, text] of mapped.byField) {
		const target = options.rename?.[field] ?? field;
		if (target !== '' && hasField(form, target)) {
			// setError appends to the field's errors and marks the form invalid.
			setError(form, target as never, text, { status: mapped.status as 400 });
		} else {
			formLevel.push(text);
		}
	}
	form.valid = false;
	if (formLevel.length > 0) {
		form.message = { type: 'error', text: formLevel.join(' ') } satisfies FormMessage;
	}
	return fail(mapped.status, { form });
}

/** Marks a successful action: the form's message, shown by the kit as a toast. */
export function formSuccess<F extends AnyForm>(form: F, text: string) {
	return message(form, { type: 'success', text } satisfies FormMessage);
}

/** An error message for the whole form with a status (e.g. 404 for a key that is gone). */
export function formMessageError<F extends AnyForm>(form: F, text: string, status = 400) {
	form.valid = false;
	return message(form, { type: 'error', text } satisfies FormMessage, {
		status: status as 400
	});
}
