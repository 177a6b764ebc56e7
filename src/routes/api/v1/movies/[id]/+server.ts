import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { getMovieDetail } from '$lib/server/services/items/item-detail';
import { parseItemId } from '../../series/item-input';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/movies/{id} (our id) → 200 `MovieDetail`: the movie, its connector and override,
 * file / quality state and search state. 404 `movies.not_found`.
 */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	return json(await getMovieDetail(db, parseItemId(params.id, 'movie')));
});
