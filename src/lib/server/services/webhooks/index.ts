/**
 * Webhooks in: the *arr apps tell Comradarr what changed, and the item is refreshed at once instead
 * of at the next sync. `receiveWebhook` answers the request (receive.ts); the refreshes it
 * schedules run in this process's queue, created once.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../db';
import { connectors } from '../../db/schema';
import { clientFor, libraryKind } from '../../connectors';
import type { SecretBox } from '../../crypto/secrets';
import { moduleLogger } from '../../logger';
import { refreshItem } from './refresh-item';
import { createRefreshQueue, type RefreshQueue, type RefreshTask } from './refresh-queue';

export { receiveWebhook, WEBHOOK_BODY_LIMIT } from './receive';
export { rotateWebhookSecret, webhookUrl } from './secret';
export { createRefreshQueue, type RefreshQueue, type RefreshTask } from './refresh-queue';

const log = moduleLogger('webhooks');

export interface WebhookRuntime {
	db: Database;
	secrets: SecretBox;
}

/**
 * Runs one refresh: re-reads the connector (it may have been deleted, disabled or changed type
 * since the notification) and refreshes the item through its client.
 */
export async function runRefreshTask(runtime: WebhookRuntime, task: RefreshTask): Promise<void> {
	const [connector] = await runtime.db
		.select()
		.from(connectors)
		.where(eq(connectors.id, task.connectorId));
	if (!connector?.enabled || libraryKind(connector) !== task.kind) return;
	const result = await refreshItem(
		{ db: runtime.db, connector, client: clientFor(connector, runtime.secrets) },
		{ kind: task.kind, arrId: task.arrId },
		{ source: 'webhook', eventType: task.eventType }
	);
	log.info({ ...task, ...result }, 'webhook refresh done');
}

let queue: { runtime: WebhookRuntime; queue: RefreshQueue } | undefined;

/** The process's refresh queue (created on first use for this runtime). */
export function webhookRefreshQueue(runtime: WebhookRuntime): RefreshQueue {
	if (queue?.runtime !== runtime) {
		queue = {
			runtime,
			queue: createRefreshQueue({ run: (task) => runRefreshTask(runtime, task) })
		};
	}
	return queue.queue;
}
