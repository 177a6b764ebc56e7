import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import {
	ConnectorUpdateSchema,
	deleteConnector,
	getConnector,
	updateConnector
} from '$lib/server/services/connectors/connector-service';
import { parseId, toResources } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

/** GET /api/v1/connectors/{id} → ConnectorResource with `lastSyncAt` and `stats`. */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	const connector = await getConnector(db, parseId(params.id));
	const [resource] = await toResources(db, [connector]);
	return json(resource);
});

/**
 * PATCH /api/v1/connectors/{id} with any of {type, name, url, apiKey (empty = unchanged), enabled}
 * and the settings (`ConnectorUpdateSchema`: timeoutMs, season-pack figures, searchCooldownHours,
 * throttleProfileId (null = the default profile; unknown → 400 on `fields.throttleProfileId`),
 * seasonPackMinEpisodes, downloadQueueLimit (null = off), includeTagIds, excludeTagIds,
 * customFormatUpgrades).
 */
export const PATCH: RequestHandler = withApi(async ({ params, request }) => {
	const { db, secrets } = await getRuntime();
	const id = parseId(params.id);
	const body = await readJson(request, ConnectorUpdateSchema);
	await updateConnector(db, secrets, id, body);
	const [resource] = await toResources(db, [await getConnector(db, id)]);
	return json(resource);
});

/** DELETE /api/v1/connectors/{id}: removes it with its mirror and search state. → 204 */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	await deleteConnector(db, parseId(params.id));
	return new Response(null, { status: 204 });
});
