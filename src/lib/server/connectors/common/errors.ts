/**
 * Typed errors for *arr API calls. Each kind carries a message a user understands (`message`) and
 * the technical detail for the log (`detail`, `status`, `url` without any API key, `cause`).
 */

export const ARR_ERROR_KINDS = [
	'unreachable',
	'timeout',
	'unauthorized',
	'not_found',
	'rate_limited',
	'server_error',
	'invalid_response',
	'bad_request',
	'wrong_app',
	'refused_address'
] as const;
export type ArrErrorKind = (typeof ARR_ERROR_KINDS)[number];

const USER_MESSAGES: Record<ArrErrorKind, string> = {
	unreachable: 'Could not reach the app at this URL. Check the host, port and URL base.',
	timeout: 'The app did not answer in time.',
	unauthorized: 'The app refused the API key (401). Copy it again from Settings → General.',
	not_found: 'The app answered 404: check the URL base (e.g. /sonarr).',
	rate_limited: 'The app is rate limiting requests (429).',
	server_error: 'The app answered with a server error.',
	invalid_response: 'The app sent a response Comradarr could not read.',
	bad_request: 'The app rejected the request (400).',
	wrong_app: 'This URL belongs to a different app than the one chosen.',
	refused_address:
		'This address is not allowed: link-local, unspecified and cloud metadata addresses (e.g. 169.254.x.x, 0.0.0.0) are refused.'
};

/**
 * Kinds whose detail is itself the explanation a user needs, so it joins the message: for a refused
 * address, which address the host resolved to and why it is refused.
 */
const DETAIL_IN_MESSAGE: ReadonlySet<ArrErrorKind> = new Set(['refused_address']);

export class ArrApiError extends Error {
	readonly code: `arr.${ArrErrorKind}`;
	constructor(
		readonly kind: ArrErrorKind,
		readonly detail: string,
		readonly info: { url?: string; status?: number; retryAfterMs?: number } = {},
		options?: ErrorOptions & {
			/** Replaces the kind's message when the case has a more precise one (TLS failures). */
			message?: string;
		}
	) {
		super(
			options?.message ??
				(DETAIL_IN_MESSAGE.has(kind)
					? `This address is not allowed: ${detail}.`
					: USER_MESSAGES[kind]),
			options
		);
		this.name = 'ArrApiError';
		this.code = `arr.${kind}`;
	}

	get status(): number | undefined {
		return this.info.status;
	}

	/** Whether retrying the same request later may succeed. */
	get transient(): boolean {
		return (
			this.kind === 'unreachable' ||
			this.kind === 'timeout' ||
			this.kind === 'rate_limited' ||
			this.kind === 'server_error'
		);
	}

	/** `message — detail`, for logs and health reasons (never contains the API key). */
	describe(): string {
		return this.message.includes(this.detail) ? this.message : `${this.message} (${this.detail})`;
	}
}

export function isArrApiError(error: unknown): error is ArrApiError {
	return error instanceof ArrApiError;
}
