import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { resumeDispatch } from '$lib/server/services/queue/queue-admin';
import { readScope } from '../request-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/queue/resume with an optional `{ connectorId }`: without one, lifts the global
 * pause (connector pauses stay); with one, that connector's. → 200 PauseState. Idempotent.
 * 404 `connectors.not_found`.
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	const { connectorId } = await readScope(request);
	return json(await resumeDispatch(db, { connectorId }));
});
