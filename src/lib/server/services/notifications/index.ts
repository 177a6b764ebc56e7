/**
 * The notification engine: domain events → router (router.ts) → outbox → delivery
 * (delivery.ts) → channels (channels/). What other modules call:
 * - the scheduled job `notifications.route` (services/schedule/registry.ts): `routeJob` routes
 *   new events, then delivers everything due — fresh messages, retries, batch windows and quiet
 *   hours that ended — in the same pass;
 * - `recordAppStarted` at process start-up (hooks.server.ts);
 * - the API's test send: `attemptDelivery(db, box, channel, testMessage(name), {outboxId: null,
 *   attempt: 1, eventType: 'test'})`; the form's live preview: `previewMessage`.
 */
import type { Database } from '$lib/server/db';
import type { SecretBox } from '$lib/server/crypto/secrets';
import { appendEvents } from '$lib/server/db/queries/events';
import type { JobOutcome } from '$lib/server/services/jobs';
import { moduleLogger } from '$lib/server/logger';
import { deliverDue, type DeliverResult, type SendFn } from './delivery';
import { ensureCursor, routeEvents, ROUTE_BATCH_SIZE } from './router';

export {
	attemptDelivery,
	backoffMs,
	deliverDue,
	DELIVERY_RULES,
	type AttemptOptions,
	type DeliverResult,
	type DeliveryDeps,
	type SendFn
} from './delivery';
export {
	fillTemplate,
	previewMessage,
	renderMessage,
	testMessage,
	TEMPLATE_PLACEHOLDERS,
	type RenderEvent,
	type RenderLookup,
	type TemplatePlaceholder
} from './render';
export {
	ensureCursor,
	ERROR_THRESHOLDS,
	ROUTER_READER,
	routeEvents,
	wants,
	type RouteResult
} from './router';
export { quietState, type QuietState } from './quiet-hours';
export { atLeast, severityOf } from './severity';

const log = moduleLogger('notifications');

/** What the engine's jobs need. */
export interface EngineDeps {
	db: Database;
	secrets: SecretBox;
	clock?: () => Date;
	send?: SendFn;
}

/** Routing passes per run at most (each up to ROUTE_BATCH_SIZE events), so a backlog drains. */
export const MAX_ROUTE_PASSES = 10;

/**
 * The `notifications.route` job: routes new events (passes until the backlog is read or
 * MAX_ROUTE_PASSES), then delivers what is due, so a message without a batching window goes out
 * within one tick.
 */
export async function routeJob(deps: EngineDeps): Promise<JobOutcome> {
	const clock = deps.clock ?? (() => new Date());
	let read = 0;
	let routed = 0;
	let alerts = 0;
	let disabled = false;
	for (let pass = 0; pass < MAX_ROUTE_PASSES; pass++) {
		const r = await routeEvents({ db: deps.db, clock });
		read += r.read;
		routed += r.routed;
		alerts += r.alerts;
		disabled ||= r.disabled;
		if (r.read < ROUTE_BATCH_SIZE) break;
	}
	const delivered = await deliverDue({ ...deps, clock });
	const idle = read === 0 && delivered.claimed === 0 && delivered.postponed === 0;
	return {
		...(idle ? { status: 'skipped' as const } : {}),
		message: disabled
			? `Notifications are off: passed ${read} events.`
			: `Routed ${read} events (${routed} to channels); ${deliverySummary(delivered)}`,
		result: { read, routed, alerts, ...delivered, ...(idle ? { idle: true } : {}) }
	};
}

function deliverySummary(d: DeliverResult): string {
	return `sent ${d.sent}, retrying ${d.retrying}, failed ${d.failed}, held ${d.postponed}.`;
}

/**
 * Start-up: creates the router's cursor if missing (at the newest event, so an upgrade does not
 * replay history) and appends `app.started` `{version}`, in one transaction. Called once per
 * process start (the runtime's start-up hooks run once).
 */
export async function recordAppStarted(
	db: Database,
	info: { version: string; now?: Date }
): Promise<void> {
	await db.transaction(async (tx) => {
		await ensureCursor(tx);
		await appendEvents(tx, [
			{
				type: 'app.started',
				connectorId: null,
				payload: { version: info.version },
				...(info.now ? { createdAt: info.now } : {})
			}
		]);
	});
}

/**
 * The start-up hook (hooks.server.ts, before the scheduler): `recordAppStarted` with the app's
 * version. A database failure here is logged, never fatal: notifications must not stop the app.
 */
export async function startNotifications(runtime: {
	db: Database;
	config: { version: string };
}): Promise<void> {
	try {
		await recordAppStarted(runtime.db, { version: runtime.config.version });
	} catch (error) {
		log.error({ err: error }, 'recording app.started failed');
	}
}
