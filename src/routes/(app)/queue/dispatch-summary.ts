/**
 * The sentence shown after "Dispatch now": what was sent, or why nothing was.
 */
import type { DispatchResult } from '$lib/server/services/queue/dispatcher';
import { countOf } from '$lib/components/connectors/format';

const STOP_REASONS: Record<Exclude<DispatchResult['stoppedBy'], 'empty'>, string> = {
	window: 'Throttle window full',
	budget: 'Daily search budget spent',
	paused:
		'Dispatch paused (by you, after a rate limit, or while a connector is unhealthy or offline)',
	error: 'Sending failed; see the connector’s health',
	in_flight: 'Commands still running in the app',
	outside_window: 'Outside the throttle profile’s active hours',
	backpressure: 'Download queue above its limit',
	shutting_down: 'The server is shutting down'
};

/**
 * "Sent 3 commands (24 searches)", or the reasons nothing was sent ("Throttle window full",
 * "Nothing queued"). `results` has one entry per enabled connector, null when its pass failed.
 * `ok` is false when something went wrong (a failed pass or command), not when the throttle or an
 * empty queue held the dispatcher back.
 */
export function describeDispatch(results: readonly ({ dispatch: DispatchResult } | null)[]): {
	ok: boolean;
	message: string;
} {
	if (results.length === 0) return { ok: true, message: 'No enabled connectors' };
	let sent = 0;
	let searches = 0;
	let failed = 0;
	let trouble = false;
	const reasons = new Set<string>();
	for (const result of results) {
		if (result === null) {
			trouble = true;
			reasons.add('A connector’s dispatch failed; see the logs');
			continue;
		}
		if (result.dispatch.stoppedBy === 'error') trouble = true;
		sent += result.dispatch.sent;
		searches += result.dispatch.searches;
		failed += result.dispatch.failed;
		if (result.dispatch.stoppedBy !== 'empty') reasons.add(STOP_REASONS[result.dispatch.stoppedBy]);
	}
	const failures = failed > 0 ? `; ${countOf(failed, 'command')} failed` : '';
	const ok = !trouble && failed === 0;
	if (sent > 0) {
		const counts = `${countOf(sent, 'command')} (${countOf(searches, 'search', 'searches')})`;
		return { ok, message: `Sent ${counts}${failures}` };
	}
	if (reasons.size === 0) return { ok, message: `Nothing queued${failures}` };
	return { ok, message: `${[...reasons].join('; ')}${failures}` };
}
