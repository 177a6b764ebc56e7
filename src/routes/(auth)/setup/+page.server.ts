import { redirect } from '@sveltejs/kit';
import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { getDb } from '$lib/server/db';
import { setupSchema } from '$lib/server/auth/schemas';
import { createSession, setSessionCookie } from '$lib/server/auth/session';
import { createFirstUser, hasUsers } from '$lib/server/auth/users';
import { requestClientAddress } from '$lib/server/http/client-address';
import { moduleLogger } from '$lib/server/logger';
import type { Actions, PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

const log = moduleLogger('auth');

/** First start: create the admin. Closed (→ /login) as soon as any user exists. */
export const load = (async () => {
	if (await hasUsers(getDb())) redirect(303, withBase('/login'));
	return { form: await superValidate(valibot(setupSchema)) };
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const db = getDb();
		if (await hasUsers(db)) redirect(303, withBase('/login'));
		const form = await superValidate(event.request, valibot(setupSchema));
		const { password } = form.data;
		form.data.password = '';
		form.data.confirmPassword = '';
		if (!form.valid) return fail(400, { form });

		// Atomic: a second, concurrent setup finds the first user and is sent to /login.
		const user = await createFirstUser(db, { username: form.data.username, password });
		if (!user) redirect(303, withBase('/login'));
		log.info(
			{ cid: event.locals.requestId, userId: user.id, username: user.username },
			'admin created at setup'
		);
		const session = await createSession(db, user.id, {
			address: requestClientAddress(event),
			userAgent: event.request.headers.get('user-agent')
		});
		setSessionCookie(event.cookies, session, event.url.protocol === 'https:');
		redirect(303, withBase('/dashboard'));
	}
} satisfies Actions;
