/**
 * How serious an event is, for a channel's `minSeverity` filter and the quiet-hours rule (errors
 * pass through). The mapping, by event type:
 *
 * | event                         | severity |
 * |-------------------------------|----------|
 * | `sync.failed`                 | error    |
 * | `errors.threshold_exceeded`   | error    |
 * | `search.exhausted`            | warning  |
 * | `connector.health_changed` to `degraded`, `unhealthy` or `offline` | warning |
 * | `connector.health_changed` to `healthy` (or `unknown`)             | info    |
 * | every other type              | info     |
 */
import { SEVERITIES, type Severity } from '$lib/types/notifications';
import type { EventType } from '$lib/types/events';

/** Health states that make a `connector.health_changed` a warning (schema/connectors.ts). */
const UNHEALTHY_STATES = new Set(['degraded', 'unhealthy', 'offline']);

/** The severity of one event (see the table above). */
export function severityOf(event: {
	type: EventType | string;
	payload?: Record<string, unknown> | null;
}): Severity {
	switch (event.type) {
		case 'sync.failed':
		case 'errors.threshold_exceeded':
			return 'error';
		case 'search.exhausted':
			return 'warning';
		case 'connector.health_changed':
			return UNHEALTHY_STATES.has(String(event.payload?.to ?? '')) ? 'warning' : 'info';
		default:
			return 'info';
	}
}

/** Whether `severity` is `min` or more serious (info < warning < error). */
export function atLeast(severity: Severity, min: Severity): boolean {
	return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);
}

/** The more serious of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
	return atLeast(a, b) ? a : b;
}
