import { json } from '@sveltejs/kit';
import { withApi } from '$lib/server/http/api';
import { requireFullAccess } from '$lib/server/api/database-routes';
import { parseLogsQuery, queryLogs } from '$lib/server/services/logs/logs-service';
import type { RequestHandler } from './$types';

/**
 * `GET /api/v1/logs?level=&module=&q=&after=&before=&limit=`: this process's recent log lines,
 * newest first, `{lines: [{seq, time, level, module, cid, msg, rest}], nextAfter, nextBefore,
 * modules, recordingLevel, oldestSeq, capacity}` (types/logs.ts). `level` keeps that level and
 * above, `module` one module, `q` lines containing the text (case-insensitive); `after=N` only
 * lines written after line N (the live tail), `before=N` older ones (the next page). A bad value
 * is 400 `validation.failed` naming the field. Admin session or full-access API key: a read-only
 * key gets 403 `auth.read_only`, as the lines show refused usernames and client addresses.
 */
export const GET: RequestHandler = withApi(({ url, locals }) => {
	requireFullAccess(locals, 'read the logs');
	return json(queryLogs(parseLogsQuery(url.searchParams)));
});
