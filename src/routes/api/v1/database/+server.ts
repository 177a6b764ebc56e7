import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { databaseStatus } from '$lib/server/services/database/status';
import type { RequestHandler } from './$types';

/** `GET /api/v1/database`: connection, server version, mode, sizes and maintenance per table. */
export const GET: RequestHandler = withApi(async () => {
	const { db, config } = await getRuntime();
	return json(await databaseStatus(db, !config.databaseUrl));
});
