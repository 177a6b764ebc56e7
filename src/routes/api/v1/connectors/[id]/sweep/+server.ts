import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { getConnector } from '$lib/server/services/connectors/connector-service';
import { sweepOne } from '$lib/server/services/operations';
import { parseId } from '$lib/server/api/v1';
import type { RequestHandler } from './$types';

const SweepBody = v.object({
	type: v.optional(
		v.picklist(['gaps', 'upgrades', 'both'], 'type must be gaps, upgrades or both'),
		'both'
	)
});

/** POST /api/v1/connectors/{id}/sweep {type: gaps|upgrades|both} → SweepResult. */
export const POST: RequestHandler = withApi(async ({ params, request }) => {
	const runtime = await getRuntime();
	const id = parseId(params.id);
	const hasBody =
		(request.headers.get('content-length') ?? '0') !== '0' || request.headers.has('content-type');
	const body = hasBody ? await readJson(request, SweepBody) : { type: 'both' as const };
	const connector = await getConnector(runtime.db, id);
	return json(await sweepOne(runtime, connector, body.type));
});
