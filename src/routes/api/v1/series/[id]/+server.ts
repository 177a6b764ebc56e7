import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { getSeriesDetail } from '$lib/server/services/items/item-detail';
import { parseItemId } from '../item-input';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/series/{id} (our id) → 200 `SeriesDetail`: the series, its connector and override,
 * seasons with episodes (file, quality, cutoff met, search state). 404 `series.not_found`.
 */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	return json(await getSeriesDetail(db, parseItemId(params.id, 'series')));
});
