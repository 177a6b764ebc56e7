/**
 * The Queue page's URL query: `page` (1-based) and `connectorId`, so a filtered page can be
 * shared and reloaded. A bad value reads as absent (the page shows page 1 of every connector).
 */

/** Pending batches per page. */
export const QUEUE_PAGE_SIZE = 50;

/** What the Queue page shows. */
export interface QueueQuery {
	page: number;
	connectorId?: number | undefined;
}

function positive(raw: string | null, max: number): number | undefined {
	if (raw === null || !/^\d{1,10}$/.test(raw.trim())) return undefined;
	const value = Number(raw.trim());
	return value >= 1 && value <= max ? value : undefined;
}

/** Reads `page` and `connectorId`; anything malformed falls back to its default. */
export function readQueueQuery(params: URLSearchParams): QueueQuery {
	const connectorId = positive(params.get('connectorId'), 2_147_483_647);
	return {
		page: positive(params.get('page'), 1_000_000) ?? 1,
		...(connectorId !== undefined ? { connectorId } : {})
	};
}

/** The query string of a Queue page (`?connectorId=2&page=3`), page 1 left out. */
export function queueSearch(query: QueueQuery): string {
	const params = new URLSearchParams();
	if (query.connectorId !== undefined) params.set('connectorId', String(query.connectorId));
	if (query.page > 1) params.set('page', String(query.page));
	const text = params.toString();
	return text === '' ? '' : `?${text}`;
}
