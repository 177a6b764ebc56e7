/**
 * Input of the item-action endpoints (`/api/v1/series/{id}/…`, `/api/v1/movies/{id}/…`): the id
 * route parameter and the optional JSON body.
 */
import type * as v from 'valibot';
import { readJson } from '$lib/server/http/api';
import { MovieNotFoundError, SeriesNotFoundError } from '$lib/server/services/items/item-scope';

/** `params.id` as one of our ids. @throws SeriesNotFoundError / MovieNotFoundError (404). */
export function parseItemId(raw: string | undefined, kind: 'series' | 'movie'): number {
	const id = raw && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) {
		throw kind === 'series'
			? new SeriesNotFoundError(raw ?? '')
			: new MovieNotFoundError(raw ?? '');
	}
	return id;
}

/**
 * An optional JSON body: none (or an empty one) gives `empty`; otherwise it must match `schema`.
 * @throws ApiError 415/400 `request.invalid_json`, ValiError (→ 400 `validation.failed`).
 */
export async function readOptionalJson<T>(
	request: Request,
	schema: v.GenericSchema<unknown, T>,
	empty: T
): Promise<T> {
	if (request.body === null || request.headers.get('content-length') === '0') return empty;
	if ((await request.clone().text()).trim() === '') return empty;
	return readJson(request, schema);
}
