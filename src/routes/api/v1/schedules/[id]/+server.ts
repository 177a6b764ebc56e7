import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import {
	deleteSweepSchedule,
	getSweepSchedule,
	updateSweepSchedule
} from '$lib/server/services/schedule/sweep-schedules';
import { scheduleIdParam } from '$lib/server/services/schedule/api-params';
import type { RequestHandler } from './$types';

/** GET /api/v1/schedules/{id} → SweepScheduleView. 404 `schedules.not_found`. */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	return json(await getSweepSchedule(db, scheduleIdParam(params.id)));
});

/**
 * PATCH /api/v1/schedules/{id} with any field of the POST body → SweepScheduleView; the result
 * is checked as a whole (400 `validation.failed` naming the field, nothing saved). Takes effect
 * in every process at once (enable, disable, new pattern or zone).
 */
export const PATCH: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const id = scheduleIdParam(params.id);
	const body = await readJson(request, v.looseObject({}));
	return json(await updateSweepSchedule(db, id, body));
});

/** DELETE /api/v1/schedules/{id} → 204; its timers stop everywhere. 404 when unknown. */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	await deleteSweepSchedule(db, scheduleIdParam(params.id));
	return new Response(null, { status: 204 });
});
