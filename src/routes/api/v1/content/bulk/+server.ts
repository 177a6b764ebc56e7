import { readJson, withApi } from '$lib/server/http/api';
import { accepted, userIdOf } from '$lib/server/api/database-routes';
import { getRuntime } from '$lib/server/runtime';
import { BulkActionSchema } from '$lib/schemas/content';
import { startBulkAction } from '$lib/server/services/content/bulk-actions';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/content/bulk `{ action: search|priority|exhaust|clear, items: [{kind, id}] }` or
 * `{ action, filter: {…the GET /api/v1/content filters} }`, `delta` for `priority` → **202**
 * `{ run }`: the `content.bulk` job, followed at `GET /api/v1/jobs/{id}`; its `result` counts the
 * rows changed and skipped (services/content/bulk-actions.ts). 400 `validation.failed`; 409
 * `jobs.already_running` while another bulk action runs.
 */
export const POST: RequestHandler = withApi(async (event) => {
	const { db } = await getRuntime();
	const body = await readJson(event.request, BulkActionSchema);
	const scope = body.items
		? { items: body.items }
		: { filter: body.filter ?? { status: 'all' as const } };
	return accepted(
		await startBulkAction(db, { action: body.action, scope, delta: body.delta }, userIdOf(event))
	);
});
