import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/** `/` has no page of its own: the dashboard is home. */
export const load = (() => {
	redirect(303, '/dashboard');
}) satisfies PageServerLoad;
