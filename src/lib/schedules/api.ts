/**
 * The Schedules page's calls to `/api/v1/schedules…` from the browser. Every answer is either the
 * JSON body or the API's error (`{ error: { code, message, fields? } }`, src/lib/server/http/api.ts)
 * as a value: callers show `fields` on the named inputs and `message` as a toast.
 */
import { appUrl } from '$lib/paths';

export interface ApiFailure {
	ok: false;
	/** HTTP status; 0 when the server could not be reached. */
	status: number;
	code: string;
	message: string;
	fields: Record<string, string>;
}
export type ApiResult<T> = { ok: true; status: number; data: T } | ApiFailure;

/**
 * One JSON request to an app path (the base path is added). A non-JSON or unreachable answer is a
 * failure with code `network` or `http.<status>`. Never throws.
 */
export async function apiCall<T>(
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
	path: `/${string}`,
	body?: unknown,
	options: { signal?: AbortSignal; fetch?: typeof fetch } = {}
): Promise<ApiResult<T>> {
	const doFetch = options.fetch ?? fetch;
	let response: Response;
	try {
		const init: RequestInit = { method, headers: { accept: 'application/json' } };
		if (body !== undefined) {
			init.headers = { accept: 'application/json', 'content-type': 'application/json' };
			init.body = JSON.stringify(body);
		}
		if (options.signal) init.signal = options.signal;
		response = await doFetch(appUrl(path), init);
	} catch (err) {
		if (err instanceof DOMException && err.name === 'AbortError') throw err;
		return {
			ok: false,
			status: 0,
			code: 'network',
			message: 'Comradarr could not be reached; nothing changed.',
			fields: {}
		};
	}
	let json: unknown = null;
	if (response.status !== 204) {
		try {
			json = await response.json();
		} catch {
			json = null;
		}
	}
	if (response.ok) return { ok: true, status: response.status, data: json as T };
	const error = (json as { error?: { code?: string; message?: string; fields?: unknown } } | null)
		?.error;
	return {
		ok: false,
		status: response.status,
		code: error?.code ?? `http.${response.status}`,
		message: error?.message ?? `The request failed (HTTP ${response.status}); nothing changed.`,
		fields:
			error?.fields && typeof error.fields === 'object'
				? (error.fields as Record<string, string>)
				: {}
	};
}
