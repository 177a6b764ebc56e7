import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { ContentQuerySchema } from '$lib/schemas/content';
import { listContent } from '$lib/server/services/content/content-browser';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/content?connectorId=&kind=series|movie&status=&profileId=&tagId=&monitored=&q=
 * &sort=&dir=&page=&pageSize= → `{ items, page, pageSize, total, counts }`: one page of every
 * connector's series and movies with their search state, and the rows each status filter would
 * show (services/content/content-browser.ts). 400 `validation.failed` names the bad parameter.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const query = v.parse(ContentQuerySchema, Object.fromEntries(url.searchParams));
	return json(await listContent(db, query));
});
