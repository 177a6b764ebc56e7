/**
 * The page's calls to the JSON API (same origin: the session cookie and the Origin header go
 * along). Errors come back as the API's `{ error: { code, message } }`, turned into a sentence.
 */
import type { JobRunView } from '$lib/types/jobs';
import { appUrl } from '$lib/paths';

export type ApiResult<T> =
	{ ok: true; data: T } | { ok: false; message: string; code: string | null };

async function parse<T>(response: Response): Promise<ApiResult<T>> {
	if (response.status === 204) return { ok: true, data: undefined as T };
	let body: unknown = null;
	try {
		body = await response.json();
	} catch {
		// Not JSON (a proxy's error page, an empty body).
	}
	if (response.ok) return { ok: true, data: body as T };
	const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
	return {
		ok: false,
		code: error?.code ?? null,
		message: error?.message ?? `The server answered ${response.status}.`
	};
}

/** Sends a request; a network failure becomes an error result, never a throw. */
export async function api<T>(
	path: string,
	init: { method?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {}
): Promise<ApiResult<T>> {
	try {
		const response = await fetch(appUrl(path as `/${string}`), {
			method: init.method ?? 'GET',
			headers: {
				accept: 'application/json',
				...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
				...init.headers
			},
			body: init.json !== undefined ? JSON.stringify(init.json) : (init.body ?? null)
		});
		return await parse<T>(response);
	} catch {
		return { ok: false, code: null, message: 'The server cannot be reached.' };
	}
}

/** Starts a job (`POST` answering 202 `{ run }`). */
export async function startJob(path: string, json?: unknown): Promise<ApiResult<JobRunView>> {
	const result = await api<{ run: JobRunView }>(path, { method: 'POST', json });
	return result.ok ? { ok: true, data: result.data.run } : result;
}
