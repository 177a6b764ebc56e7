import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { getConnector } from '$lib/server/services/connectors/connector-service';
import { syncOne } from '$lib/server/services/operations';
import { parseId } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

/** POST /api/v1/connectors/{id}/sync: a full sync now → SyncReport (status success|partial|failed). */
export const POST: RequestHandler = withApi(async ({ params }) => {
	const runtime = await getRuntime();
	const connector = await getConnector(runtime.db, parseId(params.id));
	return json(await syncOne(runtime, connector));
});
