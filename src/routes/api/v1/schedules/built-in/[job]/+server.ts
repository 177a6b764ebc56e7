import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import {
	builtInNotDeletable,
	getBuiltInSchedule,
	updateBuiltInSchedule
} from '$lib/server/services/schedule/built-in';
import type { RequestHandler } from './$types';

/** GET /api/v1/schedules/built-in/{job} → BuiltInScheduleView. 404 `schedules.not_found`. */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	return json(await getBuiltInSchedule(db, params.job));
});

/**
 * PATCH /api/v1/schedules/built-in/{job} `{ cron?, enabled? }` → BuiltInScheduleView; takes
 * effect in every process at once. 400 `validation.failed` on `cron`; 404 unknown job.
 */
export const PATCH: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const body = await readJson(request, v.looseObject({}));
	return json(await updateBuiltInSchedule(db, params.job, body));
});

/** DELETE → 405 `schedules.built_in_not_deletable` (turn it off with PATCH instead). */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	await getBuiltInSchedule(db, params.job);
	throw builtInNotDeletable(params.job);
});
