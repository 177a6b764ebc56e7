import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { EpisodeSelectionSchema } from '$lib/schemas/items';
import { searchNow } from '$lib/server/services/items/item-actions';
import { parseItemId, readOptionalJson } from '../../item-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/series/{id}/search `{ episodeIds? }` (our ids).
 * Search now: queues the wanted episodes (all, or `episodeIds`) as manual requests sent on the dispatcher's next pass, under the throttle. → 202 `SearchNowResult`; 409 `items.nothing_wanted` / `items.already_queued` / `items.exhausted`;
 * 404 `series.not_found`; 400 `validation.failed` (e.g. an episode of another series).
 */
export const POST: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const seriesId = parseItemId(params.id, 'series');
	const { episodeIds } = await readOptionalJson(request, EpisodeSelectionSchema, {});
	const result = await searchNow(db, {
		target: { kind: 'series', seriesId, episodeIds },
		now: new Date()
	});
	return json(result, { status: 202 });
});
