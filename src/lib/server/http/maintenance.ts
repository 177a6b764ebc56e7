/**
 * The request side of maintenance mode: while a restore replaces the database, every request
 * gets a 503 ("restore in progress") — JSON for the API, a small self-refreshing page otherwise —
 * before the guard would look up a session in tables that are being swapped. Static assets pass,
 * and the caller that started the restore may still read its run (`GET /api/v1/jobs/{id}`),
 * recognised by the SHA-256 of its session cookie or API key (maintenance.ts keeps only those
 * digests). Runs before the request guard (hooks.server.ts).
 */
import { json, type Handle, type RequestEvent } from '@sveltejs/kit';
import { API_KEY_HEADER } from '$lib/server/auth/api-keys';
import { SESSION_COOKIE } from '$lib/server/auth/session';
import { sha256Hex } from '$lib/server/auth/tokens';
import { liveRun, maintenanceState, type MaintenanceState } from '$lib/server/services/jobs';
import { errorResponse } from './api';
import { isApiPath, isStaticAssetPath, isWebhookPath, securityHeaders } from './guard';

/** Seconds a client should wait before trying again. */
const RETRY_AFTER_S = 5;

/** Digests of the credentials a request carries (session cookie, API key). */
export function credentialDigests(event: Pick<RequestEvent, 'cookies' | 'request'>): string[] {
	const digests: string[] = [];
	const token = event.cookies.get(SESSION_COOKIE);
	if (token) digests.push(sha256Hex(token));
	const key = event.request.headers.get(API_KEY_HEADER);
	if (key) digests.push(sha256Hex(key.trim()));
	return digests;
}

function follows(event: RequestEvent, state: MaintenanceState): boolean {
	return (
		event.request.method === 'GET' &&
		event.url.pathname === `/api/v1/jobs/${state.runId}` &&
		credentialDigests(event).some((d) => state.followers.has(d))
	);
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${RETRY_AFTER_S}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Restoring · Comradarr</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>Restoring a backup</h1>
<p>Comradarr is replacing its database with a backup and is paused meanwhile. This page reloads by itself; afterwards, sign in with an account from the backup.</p>
</body></html>`;

/** The handle; a no-op unless a restore runs in this process. */
export function createMaintenanceHandle(): Handle {
	return async ({ event, resolve }) => {
		const state = maintenanceState();
		if (!state || isStaticAssetPath(event.url.pathname)) return resolve(event);
		const headers = {
			...securityHeaders(event.url.protocol === 'https:'),
			'cache-control': 'no-store',
			'retry-after': String(RETRY_AFTER_S)
		};
		if (follows(event, state)) {
			const run = liveRun(state.runId);
			if (run) return json(run, { headers: { 'cache-control': 'no-store' } });
		}
		const path = event.url.pathname;
		// The *arr apps read a webhook's answer as JSON, like API clients.
		if (isApiPath(path) || isWebhookPath(path) || path === '/health') {
			return errorResponse(
				503,
				'maintenance.restore',
				'A restore is in progress; try again when it has finished.',
				undefined,
				headers
			);
		}
		return new Response(PAGE, {
			status: 503,
			headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }
		});
	};
}
