import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { withApi } from '$lib/server/http/api';
import { previewSchedule } from '$lib/server/services/schedule/sweep-schedules';
import { PreviewQuery, queryOf } from '$lib/server/services/schedule/api-params';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/schedules/preview?cron=&timezone=&count=5&kind=sweep|built-in → `{ valid: true,
 * description, runs }` (cronstrue's words; ISO 8601 UTC instants), for the editor's live check.
 * 400 `validation.failed` with `fields.cron` and/or `fields.timezone` saying what is wrong
 * (`kind=sweep`, the default, also refuses patterns firing more than once a minute).
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const query = v.parse(PreviewQuery, queryOf(url));
	return json(
		previewSchedule(query.cron, query.timezone, query.count, {
			...(query.from ? { from: query.from } : {}),
			sweep: query.kind === 'sweep'
		})
	);
});
