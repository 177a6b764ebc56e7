/**
 * What the database and job API routes share: the runtime's dependencies for the database
 * services, the signed-in user's id, and the 202 answer of a started job.
 */
import { json, type RequestEvent } from '@sveltejs/kit';
import { apiError } from '../http/api';
import { getRuntime } from '../runtime';
import type { DatabaseDeps } from '../services/database/operations';
import type { StartedJob } from '../services/jobs';
import { withBase } from '$lib/server/http/base-path';

/** The database services' dependencies from the running app. */
export async function databaseDeps(): Promise<DatabaseDeps> {
	const { db, config } = await getRuntime();
	return { db, dataDir: config.dataDir, migrationsDir: config.migrationsDir };
}

/** The signed-in user's id (the guard has authenticated the request). */
export function userIdOf(event: Pick<RequestEvent, 'locals'>): number | null {
	return event.locals.user?.id ?? null;
}

/** `202 Accepted` with the run and where to follow it. */
export function accepted(started: StartedJob): Response {
	return json(
		{ run: started.run },
		{ status: 202, headers: { location: withBase(`/api/v1/jobs/${started.run.id}`) } }
	);
}

/**
 * Refuses read-only API keys for reads that hand out credentials: a backup file (password and
 * session hashes, encrypted *arr keys) or an export with encrypted keys; and for the log lines,
 * which name refused usernames and client addresses.
 * @throws ApiError 403 `auth.read_only`
 */
export function requireFullAccess(locals: Pick<App.Locals, 'apiKey'>, what: string): void {
	if (locals.apiKey?.readOnly) {
		apiError(403, 'auth.read_only', `A read-only API key cannot ${what}; use a full-access key.`);
	}
}
