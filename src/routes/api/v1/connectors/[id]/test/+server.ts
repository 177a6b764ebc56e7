import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import {
	getConnector,
	testStoredConnector
} from '$lib/server/services/connectors/connector-service';
import { parseId } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

/** POST /api/v1/connectors/{id}/test → {ok: true, appName, version} or 400 with field errors. */
export const POST: RequestHandler = withApi(async ({ params }) => {
	const { db, secrets } = await getRuntime();
	const connector = await getConnector(db, parseId(params.id));
	const status = await testStoredConnector(connector, secrets);
	return json({ ok: true, appName: status.appName, version: status.version });
});
