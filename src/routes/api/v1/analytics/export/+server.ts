import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { AnalyticsExportSchema, AnalyticsQuerySchema } from '$lib/schemas/analytics';
import { analyticsCsv } from '$lib/server/services/analytics/export';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/analytics/export?table=<daily|gap-discovery|search-volume|queue-depth|completion|
 * connectors|most-searched|hardest-to-find|quality>&from=&to=&connectorId= → that chart's or
 * table's rows as a CSV attachment with a header row (the range rules of /api/v1/analytics).
 * 400 `validation.failed` names the bad parameter.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const params = Object.fromEntries(url.searchParams);
	const { table, ...rest } = params;
	const query = v.parse(AnalyticsQuerySchema, rest);
	const exported = v.parse(AnalyticsExportSchema, { table });
	const csv = await analyticsCsv({ db, clock: () => new Date() }, query, exported.table);
	return new Response(csv.body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${csv.filename}"`,
			'cache-control': 'no-store'
		}
	});
});
