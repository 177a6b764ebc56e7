import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { listBuiltInSchedules } from '$lib/server/services/schedule/built-in';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/schedules/built-in → BuiltInScheduleView[] in the dashboard's order: `job`,
 * `description`, `cron`, `timezone` (Settings → General), `humanDescription`, `enabled`,
 * `nextRunAt`, `lastRun`.
 */
export const GET: RequestHandler = withApi(async () => {
	const { db } = await getRuntime();
	return json(await listBuiltInSchedules(db));
});
