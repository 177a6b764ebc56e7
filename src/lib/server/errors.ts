/**
 * Coded domain errors: what a service throws when a request is refused for a reason the user can
 * act on ("wrong current password", "no such API key"). They carry a stable dotted `code`, a
 * human message, optionally the HTTP status they mean and the form fields they concern, and
 * become HTTP or form errors only at the route boundary (`$lib/server/forms`, `http/api.ts`).
 *
 * Every service's refusals extend `DomainError` (`ConnectorFieldError`, `JobConflictError`,
 * `UploadError`, `ApiError`…), so the two mappers — `jsonError` (http/api.ts) for the API and
 * `formError` ($lib/server/forms) for form actions — know them all without a branch per class:
 * a new domain adds a code and a status, not a case. Only errors of this class are shown to
 * users; any other exception is a 500 with a correlation id (an `ENOENT` or a SQL error carries
 * a `code` too, and its message must never reach a page).
 */
import { SecretError } from './crypto/secrets';

/** What every domain error carries. */
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

/**
 * The domain error `error` stands for, or null for anything else (which must stay a 500: an
 * unexpected exception's message is never shown). Errors of layers below the services that users
 * can act on are translated here, once, for both the API and the forms: an undecryptable stored
 * key (`SecretError`) becomes `secrets.invalid` (409) with a message that says what to do.
 */
export function asDomainError(error: unknown): DomainError | null {
	if (error instanceof DomainError) return error;
	if (error instanceof SecretError) {
		return new DomainError('secrets.invalid', STORED_KEY_UNREADABLE, { status: 409, cause: error });
	}
	return null;
}

/** What a user is told when a stored key cannot be decrypted (a changed SECRET_KEY). */
export const STORED_KEY_UNREADABLE =
	'The stored API key cannot be decrypted with the current SECRET_KEY; enter the key again.';
