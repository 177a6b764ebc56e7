import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

/** `/` has no page of its own: the dashboard is home. */
export const load = (() => {
	redirect(303, withBase('/dashboard'));
}) satisfies PageServerLoad;
