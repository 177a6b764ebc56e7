import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { cycleAll } from '$lib/server/services/operations';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/queue/dispatch: one dispatcher pass over every enabled connector under its throttle
 * profile (recover orphans, send what the throttle allows, poll sent commands).
 */
export const POST: RequestHandler = withApi(async () => {
	const runtime = await getRuntime();
	const results = await cycleAll(runtime);
	return json({ connectors: results.filter((r) => r !== null) });
});
