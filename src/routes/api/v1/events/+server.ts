import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { withApi } from '$lib/server/http/api';
import { activityFeed, FEED_PAGE_MAX } from '$lib/server/services/dashboard';
import type { RequestHandler } from './$types';

const Query = v.object({
	before: v.optional(
		v.pipe(
			v.string(),
			v.transform(Number),
			v.integer('before must be an event id.'),
			v.minValue(1, 'before must be an event id.')
		)
	),
	limit: v.optional(
		v.pipe(
			v.string(),
			v.transform(Number),
			v.integer('limit must be a whole number.'),
			v.minValue(1, 'limit must be at least 1.'),
			v.maxValue(FEED_PAGE_MAX, `limit must be at most ${FEED_PAGE_MAX}.`)
		)
	)
});

/**
 * `GET /api/v1/events?before=&limit=`: the dashboard's activity feed, newest first,
 * `{ entries, nextBefore }` (services/dashboard/feed.ts); pass `nextBefore` as `before` for the
 * next, older page.
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const query = v.parse(Query, Object.fromEntries(url.searchParams));
	const { db } = await getRuntime();
	return json(await activityFeed(db, query));
});
