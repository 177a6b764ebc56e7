/**
 * The sentence the health-check action shows (syncs and sweeps are jobs: their sentences live with
 * them, services/connector-jobs.ts). A pure function, so it is unit-tested.
 */
import type { HealthState } from '$lib/server/db/schema';

/** "Health: healthy"; otherwise with the reason: "Health: degraded — <the app's warnings>". */
export function describeHealthCheck(state: HealthState, reason: string | null): string {
	return state !== 'healthy' && reason ? `Health: ${state} — ${reason}` : `Health: ${state}`;
}
