import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { apiError, withApi } from '$lib/server/http/api';
import { getConnector } from '$lib/server/services/connectors/connector-service';
import { previewSweep } from '$lib/server/services/queue/preview';
import type { SweepKind } from '$lib/server/services/queue/sweep';
import type { RequestHandler } from './$types';

const KINDS: readonly SweepKind[] = ['gaps', 'upgrades', 'both'];

/**
 * GET /api/v1/sweeps/preview?connectorId={id}[&kind=gaps|upgrades|both] → 200 SweepPreview
 * (services/queue/preview.ts): the commands the next sweep (default `both`, as scheduled) and
 * dispatch pass would send, in order, with score, rule and whether the throttle lets each out now.
 * Writes nothing and sends nothing. 400 `validation.failed` for a missing or invalid
 * `connectorId` or `kind`; 404 `connectors.not_found`.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const raw = url.searchParams.get('connectorId');
	if (raw === null || raw.trim() === '') {
		apiError(400, 'validation.failed', 'connectorId is required', {
			connectorId: 'connectorId is required'
		});
	}
	const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) {
		apiError(400, 'validation.failed', 'connectorId must be a positive integer id', {
			connectorId: 'connectorId must be a positive integer id'
		});
	}
	const kindParam = url.searchParams.get('kind') ?? 'both';
	const kind = KINDS.find((k) => k === kindParam);
	if (!kind) {
		apiError(400, 'validation.failed', 'kind must be gaps, upgrades or both', {
			kind: 'kind must be gaps, upgrades or both'
		});
	}
	const { db } = await getRuntime();
	const connector = await getConnector(db, id);
	return json(await previewSweep({ db, connector, kind }));
});
