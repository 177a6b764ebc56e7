import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { EpisodeSelectionSchema } from '$lib/schemas/items';
import { clearSearchState } from '$lib/server/services/items/item-actions';
import { parseItemId, readOptionalJson } from '../../item-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/series/{id}/clear-search-state `{ episodeIds? }` (our ids).
 * Clears the search state of the wanted episodes (all, or `episodeIds`): pending, 0 attempts, no failure, eligible now. → 200 `StateChangeResult`; 409 `items.nothing_wanted` / `items.searching`;
 * 404 `series.not_found`; 400 `validation.failed` (e.g. an episode of another series).
 */
export const POST: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const seriesId = parseItemId(params.id, 'series');
	const { episodeIds } = await readOptionalJson(request, EpisodeSelectionSchema, {});
	const result = await clearSearchState(db, {
		target: { kind: 'series', seriesId, episodeIds },
		now: new Date()
	});
	return json(result, { status: 200 });
});
