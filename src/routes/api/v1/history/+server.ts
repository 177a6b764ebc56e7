import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { listHistory } from '$lib/server/db/queries/stats';
import type { RequestHandler } from './$types';

/** GET /api/v1/history?limit=&connectorId= → finished searches, newest first. */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit')) || 100));
	const connectorId = Number(url.searchParams.get('connectorId'));
	return json(
		await listHistory(db, {
			limit,
			...(Number.isSafeInteger(connectorId) && connectorId > 0 ? { connectorId } : {})
		})
	);
});
