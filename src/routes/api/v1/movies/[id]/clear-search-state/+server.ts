import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { NoOptionsSchema } from '$lib/schemas/items';
import { clearSearchState } from '$lib/server/services/items/item-actions';
import { parseItemId, readOptionalJson } from '../../../series/item-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/movies/{id}/clear-search-state (no body, or `{}`).
 * Clears the search state of the movie: pending, 0 attempts, no failure, eligible now. → 200 `StateChangeResult`; 409 `items.nothing_wanted` / `items.searching`;
 * 404 `movies.not_found`.
 */
export const POST: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const movieId = parseItemId(params.id, 'movie');
	await readOptionalJson(request, NoOptionsSchema, {});
	const result = await clearSearchState(db, {
		target: { kind: 'movie', movieId },
		now: new Date()
	});
	return json(result, { status: 200 });
});
