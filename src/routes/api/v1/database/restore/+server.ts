import * as v from 'valibot';
import { readJson, withApi } from '$lib/server/http/api';
import { credentialDigests } from '$lib/server/http/maintenance';
import { accepted, databaseDeps, userIdOf } from '$lib/server/api/database-routes';
import { startRestore } from '$lib/server/services/database/operations';
import type { RequestHandler } from './$types';

const Body = v.union(
	[
		v.strictObject({ upload: v.pipe(v.string(), v.uuid('Not an upload id.')) }),
		v.strictObject({ backup: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) })
	],
	'Name an upload ({ "upload": id }) or a listed backup ({ "backup": name }).'
);

/**
 * `POST /api/v1/database/restore` `{ upload }` or `{ backup }`: checks the file and restores it
 * into the running app as a job; 202 with the run. While it runs every other request gets 503;
 * the caller can follow the run at `/api/v1/jobs/{id}`. Afterwards the accounts and sessions are
 * those of the backup.
 */
export const POST: RequestHandler = withApi(async (event) => {
	const source = await readJson(event.request, Body);
	return accepted(
		await startRestore(await databaseDeps(), {
			source,
			userId: userIdOf(event),
			followers: credentialDigests(event)
		})
	);
});
