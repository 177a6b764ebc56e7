import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { AnalyticsQuerySchema } from '$lib/schemas/analytics';
import { getAnalytics } from '$lib/server/services/analytics/read-model';
import { localDay } from '$lib/server/services/analytics/rollup';
import type { PageServerLoad } from './$types';

/**
 * Analytics: the daily roll-ups of the URL's range (`from`, `to`, `connectorId`, as for
 * `GET /api/v1/analytics`) and today's local day for the range picker. A bad parameter is
 * reported and the default range (the last 30 days) shown instead.
 */
export const load = (async ({ url }) => {
	const { db } = await getRuntime();
	const parsed = v.safeParse(AnalyticsQuerySchema, Object.fromEntries(url.searchParams));
	const errors: Record<string, string> = {};
	if (!parsed.success) {
		for (const issue of parsed.issues) errors[v.getDotPath(issue) ?? 'query'] ??= issue.message;
	}
	const now = new Date();
	const view = await getAnalytics({ db, clock: () => now }, parsed.success ? parsed.output : {});
	return { view, today: localDay(now, view.timeZone), errors };
}) satisfies PageServerLoad;
