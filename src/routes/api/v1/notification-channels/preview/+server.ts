import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { previewMessage } from '$lib/server/services/notifications/render';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { EVENT_TYPES } from '$lib/types/events';
import { templatesSchema } from '$lib/schemas/notification-channels';
import type { RequestHandler } from './$types';

const PreviewSchema = v.object({
	templates: v.optional(templatesSchema, {}),
	eventType: v.optional(
		v.picklist([...EVENT_TYPES, 'digest'], 'eventType is an event type or digest'),
		'item.acquired'
	)
});

/**
 * POST /api/v1/notification-channels/preview `{ templates?: { title?, body? }, eventType? }`
 * → NotificationMessage: what a channel with these templates would send for a typical event of
 * that type (sample titles; `{url}` from Settings → Notifications). Sends nothing, stores nothing:
 * the live preview of the channel form. 400 `validation.failed` (a template over 2,000 characters).
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	const input = await readJson(request, PreviewSchema);
	const { publicUrl } = (await getSettings(db)).notifications;
	return json(previewMessage(input.templates, input.eventType, { publicUrl }));
});
