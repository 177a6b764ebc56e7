/**
 * The History page's URL query: the filters of `GET /api/v1/history` (`connectorId`, `outcome`,
 * `searchType`, `command`, `from`, `to`, `q`) and `page`, so a filtered page can be shared and
 * reloaded, and the CSV export (`/api/v1/history.csv`) gets exactly the same filters.
 */

/** The filter parameters, in the order they appear in a URL. */
export const HISTORY_FILTER_PARAMS = [
	'connectorId',
	'outcome',
	'searchType',
	'command',
	'from',
	'to',
	'q'
] as const;

export type HistoryFilterParam = (typeof HISTORY_FILTER_PARAMS)[number];

/** The filters as the form shows them: every value a string, '' when unset. */
export type HistoryFilterValues = Record<HistoryFilterParam, string>;

/** The filter values of a URL (unknown parameters dropped, values trimmed). */
export function filterValues(params: URLSearchParams): HistoryFilterValues {
	const values = {} as HistoryFilterValues;
	for (const name of HISTORY_FILTER_PARAMS) values[name] = params.get(name)?.trim() ?? '';
	return values;
}

/** Whether any filter is set. */
export function isFiltered(values: HistoryFilterValues): boolean {
	return HISTORY_FILTER_PARAMS.some((name) => values[name] !== '');
}

/**
 * The query string (`?outcome=failed&page=2`) of the filters set, plus `page` when above 1;
 * '' when nothing is set. The CSV link passes no page: an export is every matching row.
 */
export function historySearch(values: HistoryFilterValues, page = 1): string {
	const params = new URLSearchParams();
	for (const name of HISTORY_FILTER_PARAMS) if (values[name] !== '') params.set(name, values[name]);
	if (page > 1) params.set('page', String(page));
	const text = params.toString();
	return text === '' ? '' : `?${text}`;
}
