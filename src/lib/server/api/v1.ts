/**
 * Shared pieces of the JSON API v1 route handlers: id parsing, domain error mapping and the
 * connector representation (`ConnectorView` + `lastSyncAt` + `stats`).
 */
import { ApiError } from '../http/api';
import {
	ConnectorFieldError,
	ConnectorNotFoundError,
	STORED_KEY_UNREADABLE,
	toView,
	type ConnectorView
} from '../services/connectors/connector-service';
import { SecretError } from '../crypto/secrets';
import type { Connector } from '../db/schema';
import { connectorStats, statsFor, type ConnectorStats } from '../db/queries/stats';
import type { DbOrTx } from '../db';

/** `params.id` as a positive integer. @throws ApiError 404 otherwise. */
export function parseId(raw: string | undefined, what = 'Connector'): number {
	const id = Number(raw);
	if (!raw || !Number.isSafeInteger(id) || id <= 0) {
		throw new ApiError(404, 'connectors.not_found', `${what} ${raw ?? ''} does not exist`);
	}
	return id;
}

/** Rethrows domain errors as API errors with stable codes; others unchanged. */
export function toApiError(error: unknown): unknown {
	if (error instanceof ConnectorFieldError) {
		return new ApiError(error.status, error.code, error.message, error.fields);
	}
	if (error instanceof ConnectorNotFoundError) return new ApiError(404, error.code, error.message);
	if (error instanceof SecretError) {
		return new ApiError(409, error.code, STORED_KEY_UNREADABLE);
	}
	return error;
}

/** Runs `task`, mapping domain errors to API errors. */
export async function domain<T>(task: () => Promise<T>): Promise<T> {
	try {
		return await task();
	} catch (error) {
		throw toApiError(error);
	}
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
	const stats = await connectorStats(db, now);
	return list.map((c) => toResource(c, statsFor(stats, c.id)));
}
