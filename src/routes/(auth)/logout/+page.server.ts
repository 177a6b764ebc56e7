import { redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { SESSION_COOKIE, clearSessionCookie, invalidateSession } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

/** GET /logout shows a confirmation (logging out on GET would let any link log you out). */
export const load = (({ locals }) => {
	if (!locals.user) redirect(303, withBase('/login'));
	return {};
}) satisfies PageServerLoad;

export const actions = {
	/** POST /logout: deletes the session row, clears the cookie, back to /login. */
	default: async ({ cookies, url }) => {
		const token = cookies.get(SESSION_COOKIE);
		if (token) await invalidateSession(getDb(), token);
		clearSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, withBase('/login'));
	}
} satisfies Actions;
