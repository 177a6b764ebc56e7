import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { OverrideKeySchema, OverrideListQuerySchema, OverrideSchema } from '$lib/schemas/items';
import {
	clearPriorityOverride,
	listPriorityOverrides,
	setPriorityOverride
} from '$lib/server/services/items/priority-overrides';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/priority-overrides `?page&pageSize&connectorId` → 200
 * `{ items: OverrideView[], page, pageSize, total }`; 400 `validation.failed`.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const query = v.parse(OverrideListQuerySchema, Object.fromEntries(url.searchParams));
	return json(await listPriorityOverrides(db, query));
});

/**
 * PUT /api/v1/priority-overrides `{ target: 'connector'|'series'|'episode'|'movie', id, delta }`
 * (our ids; delta a non-zero integer, |delta| ≤ 10000): sets the override and re-scores the
 * pending sweep batches it affects at once. → 200 `OverrideChange`; 404 for an unknown target
 * (`connectors.not_found`, `series.not_found`, `episodes.not_found`, `movies.not_found`); 400.
 */
export const PUT: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	const input = await readJson(request, OverrideSchema);
	return json(await setPriorityOverride(db, { ...input, now: new Date() }));
});

/**
 * DELETE /api/v1/priority-overrides `{ target, id }`: clears it. → 200 `OverrideChange` (delta 0);
 * 404 `priority_overrides.not_found` when none is set, or the target's 404; 400.
 */
export const DELETE: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	const input = await readJson(request, OverrideKeySchema);
	return json(await clearPriorityOverride(db, { ...input, now: new Date() }));
});
