import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { historyCsvStream, parseHistoryQuery } from '$lib/server/services/history/history-service';
import { csvResponse } from '../history/csv-response';
import type { RequestHandler } from './$types';

/** GET /api/v1/history.csv?<the filters of /api/v1/history> → every matching row as CSV. */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const { timeZone } = (await getSettings(db)).general;
	const { filter } = parseHistoryQuery(url.searchParams, timeZone);
	return csvResponse(historyCsvStream(db, filter));
});
