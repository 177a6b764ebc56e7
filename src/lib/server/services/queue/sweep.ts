/**
 * A sweep of one connector: discovery (registry in step with the mirror) then queue building, in
 * one transaction under a per-connector advisory lock, with its `sweep.completed` event. Paused
 * (unhealthy/offline) and disabled connectors are skipped.
 */
import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
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

export const SWEEP_LOCK_NS = 0x5377;
/** work_mem of a sweep's transaction (per sort or hash node; PostgreSQL's default is 4 MB). */
const SWEEP_WORK_MEM = '64MB';

/**
 * A sweep run by a schedule (services/schedule/sweep-schedules.ts): its rows are stamped with
 * `id` (`request_queue.sweep_schedule_id`), its batches are planned with its throttle profile
 * when it has one (batch size, budget; the dispatcher uses the same profile when it sends them),
 * and at most `batchLimit` commands are queued.
 */
export interface SweepSchedule {
	id: number;
	throttleProfileId: number | null;
	batchLimit: number | null;
}

export function searchTypesFor(kind: SweepKind): SearchType[] {
	return kind === 'gaps' ? ['gap'] : kind === 'upgrades' ? ['upgrade'] : ['gap', 'upgrade'];
}

/**
 * The body of a sweep inside the caller's transaction: lock, discovery, queue build, counts and the
 * `sweep.completed` event. `runSweep` commits it; the preview (preview.ts) rolls it back, so both
 * run exactly the same code. The caller checks enabled/paused first.
 */
export async function sweepInTransaction(
	tx: DbOrTx,
	connector: Connector,
	kind: SweepKind,
	now: Date,
	schedule?: SweepSchedule
): Promise<SweepResult> {
	const types = searchTypesFor(kind);
	await tx.execute(sql`select pg_advisory_xact_lock(${SWEEP_LOCK_NS}, ${connector.id})`);
	// The candidate sort (every eligible item, ~150 bytes each) and the registry triggers' sorts
	// spilled to disk under the default 4 MB; this transaction alone may use more.
	await tx.execute(sql`select set_config('work_mem', ${SWEEP_WORK_MEM}, true)`);
	const profile = await profileFor(tx, {
		throttleProfileId: schedule?.throttleProfileId ?? connector.throttleProfileId
	});
	const refresh = await refreshRegistry(tx, connector.id, libraryKind(connector), types, now, {
		customFormatUpgrades: connector.customFormatUpgrades
	});
	const built = await buildQueue(tx, connector, profile, types, now, {
		sweepScheduleId: schedule?.id ?? null,
		batchLimit: schedule?.batchLimit ?? null
	});
	const result: SweepResult = {
		connectorId: connector.id,
		skipped: null,
		wanted: await countWanted(tx, connector.id, libraryKind(connector), now),
		registryAdded: refresh.added,
		registryRemoved: refresh.removed,
		queuedBatches: built.batches,
		queuedSearches: built.searches
	};
	await appendEvents(tx, [
		{
			type: 'sweep.completed',
			connectorId: connector.id,
			payload: {
				kind,
				...(schedule ? { scheduleId: schedule.id } : {}),
				gaps: result.wanted.gaps,
				upgrades: result.wanted.upgrades,
				registryAdded: result.registryAdded,
				gapsAdded: refresh.addedByType.gap,
				upgradesAdded: refresh.addedByType.upgrade,
				registryRemoved: result.registryRemoved,
				queuedBatches: result.queuedBatches,
				queuedSearches: result.queuedSearches
			},
			createdAt: now
		}
	]);
	return result;
}

/** Why a connector is not swept now, or null. */
export function sweepSkipReason(connector: Connector): SweepResult['skipped'] {
	if (!connector.enabled) return 'disabled';
	if (PAUSED_STATES.has(connector.health)) return 'paused';
	return null;
}

/**
 * Runs one sweep; `schedule` when a sweep schedule runs it (see `SweepSchedule`).
 * @throws only on database failure.
 */
export async function runSweep(deps: {
	db: Database;
	connector: Connector;
	kind: SweepKind;
	clock?: () => Date;
	schedule?: SweepSchedule;
}): Promise<SweepResult> {
	const { db, connector, kind } = deps;
	const now = (deps.clock ?? (() => new Date()))();
	const skipped = sweepSkipReason(connector);
	if (skipped) {
		return {
			connectorId: connector.id,
			skipped,
			wanted: { gaps: 0, upgrades: 0 },
			registryAdded: 0,
			registryRemoved: 0,
			queuedBatches: 0,
			queuedSearches: 0
		};
	}
	const result = await db.transaction((tx) =>
		sweepInTransaction(tx, connector, kind, now, deps.schedule)
	);
	log.info({ ...result, kind, scheduleId: deps.schedule?.id ?? null }, 'sweep finished');
	return result;
}
