/**
 * The sentences the connector actions show after a sync, a sweep or a health check. Pure
 * functions of the services' results, so they are unit-tested.
 */
import type { LibraryKind } from '$lib/server/connectors';
import type { HealthState } from '$lib/server/db/schema';
import type { SyncReport } from '$lib/server/services/sync/sync-service';
import type { SweepResult } from '$lib/server/services/queue/sweep';
import { countOf, formatDuration, libraryCounts } from '$lib/components/connectors/format';

/**
 * "Synced 12 series, 380 episodes in 1.2 s" (movie libraries: "Synced 250 movies in 0.8 s"), with
 * skipped and removed items when there are any; for a failed sync, "Sync failed: <reason>".
 */
export function describeSync(
	report: Pick<
		SyncReport,
		| 'status'
		| 'error'
		| 'seriesCount'
		| 'episodeCount'
		| 'movieCount'
		| 'skipped'
		| 'removed'
		| 'durationMs'
	>,
	kind: LibraryKind
): string {
	if (report.status === 'failed') return `Sync failed: ${report.error ?? 'unknown error'}`;
	const counts = libraryCounts(kind, report);
	const extras: string[] = [];
	if (report.skipped > 0) extras.push(`${countOf(report.skipped, 'malformed item')} skipped`);
	if (report.removed > 0) extras.push(`${countOf(report.removed, 'item')} removed`);
	const tail = extras.length > 0 ? ` (${extras.join(', ')})` : '';
	return `Synced ${counts} in ${formatDuration(report.durationMs)}${tail}`;
}

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
