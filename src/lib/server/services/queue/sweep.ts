/**
 * A sweep of one connector: discovery (registry in step with the mirror) then queue building, in
 * one transaction under a per-connector advisory lock, with its `sweep.completed` event. Paused
 * (unhealthy/offline) and disabled connectors are skipped.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db';
import type { Connector, SearchType } from '../../db/schema';
import { appendEvents } from '../../db/queries/events';
import { moduleLogger } from '../../logger';
import { libraryKind } from '../../connectors';
import { countWanted, refreshRegistry, type WantedCounts } from '../discovery/discovery-service';
import { PAUSED_STATES } from '../health/health-state';
import { buildQueue } from './queue-service';
import { profileFor } from './throttle';

const log = moduleLogger('sweep');

export type SweepKind = 'gaps' | 'upgrades' | 'both';

export interface SweepResult {
	connectorId: number;
	skipped: null | 'disabled' | 'paused';
	wanted: WantedCounts;
	registryAdded: number;
	registryRemoved: number;
	queuedBatches: number;
	queuedSearches: number;
}

const SWEEP_LOCK_NS = 0x5377;

export function searchTypesFor(kind: SweepKind): SearchType[] {
	return kind === 'gaps' ? ['gap'] : kind === 'upgrades' ? ['upgrade'] : ['gap', 'upgrade'];
}

/** Runs one sweep. @throws only on database failure. */
export async function runSweep(deps: {
	db: Database;
	connector: Connector;
	kind: SweepKind;
	clock?: () => Date;
}): Promise<SweepResult> {
	const { db, connector, kind } = deps;
	const now = (deps.clock ?? (() => new Date()))();
	const result: SweepResult = {
		connectorId: connector.id,
		skipped: null,
		wanted: { gaps: 0, upgrades: 0 },
		registryAdded: 0,
		registryRemoved: 0,
		queuedBatches: 0,
		queuedSearches: 0
	};
	if (!connector.enabled) return { ...result, skipped: 'disabled' };
	if (PAUSED_STATES.has(connector.health)) return { ...result, skipped: 'paused' };
	const types = searchTypesFor(kind);
	await db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${SWEEP_LOCK_NS}, ${connector.id})`);
		const profile = await profileFor(tx, connector);
		const refresh = await refreshRegistry(tx, connector.id, libraryKind(connector), types, now);
		const built = await buildQueue(tx, connector, profile, types, now);
		result.wanted = await countWanted(tx, connector.id, libraryKind(connector), now);
		result.registryAdded = refresh.added;
		result.registryRemoved = refresh.removed;
		result.queuedBatches = built.batches;
		result.queuedSearches = built.searches;
		await appendEvents(tx, [
			{
				type: 'sweep.completed',
				connectorId: connector.id,
				payload: {
					kind,
					gaps: result.wanted.gaps,
					upgrades: result.wanted.upgrades,
					registryAdded: result.registryAdded,
					registryRemoved: result.registryRemoved,
					queuedBatches: result.queuedBatches,
					queuedSearches: result.queuedSearches
				},
				createdAt: now
			}
		]);
	});
	log.info({ ...result, kind }, 'sweep finished');
	return result;
}
