import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { testChannel } from '$lib/server/services/notifications/channels-service';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { channelId } from '../channel-id';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/notification-channels/{id}/test → `{ ok, responseCode, error, deliveryId }`: sends
 * a test message now (whatever the channel's switch, filters and quiet hours) and logs it in the
 * delivery log. A failing send is 200 with `ok: false` and the reason; 404 for an unknown id.
 */
export const POST: RequestHandler = withApi(async ({ params }) => {
	const { db, secrets } = await getRuntime();
	const id = channelId(params.id);
	const { publicUrl } = (await getSettings(db)).notifications;
	return json(await testChannel(db, secrets, id, { publicUrl, now: new Date() }));
});
