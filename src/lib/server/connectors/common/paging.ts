/**
 * Paged *arr endpoints (PagingResource: `{page, pageSize, totalRecords, records}`) read page by
 * page as an async iterator, so a caller holds one page in memory at a time.
 *
 * The apps enforce no maximum page size, but big pages are slow (DESIGN.md pitfalls): 1000 per page,
 * stopping once `page * pageSize >= totalRecords` (pageSize=-1 "unlimited" fails on PostgreSQL
 * back ends, arr-api README §4).
 */
import * as v from 'valibot';
import type { ArrHttpClient, RequestOptions } from './http';
import { ArrApiError } from './errors';
import { parseList } from './schemas';

export const PAGE_SIZE = 1000;

const PageSchema = v.looseObject({
	page: v.number(),
	pageSize: v.number(),
	totalRecords: v.number(),
	records: v.array(v.unknown())
});

export interface Page<T> {
	page: number;
	totalRecords: number;
	items: T[];
	skipped: number;
}

/**
 * Yields each page of `path` with its records parsed by `schema` (malformed records skipped and
 * counted). @throws ArrApiError on a request failure or a body that is not a page.
 */
export async function* paginate<S extends v.GenericSchema>(
	http: ArrHttpClient,
	path: string,
	schema: S,
	query: RequestOptions['query'] = {},
	pageSize = PAGE_SIZE
): AsyncGenerator<Page<v.InferOutput<S>>> {
	for (let page = 1; ; page++) {
		const body = await http.request('GET', path, {
			query: { ...query, page, pageSize },
			library: true
		});
		const parsed = v.safeParse(PageSchema, body);
		if (!parsed.success) {
			throw new ArrApiError('invalid_response', `${path}: not a paging resource`);
		}
		const records = parseList(schema, parsed.output.records, path);
		yield {
			page,
			totalRecords: parsed.output.totalRecords,
			items: records.items,
			skipped: records.skipped
		};
		if (parsed.output.records.length === 0 || page * pageSize >= parsed.output.totalRecords) return;
	}
}
