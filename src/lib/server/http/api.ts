/**
 * JSON API helpers for `+server.ts` handlers: coded errors and body parsing.
 *
 * Every error body has one shape, `{ error: { code, message, fields?, requestId? } }`, with a
 * stable dotted `code` (`auth.required`, `validation.failed`, `connectors.not_found`…) clients can
 * branch on. `requestId` is the request's `X-Request-Id` (the `cid` of its log lines), present on
 * every error answered while the request guard handles a request, so a user can quote it and a
 * maintainer find the request's lines on the Logs page.
 * Unexpected errors are logged with the request's correlation id and answered with a generic 500:
 * a response never carries a stack, a SQL message or a secret.
 */
import {
	isHttpError,
	isRedirect,
	json,
	type RequestEvent,
	type RequestHandler
} from '@sveltejs/kit';
import * as v from 'valibot';
import type { LayoutParams, RouteId } from '$app/types';
import { currentRequestId, moduleLogger } from '$lib/server/logger';
import { DomainError, asDomainError } from '$lib/server/errors';

const log = moduleLogger('http');

/** The body of every JSON error response. */
export interface ApiErrorBody {
	error: { code: string; message: string; fields?: Record<string, string>; requestId?: string };
}

/** An error meant for the client: an HTTP status, a stable code and a human message. */
export class ApiError extends DomainError {
	constructor(status: number, code: string, message: string, fields?: Record<string, string>) {
		super(code, message, fields ? { status, fields } : { status });
		this.name = 'ApiError';
	}
}

/**
 * Throws an ApiError (use inside `withApi` handlers).
 * @example apiError(404, 'connectors.not_found', 'No connector with id 7')
 */
export function apiError(
	status: number,
	code: string,
	message: string,
	fields?: Record<string, string>
): never {
	throw new ApiError(status, code, message, fields);
}

/**
 * A JSON error response with the standard body. `headers` are added to the response. Inside a
 * request (the guard's `withRequestId`) the body carries its `requestId`.
 */
export function errorResponse(
	status: number,
	code: string,
	message: string,
	fields?: Record<string, string>,
	headers?: Record<string, string>
): Response {
	const requestId = currentRequestId();
	const body: ApiErrorBody = {
		error: {
			code,
			message,
			...(fields ? { fields } : {}),
			...(requestId === undefined ? {} : { requestId })
		}
	};
	return json(body, headers ? { status, headers } : { status });
}

/**
 * Turns anything thrown by a handler into a JSON error response:
 * - ApiError → its status, code, message and fields;
 * - valibot ValiError → 400 `validation.failed`, the first issue as message and one message per
 *   dotted field path (`{ "throttle.maxPerHour": "…" }`; a root issue has no field);
 * - SvelteKit `error(status, …)` → that status, code `http.<status>`, its message;
 * - anything else → logged, then 500 `internal` "Internal error" (details never leave the server).
 * @param context.requestId correlation id for the log line.
 */
export function jsonError(error: unknown, context: { requestId?: string } = {}): Response {
	const domainError = asDomainError(error);
	if (domainError) {
		return errorResponse(
			domainError.status,
			domainError.code,
			domainError.message,
			domainError.fields
		);
	}
	if (v.isValiError(error)) {
		const fields: Record<string, string> = {};
		for (const issue of error.issues) {
			const path = v.getDotPath(issue);
			if (path && !(path in fields)) fields[path] = issue.message;
		}
		const message = error.issues[0]?.message ?? 'Invalid request';
		return errorResponse(400, 'validation.failed', message, fields);
	}
	if (isHttpError(error)) {
		const body = error.body as App.Error;
		return errorResponse(error.status, body.code ?? `http.${error.status}`, body.message);
	}
	log.error({ err: error, cid: context.requestId }, 'unhandled error in API handler');
	return errorResponse(500, 'internal', 'Internal error');
}

function isJsonContentType(value: string | null): boolean {
	if (!value) return false;
	const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
	return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** valibot schema types that describe a JSON object (a pipe keeps its first schema's `type`). */
const OBJECT_SCHEMA_TYPES: ReadonlySet<string> = new Set([
	'object',
	'loose_object',
	'strict_object',
	'object_with_rest'
]);

/** "an array", "a string", "null"… for a JSON value that is not an object. */
function jsonKind(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

/**
 * Reads a JSON body and validates it with `schema`.
 * @returns the schema's output (transformations applied).
 * @throws ApiError 415 `request.invalid_json` when the Content-Type is not JSON; 400
 *   `request.invalid_json` when the body is empty or not valid JSON, or is not a JSON object where
 *   `schema` describes one (valibot's `object` accepts an array as an object with no keys, so
 *   `[]` passed as `{}` for a body whose fields are all optional); valibot's ValiError when the
 *   body does not match `schema` (→ 400 `validation.failed` through `jsonError`).
 */
export async function readJson<T>(
	request: Request,
	schema: v.GenericSchema<unknown, T>
): Promise<T> {
	if (!isJsonContentType(request.headers.get('content-type'))) {
		apiError(415, 'request.invalid_json', 'Expected a JSON body (Content-Type: application/json).');
	}
	let text: string;
	try {
		text = await request.text();
	} catch {
		apiError(400, 'request.invalid_json', 'The request body could not be read.');
	}
	if (text.trim() === '') apiError(400, 'request.invalid_json', 'The request body is empty.');
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		apiError(400, 'request.invalid_json', 'The request body is not valid JSON.');
	}
	const expectsObject = OBJECT_SCHEMA_TYPES.has((schema as { type?: string }).type ?? '');
	if (expectsObject && (typeof body !== 'object' || body === null || Array.isArray(body))) {
		apiError(
			400,
			'request.invalid_json',
			`The request body must be a JSON object ({…}), not ${jsonKind(body)}.`
		);
	}
	return v.parse(schema, body);
}

/**
 * Wraps a `+server.ts` handler so every thrown error becomes a JSON error response (`jsonError`).
 * Redirects thrown with SvelteKit's `redirect()` pass through unchanged.
 * @example
 * export const POST: RequestHandler = withApi(async ({ request }) =>
 * 	json(await createConnector(await readJson(request, connectorSchema)))
 * );
 */
export function withApi<
	Params extends LayoutParams<'/'> = LayoutParams<'/'>,
	Id extends RouteId | null = RouteId | null
>(handler: RequestHandler<Params, Id>): RequestHandler<Params, Id> {
	return async (event: RequestEvent<Params, Id>) => {
		try {
			return await handler(event);
		} catch (error) {
			if (isRedirect(error)) throw error;
			return jsonError(error, { requestId: event.locals.requestId });
		}
	};
}
