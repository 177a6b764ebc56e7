import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { receiveWebhook, webhookRefreshQueue } from '$lib/server/services/webhooks';
import type { RequestHandler } from './$types';

/**
 * POST /webhooks/{connectorId}: a notification from the app's Settings → Connect → Webhook,
 * authenticated by the connector's webhook secret only (the guard lets this path through without a
 * session). Answers and refusals: services/webhooks/receive.ts.
 */
export const POST: RequestHandler = withApi(async ({ params, request, url, locals }) => {
	const runtime = await getRuntime();
	return receiveWebhook(
		{ db: runtime.db, queue: webhookRefreshQueue(runtime), requestId: locals.requestId },
		params.connectorId,
		request,
		url
	);
});

/** PUT: the webhook's other method choice (WebhookMethod.cs); the same as POST. */
export const PUT: RequestHandler = POST;
