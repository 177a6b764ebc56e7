import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { listQueue } from '$lib/server/db/queries/stats';
import type { RequestHandler } from './$types';

/** GET /api/v1/queue → pending and in-flight requests, highest priority first (max 200). */
export const GET: RequestHandler = withApi(async () => {
	const { db } = await getRuntime();
	return json(await listQueue(db));
});
