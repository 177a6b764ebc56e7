import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { getConnector } from '$lib/server/services/connectors/connector-service';
import { startSweep, toConnectorJobView } from '$lib/server/services/connector-jobs';
import { parseId } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

const SweepBody = v.object({
	type: v.optional(
		v.picklist(['gaps', 'upgrades', 'both'], 'type must be gaps, upgrades or both'),
		'both'
	)
});

/**
 * POST /api/v1/connectors/{id}/sweep `{type: gaps|upgrades|both}` → **202**
 * `{job: {id, kind: "sweep", connectorId, state, …}, started}` at once; the run's `result` holds the
 * SweepResult when done (`GET /api/v1/jobs/{id}`). A sweep already running is returned instead.
 */
export const POST: RequestHandler = withApi(async ({ params, request, locals }) => {
	const runtime = await getRuntime();
	const id = parseId(params.id);
	const hasBody =
		(request.headers.get('content-length') ?? '0') !== '0' || request.headers.has('content-type');
	const body = hasBody ? await readJson(request, SweepBody) : { type: 'both' as const };
	const connector = await getConnector(runtime.db, id);
	const sweep = await startSweep(runtime, connector, body.type, {
		userId: locals.user?.id ?? null
	});
	return json(
		{ job: toConnectorJobView(sweep.run), started: sweep.started },
		{ status: 202, headers: { location: `/api/v1/jobs/${sweep.run.id}` } }
	);
});
