import { redirect } from '@sveltejs/kit';
import { fail, superValidate } from 'sveltekit-superforms';
import { formMessageError } from '$lib/server/forms';
import { valibot } from 'sveltekit-superforms/adapters';
import { getDb } from '$lib/server/db';
import { INVALID_CREDENTIALS_MESSAGE, login, usernameFingerprint } from '$lib/server/auth/login';
import { lockoutMessage } from '$lib/server/auth/rate-limit';
import { loginSchema } from '$lib/server/auth/schemas';
import { setSessionCookie } from '$lib/server/auth/session';
import { hasUsers } from '$lib/server/auth/users';
import { requestClientAddress } from '$lib/server/http/client-address';
import { safeRedirectTarget } from '$lib/server/http/guard';
import { moduleLogger } from '$lib/server/logger';
import type { Actions, PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

const log = moduleLogger('auth');

export const load = (async ({ locals, url }) => {
	if (locals.user) redirect(303, withBase(safeRedirectTarget(url.searchParams.get('redirectTo'))));
	if (!(await hasUsers(getDb()))) redirect(303, withBase('/setup'));
	return { form: await superValidate(valibot(loginSchema)) };
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const form = await superValidate(event.request, valibot(loginSchema));
		const password = form.data.password;
		// The typed password never travels back to the browser.
		form.data.password = '';
		if (!form.valid) return fail(400, { form });

		const db = getDb();
		if (!(await hasUsers(db))) redirect(303, withBase('/setup'));
		const address = requestClientAddress(event);
		const userAgent = event.request.headers.get('user-agent');
		const result = await login(db, { username: form.data.username, password, address, userAgent });
		if (!result.ok) {
			// A username that names nobody is often a password typed into the wrong field: the log
			// gets only a fingerprint of it, enough to see one name tried again and again.
			const known = result.reason === 'locked' || result.knownUser;
			log.info(
				{
					cid: event.locals.requestId,
					...(known
						? { username: form.data.username }
						: { unknownUser: usernameFingerprint(form.data.username) }),
					address,
					reason: result.reason
				},
				'login refused'
			);
			return result.reason === 'locked'
				? formMessageError(form, lockoutMessage(result.lockedUntil, new Date()), 429)
				: formMessageError(form, INVALID_CREDENTIALS_MESSAGE, 400);
		}
		log.info({ cid: event.locals.requestId, userId: result.user.id, address }, 'login');
		setSessionCookie(event.cookies, result.session, event.url.protocol === 'https:');
		redirect(303, withBase(safeRedirectTarget(event.url.searchParams.get('redirectTo'))));
	}
} satisfies Actions;
