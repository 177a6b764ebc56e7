import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { ApiError, readJson, withApi } from '$lib/server/http/api';
import {
	deleteProfile,
	getProfile,
	updateProfile
} from '$lib/server/services/queue/throttle-profiles';
import type { RequestHandler } from './$types';

/** `params.id` as a positive integer. @throws ApiError 404 `throttle_profiles.not_found` */
function profileId(raw: string): number {
	const id = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) {
		throw new ApiError(
			404,
			'throttle_profiles.not_found',
			`Throttle profile ${raw} does not exist`
		);
	}
	return id;
}

/** GET /api/v1/throttle-profiles/{id} → ThrottleProfileView. */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	return json(await getProfile(db, profileId(params.id), new Date()));
});

/**
 * PATCH /api/v1/throttle-profiles/{id} with any field of the POST body → ThrottleProfileView.
 * A preset takes only `{ isDefault: true }` (409 `throttle_profiles.preset_read_only` otherwise);
 * `isDefault: false` on the default is 409 `throttle_profiles.default_required`.
 */
export const PATCH: RequestHandler = withApi(async ({ params, request }) => {
	const { db } = await getRuntime();
	const id = profileId(params.id);
	const body = await readJson(request, v.looseObject({}));
	return json(await updateProfile(db, id, body, new Date()));
});

/**
 * DELETE /api/v1/throttle-profiles/{id} → 204. 409 for a preset, the default, or a profile a
 * connector uses (`throttle_profiles.in_use`, the message names the connectors).
 */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { db } = await getRuntime();
	await deleteProfile(db, profileId(params.id));
	return new Response(null, { status: 204 });
});
