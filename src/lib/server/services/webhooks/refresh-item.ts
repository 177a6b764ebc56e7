/**
 * Refreshes one series or one movie in the mirror from the *arr app — what a webhook asks for —
 * through the sync's own one-item refresh (services/sync/refresh.ts): the same reads
 * (`GET /api/v3/series/{id}` + its episodes and files, `GET /api/v3/movie/{id}`), the same
 * writes, and so the same events (`item.acquired`, `item.upgraded`, `item.removed`, with
 * `source: "webhook"` and the notification's `eventType` in their payloads) and search-state
 * changes, in one transaction. A 404 for the item removes it (cascading to its search state).
 */
import type { ArrClient, LibraryKind } from '../../connectors';
import type { Database } from '../../db';
import type { Connector } from '../../db/schema';
import { refreshMovie, refreshSeries } from '../sync/refresh';

/** What a refresh needs. */
export interface RefreshDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	clock?: () => Date;
}

/** Facts recorded in the payload of the events a refresh appends. */
export interface RefreshContext {
	/** e.g. `webhook`. */
	source: string;
	/** The notification's eventType (`Download`, `MovieDelete`…). */
	eventType?: string;
}

/** What a refresh did. */
export interface RefreshResult {
	kind: LibraryKind;
	arrId: number;
	/**
	 * `updated`: the item is in the mirror as the app has it now; `removed`: the app has it no
	 * more; `absent`: neither had it.
	 */
	outcome: 'updated' | 'removed' | 'absent';
	added: number;
	updated: number;
	removed: number;
	rowsWritten: number;
	events: number;
}

/**
 * Refreshes the series or movie `item` names (`kind` from the connector's library).
 * @throws ArrApiError when the app cannot be read (nothing is written then); database errors.
 */
export async function refreshItem(
	deps: RefreshDeps,
	item: { kind: LibraryKind; arrId: number },
	context: RefreshContext = { source: 'webhook' }
): Promise<RefreshResult> {
	const withContext = {
		...deps,
		source: context.source,
		...(context.eventType ? { eventType: context.eventType } : {})
	};
	const stats =
		item.kind === 'series'
			? await refreshSeries(withContext, item.arrId)
			: await refreshMovie(withContext, item.arrId);
	const outcome = stats.found ? 'updated' : stats.removed > 0 ? 'removed' : 'absent';
	return {
		kind: item.kind,
		arrId: item.arrId,
		outcome,
		added: stats.added,
		updated: stats.updated,
		removed: stats.removed,
		rowsWritten: stats.rowsWritten,
		events: stats.events
	};
}
