import { withApi } from '$lib/server/http/api';
import { accepted, databaseDeps, userIdOf } from '$lib/server/api/database-routes';
import { startVacuum } from '$lib/server/services/database/operations';
import type { RequestHandler } from './$types';

/** `POST /api/v1/database/vacuum`: starts VACUUM (ANALYZE) of every table; 202 with the run. */
export const POST: RequestHandler = withApi(async (event) =>
	accepted(await startVacuum(await databaseDeps(), userIdOf(event)))
);
