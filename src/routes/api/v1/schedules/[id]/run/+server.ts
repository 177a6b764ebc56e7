import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { withBase } from '$lib/server/http/base-path';
import { runSweepScheduleNow } from '$lib/server/services/schedule/sweep-schedules';
import { scheduleIdParam } from '$lib/server/services/schedule/api-params';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/schedules/{id}/run → **202** `{ run }` (JobRunView, `running`, job
 * `sweep.schedule.<id>`, trigger `manual`), followed at `GET /api/v1/jobs/{run.id}` (Location).
 * 404 unknown schedule; 409 `schedules.already_running` while a sweep of its connector runs;
 * 503 during a restore.
 */
export const POST: RequestHandler = withApi(async ({ params, locals }) => {
	const runtime = await getRuntime();
	const run = await runSweepScheduleNow(runtime, scheduleIdParam(params.id), {
		userId: locals.user?.id ?? null
	});
	return json({ run }, { status: 202, headers: { location: withBase(`/api/v1/jobs/${run.id}`) } });
});
