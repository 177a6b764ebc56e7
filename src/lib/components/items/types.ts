/**
 * Client-side shapes of the series / movie pages (mirrors services/items/item-detail.ts, which
 * the client must not import). Dates arrive as `Date` from a load, as strings from JSON.
 */

/** An item's search registry row (null when it is not wanted). */
export interface SearchStateData {
	searchType: 'gap' | 'upgrade';
	state: 'pending' | 'queued' | 'searching' | 'cooldown' | 'exhausted';
	attempts: number;
	lastSearchedAt: Date | string | null;
	nextEligibleAt: Date | string;
	failureCategory: string | null;
}

/** One entry of an item's history (services/items/item-history.ts `ItemHistoryEntry`). */
export type ItemHistoryData =
	| {
			kind: 'search';
			id: number;
			at: Date | string;
			command: string;
			searchType: 'gap' | 'upgrade';
			label: string;
			outcome: string;
			message: string | null;
			grabs: number | null;
	  }
	| {
			kind: 'event';
			id: number;
			at: Date | string;
			type: 'item.acquired' | 'item.upgraded' | 'item.removed' | 'search.exhausted';
			/** The activity feed's sentence of the event. */
			text: string;
			episodeIds: number[];
			qualities: string[];
			from: string | null;
			attempts: number | null;
	  };

/** The answer of an item action: a result object, or the API's error message. */
export type ActionAnswer<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

/**
 * Calls a JSON API endpoint of our own and never throws: network failures and error bodies both
 * become `{ ok: false, message }`.
 */
export async function callApi<T>(
	method: 'POST' | 'PUT' | 'DELETE',
	url: string,
	body?: unknown
): Promise<ActionAnswer<T>> {
	try {
		const response = await fetch(url, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			...(body === undefined ? {} : { body: JSON.stringify(body) })
		});
		const json = (await response.json().catch(() => null)) as
			T | { error?: { code?: string; message?: string } } | null;
		if (response.ok) return { ok: true, data: json as T };
		const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
		return {
			ok: false,
			code: error?.code ?? `http.${response.status}`,
			message: error?.message ?? `The request failed (HTTP ${response.status}).`
		};
	} catch {
		return { ok: false, code: 'network', message: 'Comradarr could not be reached.' };
	}
}
