import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import {
	createSweepSchedule,
	listSweepSchedules
} from '$lib/server/services/schedule/sweep-schedules';
import { queryOf } from '$lib/server/services/schedule/api-params';
import type { RequestHandler } from './$types';

const ListQuery = v.object({
	connectorId: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d+$/, 'connectorId must be a connector id.'),
			v.transform(Number),
			v.minValue(1, 'connectorId must be a connector id.')
		)
	)
});

/**
 * GET /api/v1/schedules[?connectorId=] → SweepScheduleView[] (by connector name, then id): each
 * with `connectorName`, `connectorType`, `description` (cronstrue), `throttleProfileName`,
 * `nextRunAt` (ISO UTC, null when disabled) and `lastRun` (the newest run of job
 * `sweep.schedule.<id>`).
 */
export const GET: RequestHandler = withApi(async ({ url }) => {
	const query = v.parse(ListQuery, queryOf(url));
	const { db } = await getRuntime();
	return json(
		await listSweepSchedules(
			db,
			query.connectorId === undefined ? {} : { connectorId: query.connectorId }
		)
	);
});

/**
 * POST /api/v1/schedules `{ connectorId, sweepType: "gaps"|"upgrades"|"both", cron, timezone?,
 * enabled?, throttleProfileId?, batchLimit? }` → 201 SweepScheduleView. 400 `validation.failed`
 * naming the field (bad cron, a pattern firing more than once a minute, unknown time zone,
 * connector or profile); nothing is saved then. `timezone` defaults to Settings → General.
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	const body = await readJson(request, v.looseObject({}));
	return json(await createSweepSchedule(db, body), { status: 201 });
});
