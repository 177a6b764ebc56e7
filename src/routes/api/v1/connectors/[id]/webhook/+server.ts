import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { basePathFromEnv } from '$lib/server/http/base-path';
import { parseId } from '$lib/server/api/v1';
import { rotateWebhookSecret, webhookUrl } from '$lib/server/services/webhooks';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/connectors/{id}/webhook: generates the connector's webhook secret (or a new one;
 * the old one stops working at once) → 201 `{url, secret}`. This answer is the only place the
 * secret appears: Comradarr keeps its SHA-256 only.
 */
export const POST: RequestHandler = withApi(async ({ params, url }) => {
	const { db } = await getRuntime();
	const id = parseId(params.id);
	const { secret } = await rotateWebhookSecret(db, id, () => new Date());
	return json({ url: webhookUrl(url.origin, basePathFromEnv(), id), secret }, { status: 201 });
});
