import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { createProfile, listProfiles } from '$lib/server/services/queue/throttle-profiles';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/throttle-profiles → ThrottleProfileView[] (presets first): the figures, `isPreset`,
 * `isDefault` and `connectors: [{ id, name, searchesToday, dailyBudget, viaDefault }]`.
 */
export const GET: RequestHandler = withApi(async () => {
	const { db } = await getRuntime();
	return json(await listProfiles(db, new Date()));
});

/**
 * POST /api/v1/throttle-profiles `{ name, commandsPerMinute, batchSize, dailyBudget,
 * maxInFlight?, errorCooldownSeconds?, backoffMultiplier?, activeWindows?, windowSeconds?,
 * searchCooldownHours?, isDefault? }`, or `{ copyFrom, name, …overrides }` for a copy
 * → 201 ThrottleProfileView. 400 `validation.failed`, 404 unknown `copyFrom`, 409 name taken.
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const { db } = await getRuntime();
	// The service picks the create or the copy schema; here only "a JSON object" is checked.
	const body = await readJson(request, v.looseObject({}));
	return json(await createProfile(db, body, new Date()), { status: 201 });
});
