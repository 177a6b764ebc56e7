/**
 * The sentences the connector actions show after a sync, a sweep or a health check. Pure
 * functions of the services' results, so they are unit-tested.
 */
import type { LibraryKind } from '$lib/server/connectors';
import type { HealthState } from '$lib/server/db/schema';
import type { SweepResult } from '$lib/server/services/queue/sweep';
import { countOf, formatDuration, libraryCounts } from '$lib/components/connectors/format';

/**
 * "Queued 7 commands (42 searches); 120 gaps, 30 upgrade candidates", or why the sweep was skipped.
 */
export function describeSweep(
	result: Pick<SweepResult, 'skipped' | 'wanted' | 'queuedBatches' | 'queuedSearches'>
): string {
	switch (result.skipped) {
		case 'disabled':
			return 'Sweep skipped: the connector is disabled. Enable it first.';
		case 'paused':
			return (
				'Sweep skipped: the connector is paused while it is unhealthy or offline. ' +
				'A successful sync brings it back.'
			);
		case null: {
			const commands = countOf(result.queuedBatches, 'command');
			const searches = countOf(result.queuedSearches, 'search', 'searches');
			const gaps = countOf(result.wanted.gaps, 'gap');
			const upgrades = countOf(result.wanted.upgrades, 'upgrade candidate');
			return `Queued ${commands} (${searches}); ${gaps}, ${upgrades}`;
		}
	}
}

/** "Health: healthy"; otherwise with the reason: "Health: degraded — <the app's warnings>". */
export function describeHealthCheck(state: HealthState, reason: string | null): string {
	return state !== 'healthy' && reason ? `Health: ${state} — ${reason}` : `Health: ${state}`;
}
