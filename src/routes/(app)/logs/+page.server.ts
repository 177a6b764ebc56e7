import * as v from 'valibot';
import { emptyLogsPage, parseLogsQuery, queryLogs } from '$lib/server/services/logs/logs-service';
import { filterValues, LOGS_PAGE_SIZE } from './logs-query';
import type { PageServerLoad } from './$types';

/**
 * The Logs page: this process's recent log lines, newest first, filtered by the URL's `level`,
 * `module` and `q` (the parameters of `GET /api/v1/logs`). Bad filters are shown next to their
 * fields and the table stays empty until they are fixed.
 */
export const load = (async ({ url }) => {
	const values = filterValues(url.searchParams);
	const params = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ''));
	params.set('limit', String(LOGS_PAGE_SIZE));
	try {
		return { logs: queryLogs(parseLogsQuery(params)), values, errors: {} };
	} catch (error) {
		if (!v.isValiError(error)) throw error;
		const errors: Record<string, string> = {};
		for (const issue of error.issues) {
			const path = v.getDotPath(issue) ?? 'query';
			errors[path] ??= issue.message;
		}
		return { logs: emptyLogsPage(), values, errors };
	}
}) satisfies PageServerLoad;
