import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { apiError, withApi } from '$lib/server/http/api';
import { getJobRun } from '$lib/server/services/jobs';
import type { RequestHandler } from './$types';

/** `GET /api/v1/jobs/{id}`: one run (status, progress, message, result, error). */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const id = Number(params.id);
	if (!/^\d{1,10}$/.test(params.id) || !Number.isSafeInteger(id) || id <= 0) {
		apiError(404, 'jobs.not_found', `There is no job run ${params.id}.`);
	}
	const { db } = await getRuntime();
	const run = await getJobRun(db, id);
	if (!run) apiError(404, 'jobs.not_found', `There is no job run ${id}.`);
	return json(run, { headers: { 'cache-control': 'no-store' } });
});
