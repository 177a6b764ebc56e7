import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { pauseDispatch } from '$lib/server/services/queue/queue-admin';
import { readScope } from '../request-input';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/queue/pause with an optional `{ connectorId }` (none: every connector) → 200
 * PauseState `{ all: { pausedAt } | null, connectors: [{ connectorId, pausedAt }] }`.
 * Idempotent. 404 `connectors.not_found`.
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	const { connectorId } = await readScope(request);
	return json(await pauseDispatch(db, { connectorId, now: new Date() }));
});
