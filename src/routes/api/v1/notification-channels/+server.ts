import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { createChannel, listChannels } from '$lib/server/services/notifications/channels-service';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/notification-channels → ChannelView[] by name: `{ id, type, name, enabled, config
 * (without secrets), secrets: { field: set? }, events, minSeverity, connectorIds,
 * batchWindowSeconds, quietHours, maxPerHour, templates, lastDelivery }`.
 */
export const GET: RequestHandler = withApi(async () => {
	const { db, secrets } = await getRuntime();
	return json(await listChannels(db, secrets));
});

/**
 * POST /api/v1/notification-channels `{ type, name, enabled?, config, events?, minSeverity?,
 * connectorIds?, batchWindowSeconds?, quietHours?, maxPerHour?, templates? }` → 201 ChannelView.
 * 400 `validation.failed` (field named, `config.<field>` for the type's settings), 409 name taken.
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db, secrets } = await getRuntime();
	// The service picks the type's schema; here only "a JSON object" is checked.
	const body = await readJson(request, v.looseObject({}));
	return json(await createChannel(db, secrets, body), { status: 201 });
});
