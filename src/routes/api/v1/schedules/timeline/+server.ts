import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { scheduleTimeline } from '$lib/server/services/schedule/sweep-schedules';
import { TimelineQuery, queryOf } from '$lib/server/services/schedule/api-params';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/schedules/timeline?from=&days=7 → ScheduleTimeline `{ from, to, schedules: [{
 * scheduleId, connectorId, connectorName, sweepType, cron, timezone, runs: ISO[], truncated }] }`:
 * every run of every enabled sweep schedule in the window (days 1–31), for the page's timeline.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const query = v.parse(TimelineQuery, queryOf(url));
	const { db } = await getRuntime();
	return json(
		await scheduleTimeline(db, { days: query.days, ...(query.from ? { from: query.from } : {}) })
	);
});
