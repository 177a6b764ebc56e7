/**
 * The operations the scheduler, the API and the pages trigger, for one connector or all of them:
 * sync, sweep, and the dispatcher cycle (recover → dispatch → track). Each connector's work is
 * independent: a failing one is reported and never stops the others.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { connectors, type Connector } from '../db/schema';
import { clientFor } from '../connectors';
import type { SecretBox } from '../crypto/secrets';
import { moduleLogger } from '../logger';
import { syncConnector, type SyncDeps, type SyncReport } from './sync/sync-service';
import { runSweep, type SweepKind, type SweepResult } from './queue/sweep';
import { dispatchConnector, type DispatchResult } from './queue/dispatcher';
import { trackCommands, type TrackResult } from './queue/command-tracker';
import { recoverInFlight, type RecoveryResult } from './queue/recovery';
import { profileFor } from './queue/throttle';
import { checkConnectorHealth, type HealthCheckResult } from './health/health-check';

const log = moduleLogger('operations');

export interface OperationDeps {
	db: Database;
	secrets: SecretBox;
	clock?: () => Date;
}

async function enabledConnectors(db: Database): Promise<Connector[]> {
	return db.select().from(connectors).where(eq(connectors.enabled, true)).orderBy(connectors.id);
}

/** Settles one task per connector, logging failures (database errors) without stopping the rest. */
async function eachConnector<T>(
	list: Connector[],
	task: (c: Connector) => Promise<T>
): Promise<(T | null)[]> {
	const settled = await Promise.allSettled(list.map(task));
	return settled.map((r, i) => {
		if (r.status === 'fulfilled') return r.value;
		log.error(
			{
				connectorId: list[i]?.id,
				err: r.reason instanceof Error ? r.reason.message : String(r.reason)
			},
			'connector task failed'
		);
		return null;
	});
}

/**
 * Syncs one connector now, in the caller (a job's body, a test). Pages and the API start a job
 * instead (connector-jobs.ts), so that a long sync never runs inside a request.
 */
export async function syncOne(
	deps: OperationDeps,
	connector: Connector,
	options: Pick<SyncDeps, 'mode' | 'onProgress' | 'runId'> = {}
): Promise<SyncReport> {
	return syncConnector({
		db: deps.db,
		connector,
		client: clientFor(connector, deps.secrets),
		...(deps.clock ? { clock: deps.clock } : {}),
		...options
	});
}

export async function syncAll(deps: OperationDeps): Promise<(SyncReport | null)[]> {
	return eachConnector(await enabledConnectors(deps.db), (c) => syncOne(deps, c));
}

export async function sweepOne(
	deps: OperationDeps,
	connector: Connector,
	kind: SweepKind
): Promise<SweepResult> {
	return runSweep({ db: deps.db, connector, kind, ...(deps.clock ? { clock: deps.clock } : {}) });
}

export async function sweepAll(
	deps: OperationDeps,
	kind: SweepKind = 'both'
): Promise<(SweepResult | null)[]> {
	return eachConnector(await enabledConnectors(deps.db), (c) => sweepOne(deps, c, kind));
}

export interface CycleResult {
	connectorId: number;
	recovery: RecoveryResult;
	dispatch: DispatchResult;
	tracking: TrackResult;
}

/** One dispatcher cycle for one connector: recover orphans, send what the throttle allows, poll. */
export async function cycleOne(deps: OperationDeps, connector: Connector): Promise<CycleResult> {
	const client = clientFor(connector, deps.secrets);
	const profile = await profileFor(deps.db, connector);
	const common = {
		db: deps.db,
		connector,
		client,
		profile,
		...(deps.clock ? { clock: deps.clock } : {})
	};
	const recovery = await recoverInFlight(common);
	const dispatch = await dispatchConnector(common);
	const tracking = await trackCommands(common);
	return { connectorId: connector.id, recovery, dispatch, tracking };
}

/** One dispatcher cycle over every enabled connector. */
export async function cycleAll(deps: OperationDeps): Promise<(CycleResult | null)[]> {
	return eachConnector(await enabledConnectors(deps.db), (c) => cycleOne(deps, c));
}

/** Only the tracking part (frequent polling of sent commands). */
export async function trackAll(deps: OperationDeps): Promise<(TrackResult | null)[]> {
	return eachConnector(await enabledConnectors(deps.db), async (c) =>
		trackCommands({
			db: deps.db,
			connector: c,
			client: clientFor(c, deps.secrets),
			profile: await profileFor(deps.db, c),
			...(deps.clock ? { clock: deps.clock } : {})
		})
	);
}

/** A health check of one connector now (the "Check health" button; the job runs every 5 min). */
export async function checkOne(
	deps: OperationDeps,
	connector: Connector
): Promise<HealthCheckResult> {
	return checkConnectorHealth({ ...deps, connector });
}

/** Health checks of every enabled connector, paused ones included (that is how they resume). */
export async function checkAll(deps: OperationDeps): Promise<(HealthCheckResult | null)[]> {
	return eachConnector(await enabledConnectors(deps.db), (c) => checkOne(deps, c));
}
