import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { connectors } from '$lib/server/db/schema';
import {
	ConnectorCreateSchema,
	createConnector,
	getConnector
} from '$lib/server/services/connectors/connector-service';
import { toResources } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

/** GET /api/v1/connectors → ConnectorResource[] (never an API key; `apiKeyHint` only). */
export const GET: RequestHandler = withApi(async () => {
	const { db } = await getRuntime();
	const list = await db.select().from(connectors).orderBy(connectors.id);
	return json(await toResources(db, list));
});

/** POST /api/v1/connectors {type, name, url, apiKey, enabled?} → 201 ConnectorResource. */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db, secrets } = await getRuntime();
	const body = await readJson(request, ConnectorCreateSchema);
	const view = await createConnector(db, secrets, body);
	const [resource] = await toResources(db, [await getConnector(db, view.id)]);
	return json(resource, { status: 201 });
});
