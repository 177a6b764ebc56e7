import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { AnalyticsQuerySchema } from '$lib/schemas/analytics';
import { getAnalytics } from '$lib/server/services/analytics/read-model';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/analytics?from=YYYY-MM-DD&to=YYYY-MM-DD&connectorId= → `AnalyticsView`
 * ($lib/types/analytics): the daily series (gap discovery, search volume, success rate, queue
 * depth, completion), the connector comparison, the most searched and hardest-to-find items and
 * the quality distribution. Days are local days of Settings → General; the range defaults to the
 * last 30 days and spans at most two years. 400 `validation.failed` names the bad parameter.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const query = v.parse(AnalyticsQuerySchema, Object.fromEntries(url.searchParams));
	return json(await getAnalytics({ db, clock: () => new Date() }, query));
});
