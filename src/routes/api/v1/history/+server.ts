import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { getSettings } from '$lib/server/services/settings/settings-service';
import {
	historyCsvStream,
	listHistoryPage,
	parseHistoryQuery
} from '$lib/server/services/history/history-service';
import { csvResponse } from './csv-response';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/history?connectorId=&outcome=&searchType=&command=&from=&to=&q=&page=&pageSize=
 * → `{ items: HistoryRow[], page, pageSize, total }`, newest first. `format=csv` streams every
 * matching row as CSV instead (also at /api/v1/history.csv). A calendar-date `from`/`to` is a
 * whole day in Settings → General's time zone. Bad parameters: 400 `validation.failed`, `fields`.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const { timeZone } = (await getSettings(db)).general;
	const query = parseHistoryQuery(url.searchParams, timeZone);
	if (query.format === 'csv') return csvResponse(historyCsvStream(db, query.filter));
	return json(await listHistoryPage(db, query));
});
