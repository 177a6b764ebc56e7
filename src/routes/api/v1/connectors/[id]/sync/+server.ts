import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { getConnector } from '$lib/server/services/connectors/connector-service';
import { startSync, toConnectorJobView } from '$lib/server/services/connector-jobs';
import { parseId } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

const SyncBody = v.object({
	mode: v.optional(v.picklist(['incremental', 'full'], 'mode must be incremental or full'))
});

/**
 * POST /api/v1/connectors/{id}/sync `{mode?: "incremental"|"full"}` (default: incremental once a
 * full sync has succeeded) → **202** `{job: {id, kind, connectorId, state, phase, done, total, …}}`
 * at once; follow it with `GET /api/v1/jobs/{id}`. While a sync of the connector runs (here or in
 * another instance), the answer is that run (202, `started: false`) and no second one starts.
 */
export const POST: RequestHandler = withApi(async ({ params, request, locals }) => {
	const runtime = await getRuntime();
	const id = parseId(params.id);
	const hasBody =
		(request.headers.get('content-length') ?? '0') !== '0' || request.headers.has('content-type');
	const body = hasBody ? await readJson(request, SyncBody) : {};
	const connector = await getConnector(runtime.db, id);
	const sync = await startSync(runtime, connector, {
		...(body.mode ? { mode: body.mode } : {}),
		userId: locals.user?.id ?? null
	});
	return json(
		{ job: toConnectorJobView(sync.run), started: sync.started },
		{ status: 202, headers: { location: `/api/v1/jobs/${sync.run.id}` } }
	);
});
