import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { clearPending, getPauseState, listPending } from '$lib/server/services/queue/queue-admin';
import {
	readId,
	readPagination,
	throwIfInvalid,
	type FieldErrors
} from '$lib/server/services/history/listing-query';
import { readScope } from './request-input';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/queue?page=&pageSize=&connectorId= → one page of pending batches in dispatch order
 * (priority desc, id): `{ items: PendingBatchView[], page, pageSize, total, pauses }`, each item
 * with `estimate: { at, reason }`. `pageSize` defaults to 50, at most 500. Bad parameters: 400
 * `validation.failed` with `fields`.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const fields: FieldErrors = {};
	const { page, pageSize } = readPagination(url.searchParams, fields);
	const connectorId = readId(url.searchParams, 'connectorId', fields);
	throwIfInvalid(fields);
	const [listing, pauses] = await Promise.all([
		listPending(db, { page, pageSize, connectorId, now: new Date() }),
		getPauseState(db)
	]);
	return json({ ...listing, pauses });
});

/**
 * DELETE /api/v1/queue: clears every pending batch, or one connector's (`?connectorId=` or a
 * `{ connectorId }` body); their registry rows go back to pending. Claimed rows stay.
 * → 200 `{ removed, searches, released }`; 404 `connectors.not_found`.
 */
export const DELETE: RequestHandler = withApi(async ({ url, request }) => {
	const { db } = await getRuntime();
	const fields: FieldErrors = {};
	const fromQuery = readId(url.searchParams, 'connectorId', fields);
	throwIfInvalid(fields);
	const connectorId = fromQuery ?? (await readScope(request)).connectorId;
	return json(await clearPending(db, { connectorId, now: new Date() }));
});
