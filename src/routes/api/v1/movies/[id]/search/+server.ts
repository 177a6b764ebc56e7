import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { NoOptionsSchema } from '$lib/schemas/items';
import { searchNow } from '$lib/server/services/items/item-actions';
import { parseItemId, readOptionalJson } from '../../../series/item-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/movies/{id}/search (no body, or `{}`).
 * Search now: queues the movie as manual requests sent on the dispatcher's next pass, under the throttle. → 202 `SearchNowResult`; 409 `items.nothing_wanted` / `items.already_queued` / `items.exhausted`;
 * 404 `movies.not_found`.
 */
export const POST: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const movieId = parseItemId(params.id, 'movie');
	await readOptionalJson(request, NoOptionsSchema, {});
	const result = await searchNow(db, { target: { kind: 'movie', movieId }, now: new Date() });
	return json(result, { status: 202 });
});
