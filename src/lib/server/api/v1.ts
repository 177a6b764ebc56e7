/**
 * Shared pieces of the JSON API v1 route handlers: id parsing and the connector representation (`ConnectorView` + `lastSyncAt` + `stats`).
 */
import { ApiError } from '../http/api';
import { toView, type ConnectorView } from '../services/connectors/connector-service';
import type { Connector } from '../db/schema';
import { connectorStats, statsFor, type ConnectorStats } from '../db/queries/stats';
import type { DbOrTx } from '../db';
import { getSettings } from '../services/settings/settings-service';

/** `params.id` as a positive integer. @throws ApiError 404 otherwise. */
export function parseId(raw: string | undefined, what = 'Connector'): number {
	const id = Number(raw);
	if (!raw || !Number.isSafeInteger(id) || id <= 0) {
		throw new ApiError(404, 'connectors.not_found', `${what} ${raw ?? ''} does not exist`);
	}
	return id;
}

export interface ConnectorResource extends ConnectorView {
	lastSyncAt: Date | null;
	lastSyncStatus: string | null;
	stats: Pick<ConnectorStats, 'gaps' | 'upgrades' | 'queued' | 'searchesToday'>;
}

export function toResource(connector: Connector, stats: ConnectorStats): ConnectorResource {
	return {
		...toView(connector),
		lastSyncAt: stats.lastSyncAt,
		lastSyncStatus: stats.lastSyncStatus,
		stats: {
			gaps: stats.gaps,
			upgrades: stats.upgrades,
			queued: stats.queued,
			searchesToday: stats.searchesToday
		}
	};
}

/** Resources for a list of connectors, with their numbers. */
export async function toResources(
	db: DbOrTx,
	list: Connector[],
	now = new Date()
): Promise<ConnectorResource[]> {
	const { timeZone } = (await getSettings(db)).general;
	const stats = await connectorStats(db, now, timeZone);
	return list.map((c) => toResource(c, statsFor(stats, c.id)));
}
