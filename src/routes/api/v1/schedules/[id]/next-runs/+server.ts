import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { scheduleNextRuns } from '$lib/server/services/schedule/sweep-schedules';
import { NextRunsQuery, queryOf, scheduleIdParam } from '$lib/server/services/schedule/api-params';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/schedules/{id}/next-runs?count=5&from= → `{ runs: string[] }`, ISO 8601 UTC
 * instants in the schedule's time zone's reading of its pattern (count 1–20; empty when the
 * schedule is disabled). 404 unknown schedule; 400 `validation.failed` on `count` / `from`.
 */
export const GET: RequestHandler = withApi(async ({ params, url }) => {
	const id = scheduleIdParam(params.id);
	const query = v.parse(NextRunsQuery, queryOf(url));
	const { db } = await getRuntime();
	return json({ runs: await scheduleNextRuns(db, id, query.count, query.from) });
});
