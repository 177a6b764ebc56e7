/**
 * Coded domain errors: what a service throws when a request is refused for a reason the user can
 * act on ("wrong current password", "no such API key"). They carry a stable dotted `code`, a
 * human message, optionally the HTTP status they mean and the form fields they concern, and
 * become HTTP or form errors only at the route boundary (`$lib/server/forms`, `http/api.ts`).
 *
 * Other modules' errors with the same shape (`ApiError`, `ConnectorFieldError`, `SecretError`)
 * are handled the same way: the mappers test the shape (`isCodedError`), not the class.
 */

/** The shape every coded error has. */
export interface CodedError {
	/** Stable dotted code, e.g. `auth.wrong_password`. */
	code: string;
	message: string;
	/** The HTTP status the refusal means (4xx); 400 when absent. */
	status?: number;
	/** Messages by field name (dotted path for nested fields). */
	fields?: Record<string, string> | undefined;
}

/** A refusal by a service, with a code, a message and optionally a status and field messages. */
export class DomainError extends Error implements CodedError {
	readonly code: string;
	readonly status: number;
	readonly fields: Record<string, string> | undefined;

	constructor(
		code: string,
		message: string,
		options: { status?: number; fields?: Record<string, string>; cause?: unknown } = {}
	) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = 'DomainError';
		this.code = code;
		this.status = options.status ?? 400;
		this.fields = options.fields;
	}
}

/** True for any error with a string `code` and `message` (and, if present, sane status/fields). */
export function isCodedError(error: unknown): error is CodedError {
	if (!(error instanceof Error)) return false;
	const candidate = error as Error & Partial<Record<'code' | 'status' | 'fields', unknown>>;
	if (typeof candidate.code !== 'string' || candidate.code === '') return false;
	if (candidate.status !== undefined && typeof candidate.status !== 'number') return false;
	return (
		candidate.fields === undefined ||
		(typeof candidate.fields === 'object' && candidate.fields !== null)
	);
}
