import { withApi } from '$lib/server/http/api';
import { accepted, databaseDeps, userIdOf } from '$lib/server/api/database-routes';
import { startPrune } from '$lib/server/services/database/operations';
import type { RequestHandler } from './$types';

/**
 * `POST /api/v1/database/prune`: removes expired sessions, login attempts older than a day,
 * finished job runs older than 30 days and unused restore uploads; 202 with the run.
 */
export const POST: RequestHandler = withApi(async (event) =>
	accepted(await startPrune(await databaseDeps(), userIdOf(event)))
);
