/**
 * The content page's URL query: the parameters of `GET /api/v1/content` (lib/schemas/content.ts),
 * so a filtered, sorted page can be shared and reloaded. Values are kept as the strings of the
 * URL; '' means "not set".
 */
import type { ContentSort } from '$lib/schemas/content';

/** The parameters, in the order they appear in a URL. */
export const CONTENT_PARAMS = [
	'q',
	'connectorId',
	'kind',
	'status',
	'profileId',
	'tagId',
	'monitored',
	'sort',
	'dir',
	'pageSize'
] as const;
export type ContentParam = (typeof CONTENT_PARAMS)[number];
export type ContentValues = Record<ContentParam, string>;

/** The filter parameters alone (what a bulk action over "everything matching" sends). */
export const CONTENT_FILTER_PARAMS = [
	'q',
	'connectorId',
	'kind',
	'status',
	'profileId',
	'tagId',
	'monitored'
] as const satisfies readonly ContentParam[];

/** The values of a URL (unknown parameters dropped, values trimmed). */
export function contentValues(params: URLSearchParams): ContentValues {
	const values = {} as ContentValues;
	for (const name of CONTENT_PARAMS) values[name] = params.get(name)?.trim() ?? '';
	return values;
}

/** Whether a filter (not the sort or page size) is set; `all` is no status filter. */
export function isFiltered(values: ContentValues): boolean {
	return CONTENT_FILTER_PARAMS.some(
		(name) => values[name] !== '' && !(name === 'status' && values[name] === 'all')
	);
}

/**
 * The query string (`?status=missing&page=2`) of `values` with `changes` applied, plus `page`
 * when above 1; '' when nothing is set. A change of anything but the page starts at page 1.
 */
export function contentSearch(
	values: ContentValues,
	changes: Partial<ContentValues> = {},
	page = 1
): string {
	const params = new URLSearchParams();
	const next = { ...values, ...changes };
	for (const name of CONTENT_PARAMS) if (next[name] !== '') params.set(name, next[name]);
	if (page > 1) params.set('page', String(page));
	const text = params.toString();
	return text === '' ? '' : `?${text}`;
}

/** The sort and direction a click on column `sort` asks for: the same column flips direction. */
export function nextSort(
	current: { sort: ContentSort; dir: 'asc' | 'desc' },
	sort: ContentSort
): { sort: ContentSort; dir: 'asc' | 'desc' } {
	if (current.sort === sort) return { sort, dir: current.dir === 'asc' ? 'desc' : 'asc' };
	const ascending = sort === 'title' || sort === 'connector';
	return { sort, dir: ascending ? 'asc' : 'desc' };
}
