import { getRuntime } from '$lib/server/runtime';
import { getSettings } from '$lib/server/services/settings/settings-service';
import {
	listHistoryPage,
	parseHistoryQuery,
	type HistoryRow
} from '$lib/server/services/history/history-service';
import { ListingQueryError } from '$lib/server/services/history/listing-query';
import type { Page } from '$lib/server/services/queue/queue-admin';
import { SEARCH_COMMANDS, SEARCH_OUTCOMES, SEARCH_TYPES } from '$lib/server/db/schema';
import { listConnectorOptions } from '$lib/server/services/queue/queue-view';
import { filterValues } from './history-query';
import type { PageServerLoad } from './$types';

/**
 * The History page: every finished search, newest first, filtered by the URL's query (the
 * parameters of `GET /api/v1/history`). Bad filters are shown next to their fields and the
 * listing stays empty until they are fixed.
 */
export const load = (async ({ url }) => {
	const { db } = await getRuntime();
	const [settings, connectors] = await Promise.all([getSettings(db), listConnectorOptions(db)]);
	const values = filterValues(url.searchParams);
	let history: Page<HistoryRow> = { items: [], page: 1, pageSize: 50, total: 0 };
	let errors: Record<string, string> = {};
	try {
		const query = parseHistoryQuery(url.searchParams, settings.general.timeZone);
		history = await listHistoryPage(db, query);
	} catch (error) {
		if (!(error instanceof ListingQueryError)) throw error;
		errors = error.fields ?? {};
	}
	const options = {
		outcomes: SEARCH_OUTCOMES,
		searchTypes: SEARCH_TYPES,
		commands: SEARCH_COMMANDS
	};
	return { history, connectors, values, errors, options };
}) satisfies PageServerLoad;
