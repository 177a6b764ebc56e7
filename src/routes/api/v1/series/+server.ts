import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { ItemListQuerySchema } from '$lib/schemas/items';
import { listItems } from '$lib/server/services/items/item-detail';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/series?page=&pageSize=&connectorId= → `{ items: [{ id, title, year, connectorId,
 * wanted }], page, pageSize, total }` by sort title (our ids); 400 `validation.failed`.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const { db } = await getRuntime();
	const query = v.parse(ItemListQuerySchema, Object.fromEntries(url.searchParams));
	return json(await listItems(db, { kind: 'series', ...query }));
});
