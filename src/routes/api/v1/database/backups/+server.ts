import { json } from '@sveltejs/kit';
import { withApi } from '$lib/server/http/api';
import { accepted, databaseDeps, userIdOf } from '$lib/server/api/database-routes';
import { backupsDir, listBackups } from '$lib/server/services/database/backup';
import { startBackup } from '$lib/server/services/database/operations';
import type { RequestHandler } from './$types';

/** `GET /api/v1/database/backups`: the backup files, newest first. */
export const GET: RequestHandler = withApi(async () => {
	const { dataDir } = await databaseDeps();
	return json({ backups: await listBackups(backupsDir(dataDir)) });
});

/** `POST /api/v1/database/backups`: starts a manual backup; 202 with the run. */
export const POST: RequestHandler = withApi(async (event) =>
	accepted(await startBackup(await databaseDeps(), userIdOf(event)))
);
