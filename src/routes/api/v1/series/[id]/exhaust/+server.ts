import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { EpisodeSelectionSchema } from '$lib/schemas/items';
import { markExhausted } from '$lib/server/services/items/item-actions';
import { parseItemId, readOptionalJson } from '../../item-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/series/{id}/exhaust `{ episodeIds? }` (our ids).
 * Marks the wanted episodes (all, or `episodeIds`) exhausted and takes them out of the pending batches. → 200 `StateChangeResult`; 409 `items.nothing_wanted` / `items.searching` / `items.already_exhausted`;
 * 404 `series.not_found`; 400 `validation.failed` (e.g. an episode of another series).
 */
export const POST: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const seriesId = parseItemId(params.id, 'series');
	const { episodeIds } = await readOptionalJson(request, EpisodeSelectionSchema, {});
	const result = await markExhausted(db, {
		target: { kind: 'series', seriesId, episodeIds },
		now: new Date()
	});
	return json(result, { status: 200 });
});
