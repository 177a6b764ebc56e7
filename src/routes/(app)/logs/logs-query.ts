/**
 * The Logs page's URL query: the filters of `GET /api/v1/logs` (`level`, `module`, `q`), so a
 * filtered view can be shared and reloaded, and the live tail asks the API for exactly the same.
 */

/** The filter parameters, in the order they appear in a URL. */
export const LOGS_FILTER_PARAMS = ['level', 'module', 'q'] as const;

export type LogsFilterParam = (typeof LOGS_FILTER_PARAMS)[number];

/** The filters as the form shows them: every value a string, '' when unset. */
export type LogsFilterValues = Record<LogsFilterParam, string>;

/** Lines per page (the first load and each "Load older"). */
export const LOGS_PAGE_SIZE = 200;

/** The most lines the page holds at once; the live tail drops the oldest beyond it. */
export const LOGS_MAX_SHOWN = 2000;

/** The filter values of a URL (unknown parameters dropped, values trimmed). */
export function filterValues(params: URLSearchParams): LogsFilterValues {
	const values = {} as LogsFilterValues;
	for (const name of LOGS_FILTER_PARAMS) values[name] = params.get(name)?.trim() ?? '';
	return values;
}

/** Whether any filter is set. */
export function isFiltered(values: LogsFilterValues): boolean {
	return LOGS_FILTER_PARAMS.some((name) => values[name] !== '');
}

/**
 * The API query for these filters plus `extra` (`after`, `before`, `limit`), e.g.
 * `level=warn&after=120`.
 */
export function logsApiQuery(
	values: LogsFilterValues,
	extra: Record<string, string | number> = {}
): string {
	const params = new URLSearchParams();
	for (const name of LOGS_FILTER_PARAMS) if (values[name] !== '') params.set(name, values[name]);
	for (const [name, value] of Object.entries(extra)) params.set(name, String(value));
	return params.toString();
}
