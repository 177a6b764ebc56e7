import { redirect } from '@sveltejs/kit';
import { loginLocation } from '$lib/server/http/guard';
import type { LayoutServerLoad } from './$types';

/**
 * Every page in the app group needs a signed-in user. The hooks guard already enforces this; the
 * check here is defence in depth should a route ever be listed as public by mistake.
 */
export const load = (({ locals, url }) => {
	if (!locals.user) redirect(303, loginLocation(url, 'GET'));
	return { user: locals.user };
}) satisfies LayoutServerLoad;
