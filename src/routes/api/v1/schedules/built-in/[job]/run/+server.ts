import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { withBase } from '$lib/server/http/base-path';
import { runBuiltInNow } from '$lib/server/services/schedule/built-in';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/schedules/built-in/{job}/run → **202** `{ run }` (trigger `manual`), followed at
 * `GET /api/v1/jobs/{run.id}`. 404 unknown job; 409 `schedules.already_running`; 503 in a restore.
 */
export const POST: RequestHandler = withApi(async ({ params, locals }) => {
	const runtime = await getRuntime();
	const run = await runBuiltInNow(
		{ db: runtime.db, secrets: runtime.secrets, dataDir: runtime.config.dataDir },
		params.job,
		{ userId: locals.user?.id ?? null }
	);
	return json({ run }, { status: 202, headers: { location: withBase(`/api/v1/jobs/${run.id}`) } });
});
