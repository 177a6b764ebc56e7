import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import {
	deleteChannel,
	getChannel,
	updateChannel
} from '$lib/server/services/notifications/channels-service';
import { channelId } from './channel-id';
import type { RequestHandler } from './$types';

/** GET /api/v1/notification-channels/{id} → ChannelView (never a secret). */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db, secrets } = await getRuntime();
	return json(await getChannel(db, secrets, channelId(params.id)));
});

/**
 * PATCH /api/v1/notification-channels/{id} with any field of the POST body → ChannelView.
 * `config` is merged over the stored one: a secret omitted or "" keeps the stored value, `null`
 * removes an optional field. Changing the ntfy / Gotify server URL or the SMTP host while keeping
 * a stored secret is 400 on that secret (enter it again). `type` cannot change.
 */
export const PATCH: RequestHandler = withApi(async ({ params, request }) => {
	const { db, secrets } = await getRuntime();
	const id = channelId(params.id);
	const body = await readJson(request, v.looseObject({}));
	return json(await updateChannel(db, secrets, id, body));
});

/** DELETE /api/v1/notification-channels/{id} → 204 (its outbox and delivery log go with it). */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	await deleteChannel(db, channelId(params.id));
	return new Response(null, { status: 204 });
});
