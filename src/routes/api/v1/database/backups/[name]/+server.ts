import { withApi } from '$lib/server/http/api';
import { databaseDeps, requireFullAccess } from '$lib/server/api/database-routes';
import { backupsDir, deleteBackup, resolveBackup } from '$lib/server/services/database/backup';
import type { RequestHandler } from './$types';

/**
 * `GET /api/v1/database/backups/{name}`: the file as a download. Only names of files directly in
 * the backups folder are served (no separators, no dot files, no links): anything else is 404.
 * Not for read-only API keys (a backup holds credential hashes).
 */
export const GET: RequestHandler = withApi(async ({ params, locals }) => {
	requireFullAccess(locals, 'download a backup');
	const { dataDir } = await databaseDeps();
	const file = await resolveBackup(backupsDir(dataDir), params.name);
	const body = Bun.file(file);
	return new Response(body, {
		headers: {
			'content-type': 'application/octet-stream',
			'content-length': String(body.size),
			// The name is [A-Za-z0-9._-] only (resolveBackup): safe inside the quotes.
			'content-disposition': `attachment; filename="${params.name}"`,
			'cache-control': 'no-store'
		}
	});
});

/** `DELETE /api/v1/database/backups/{name}`: deletes the file; 204. */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { dataDir } = await databaseDeps();
	await deleteBackup(backupsDir(dataDir), params.name);
	return new Response(null, { status: 204 });
});
