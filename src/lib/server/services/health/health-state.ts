/**
 * Connector health state: writes the state and, when it changes, a health event (history).
 *
 * States: healthy → degraded (the app's own warnings, recent errors) → unhealthy (repeated failures
 * or 401) → offline (unreachable). Sweeps and dispatch skip unhealthy and offline connectors.
 */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { connectors, healthEvents, type HealthState } from '../../db/schema';
import { isArrApiError } from '../../connectors';

/** Connectors in these states are paused: no sweep, no dispatch. */
export const PAUSED_STATES: ReadonlySet<HealthState> = new Set(['unhealthy', 'offline']);

/** The health state an error puts a connector in: unreachable/timeout → offline, else unhealthy. */
export function stateForError(error: unknown): HealthState {
	if (isArrApiError(error) && (error.kind === 'unreachable' || error.kind === 'timeout')) return 'offline';
	return 'unhealthy';
}

/** A reason a user can read, from any error (never contains a secret). */
export function reasonForError(error: unknown): string {
	if (isArrApiError(error)) return error.describe();
	return error instanceof Error ? error.message : String(error);
}

/**
 * Sets a connector's health; records a health event when the state changes.
 * `success` resets the consecutive-failure count; a failure increments it.
 */
export async function recordHealth(
	db: DbOrTx,
	connectorId: number,
	state: HealthState,
	reason: string | null,
	now: Date = new Date()
): Promise<void> {
	const [previous] = await db
		.select({ health: connectors.health })
		.from(connectors)
		.where(eq(connectors.id, connectorId))
		.for('update');
	if (!previous) return;
	const failing = state === 'unhealthy' || state === 'offline';
	await db
		.update(connectors)
		.set({
			health: state,
			healthReason: reason,
			healthCheckedAt: now,
			consecutiveFailures: failing ? sql`${connectors.consecutiveFailures} + 1` : 0
		})
		.where(eq(connectors.id, connectorId));
	if (previous.health !== state) {
		await db.insert(healthEvents).values({ connectorId, fromState: previous.health, toState: state, reason, at: now });
	}
}
