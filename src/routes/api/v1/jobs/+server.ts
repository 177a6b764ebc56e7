import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { listJobRuns, MAX_PAGE } from '$lib/server/services/jobs';
import type { RequestHandler } from './$types';

const Query = v.object({
	job: v.optional(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'Not a job name.'))),
	limit: v.optional(
		v.pipe(
			v.string(),
			v.transform(Number),
			v.integer('limit must be a whole number.'),
			v.minValue(1, 'limit must be at least 1.'),
			v.maxValue(MAX_PAGE, `limit must be at most ${MAX_PAGE}.`)
		)
	),
	state: v.optional(
		v.picklist(
			['queued', 'running', 'success', 'partial', 'failed', 'skipped'],
			'state must be queued, running, success, partial, failed or skipped.'
		)
	),
	connectorId: v.optional(
		v.pipe(
			v.string(),
			v.transform(Number),
			v.integer('connectorId must be a connector id.'),
			v.minValue(1, 'connectorId must be a connector id.')
		)
	),
	before: v.optional(
		v.pipe(v.string(), v.transform(Number), v.integer('before must be a run id.'), v.minValue(1))
	)
});

/**
 * `GET /api/v1/jobs?job=&state=&connectorId=&limit=&before=`: runs newest first,
 * `{ runs, nextBefore }`. `state=running` includes queued runs (both are live).
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const query = v.parse(Query, Object.fromEntries(url.searchParams));
	const { db } = await getRuntime();
	return json(await listJobRuns(db, query));
});
