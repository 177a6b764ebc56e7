import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { removeRequest, setRequestPriority } from '$lib/server/services/queue/queue-admin';
import { parseRequestId, PrioritySchema } from '../request-input';
import type { RequestHandler } from './$types';

/**
 * PATCH /api/v1/queue/{id} `{ priority }` → 200 `{ id, priority }`. Only a pending batch:
 * 409 `queue.not_pending` once claimed; 404 `queue.not_found`; 400 `validation.failed`.
 */
export const PATCH: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const id = parseRequestId(params.id);
	const { priority } = await readJson(request, PrioritySchema);
	return json(await setRequestPriority(db, { id, priority }));
});

/**
 * DELETE /api/v1/queue/{id}: removes a pending batch; its registry rows wait out the search cooldown.
 * → 200 `{ removed, searches, released }`; 409 `queue.not_pending`; 404 `queue.not_found`.
 */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	return json(await removeRequest(db, { id: parseRequestId(params.id), now: new Date() }));
});
