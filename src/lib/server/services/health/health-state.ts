/**
 * Connector health: the state machine and its history.
 *
 *   healthy   — the last contact worked and the app reports no warnings
 *   degraded  — the app reports warnings/errors of its own (`GET /api/v3/health`), it rate limits
 *               us, or a first failure that may pass
 *   unhealthy — repeated failures (3 in a row, or a failure that survived the HTTP retries), a
 *               refused API key (401), or a URL that now answers as another app
 *   offline   — the app cannot be reached or does not answer in time
 *
 * Sweeps and dispatch skip unhealthy and offline connectors; the health check (every 5 min) keeps
 * probing them and they resume by themselves once a check passes. Every change of state is written
 * to `health_events` with its reason.
 */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, healthEvents, type AppHealthItem, type HealthState } from '../../db/schema';
import { appendEvents } from '../../db/queries/events';
import { isArrApiError } from '../../connectors';
import { safeErrorMessage } from '../../logger';

/** Connectors in these states are paused: no sweep, no dispatch. */
export const PAUSED_STATES: ReadonlySet<HealthState> = new Set(['unhealthy', 'offline']);

/** Failures in a row that turn a degraded connector unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 3;

/** A reason a user can read, from any error (never contains a secret). */
export function reasonForError(error: unknown): string {
	if (isArrApiError(error)) return error.describe();
	// A failed query's message repeats its parameters; this text is stored and shown.
	return safeErrorMessage(error);
}

/**
 * The state a failure puts a connector in.
 * @param failuresBefore consecutive failures before this one
 * @param afterRetries the call already went through the HTTP layer's retries (sync, dispatch)
 */
export function stateForFailure(
	error: unknown,
	failuresBefore: number,
	afterRetries: boolean
): HealthState {
	if (isArrApiError(error)) {
		switch (error.kind) {
			case 'unreachable':
			case 'timeout':
				return 'offline';
			case 'unauthorized':
			case 'wrong_app':
			case 'refused_address':
				return 'unhealthy';
			case 'rate_limited':
				return 'degraded';
			default:
				break;
		}
	}
	return afterRetries || failuresBefore + 1 >= UNHEALTHY_AFTER_FAILURES ? 'unhealthy' : 'degraded';
}

/** Healthy, or degraded with the app's own warnings as the reason. */
export function stateForAppHealth(items: readonly AppHealthItem[]): {
	state: HealthState;
	reason: string | null;
} {
	const warnings = items.filter((h) => h.type === 'warning' || h.type === 'error');
	return warnings.length === 0
		? { state: 'healthy', reason: null }
		: { state: 'degraded', reason: warnings.map((w) => w.message).join(' · ') };
}

/**
 * Writes the connector's new state in one transaction (a savepoint inside the caller's): the row,
 * and on a change of state its `health_events` row and a `connector.health_changed` event.
 */
async function writeState(
	db: DbOrTx,
	connectorId: number,
	change: {
		state: HealthState;
		reason: string | null;
		failed: boolean;
		appHealth?: AppHealthItem[];
	},
	now: Date
): Promise<HealthState | null> {
	return db.transaction(async (tx) => {
		const [previous] = await tx
			.select({ health: connectors.health })
			.from(connectors)
			.where(eq(connectors.id, connectorId))
			.for('update');
		if (!previous) return null;
		await tx
			.update(connectors)
			.set({
				health: change.state,
				healthReason: change.reason,
				healthCheckedAt: now,
				consecutiveFailures: change.failed ? sql`${connectors.consecutiveFailures} + 1` : 0,
				...(change.appHealth ? { appHealth: change.appHealth } : {})
			})
			.where(eq(connectors.id, connectorId));
		if (previous.health !== change.state) {
			await tx.insert(healthEvents).values({
				connectorId,
				fromState: previous.health,
				toState: change.state,
				reason: change.reason,
				at: now
			});
			await appendEvents(tx, [
				{
					type: 'connector.health_changed',
					connectorId,
					payload: { from: previous.health, to: change.state, reason: change.reason },
					createdAt: now
				}
			]);
		}
		return change.state;
	});
}

/**
 * Records a failed contact. `context` prefixes the reason (e.g. "Sync failed").
 * @returns the new state (null when the connector no longer exists)
 */
export async function recordFailure(
	db: DbOrTx,
	connectorId: number,
	error: unknown,
	options: { afterRetries: boolean; context?: string; now?: Date }
): Promise<HealthState | null> {
	const [row] = await db
		.select({ failures: connectors.consecutiveFailures })
		.from(connectors)
		.where(eq(connectors.id, connectorId));
	if (!row) return null;
	const state = stateForFailure(error, row.failures, options.afterRetries);
	const reason = options.context
		? `${options.context}: ${reasonForError(error)}`
		: reasonForError(error);
	return writeState(db, connectorId, { state, reason, failed: true }, options.now ?? new Date());
}

/**
 * Records a successful contact. With `appHealth` (from a health check) the app's warnings are
 * stored and decide between healthy and degraded; without it the last stored warnings do.
 */
export async function recordSuccess(
	db: DbOrTx,
	connectorId: number,
	options: { appHealth?: AppHealthItem[]; now?: Date } = {}
): Promise<HealthState | null> {
	let items = options.appHealth;
	if (!items) {
		const [row] = await db
			.select({ appHealth: connectors.appHealth })
			.from(connectors)
			.where(eq(connectors.id, connectorId));
		if (!row) return null;
		items = row.appHealth;
	}
	const { state, reason } = stateForAppHealth(items);
	return writeState(
		db,
		connectorId,
		{
			state,
			reason,
			failed: false,
			...(options.appHealth ? { appHealth: options.appHealth } : {})
		},
		options.now ?? new Date()
	);
}
