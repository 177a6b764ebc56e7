import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import {
	DeliveryQuerySchema,
	listDeliveries
} from '$lib/server/services/notifications/channels-service';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/notification-deliveries?channelId=&status=sent|failed&limit=1–200&before=<id>
 * → DeliveryView[], newest first; the next page is `before=<the last id>`. 400
 * `validation.failed` naming the parameter.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const raw: Record<string, string> = {};
	for (const key of ['channelId', 'status', 'limit', 'before']) {
		const value = url.searchParams.get(key);
		if (value !== null && value !== '') raw[key] = value;
	}
	return json(await listDeliveries(db, v.parse(DeliveryQuerySchema, raw)));
});
