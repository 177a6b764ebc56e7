import { error, redirect, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import * as v from 'valibot';
import {
	SESSION_COOKIE,
	clearSessionCookie,
	invalidateOtherSessions,
	invalidateSessionById,
	listSessions,
	sessionIdFromToken
} from '$lib/server/auth/session';
import { describeUserAgent } from '$lib/server/auth/user-agent';
import { changePassword } from '$lib/server/auth/users';
import { getDb } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { formError, formMessageError, formSuccess, type FormMessage } from '$lib/server/forms';
import { trustedProxiesFromEnv } from '$lib/server/http/client-address';
import { moduleLogger } from '$lib/server/logger';
import { getSettings, updateSettings } from '$lib/server/services/settings/settings-service';
import { changePasswordSchema, type ChangePasswordInput } from '$lib/schemas/auth';
import { securityFormSchema, type SecurityFormInput } from '$lib/schemas/settings';
import type { Actions, PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

const log = moduleLogger('settings');

/** A session named in the list (its `sessions.id`, the SHA-256 of its token). */
const sessionIdSchema = v.object({
	sessionId: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'Not a session of this list.'))
});

/** The `sessions.id` of the request's own cookie, or null (API key, no cookie). */
function currentSessionId(cookies: Cookies): string | null {
	const token = cookies.get(SESSION_COOKIE);
	return token ? sessionIdFromToken(token) : null;
}

function signedInUser(event: Pick<RequestEvent, 'locals'>): { id: number; username: string } {
	// The guard lets no anonymous request reach this page; this only narrows the type.
	if (!event.locals.user) error(401, 'Log in first.');
	return event.locals.user;
}

export const load = (async (event) => {
	const user = signedInUser(event);
	const db = getDb();
	const { security } = await getSettings(db);
	const current = currentSessionId(event.cookies);
	const sessions = (await listSessions(db, user.id)).map((s) => ({
		id: s.id,
		browser: describeUserAgent(s.userAgent),
		address: s.address,
		createdAt: s.createdAt,
		lastSeenAt: s.lastSeenAt,
		current: s.id === current
	}));
	return {
		securityForm: await superValidate<SecurityFormInput, FormMessage>(
			{ ...security, confirmDisabled: false },
			valibot(securityFormSchema),
			{ id: 'security', errors: false }
		),
		passwordForm: await superValidate<ChangePasswordInput, FormMessage>(
			valibot(changePasswordSchema),
			{ id: 'password' }
		),
		sessions,
		trustedProxiesConfigured: trustedProxiesFromEnv().length > 0
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Authentication mode, proxy header and absolute session lifetime. */
	security: async (event) => {
		const user = signedInUser(event);
		const form = await superValidate<SecurityFormInput, FormMessage>(
			event.request,
			valibot(securityFormSchema),
			{ id: 'security' }
		);
		if (!form.valid) return fail(400, { form });
		const db = getDb();
		try {
			if (form.data.authMode === 'proxy_header' && trustedProxiesFromEnv().length === 0) {
				throw new DomainError('settings.no_trusted_proxies', 'Set TRUSTED_PROXIES first.', {
					fields: {
						authMode:
							'Set TRUSTED_PROXIES to your reverse proxy’s address first: the header is believed only from there.'
					}
				});
			}
			const before = (await getSettings(db)).security.authMode;
			const { authMode, proxyHeader, sessionMaxAgeDays } = form.data;
			const saved = await updateSettings(db, 'security', {
				authMode,
				proxyHeader,
				sessionMaxAgeDays
			});
			if (saved.authMode !== before) {
				log.warn(
					{ cid: event.locals.requestId, userId: user.id, from: before, to: saved.authMode },
					'authentication mode changed'
				);
			}
			form.data = { ...saved, confirmDisabled: false };
		} catch (err) {
			return formError(form, err);
		}
		return formSuccess(form, 'Security settings saved.');
	},

	/** Change password: the current one is checked; every other session is logged out. */
	password: async (event) => {
		const user = signedInUser(event);
		const form = await superValidate<ChangePasswordInput, FormMessage>(
			event.request,
			valibot(changePasswordSchema),
			{ id: 'password' }
		);
		const { currentPassword, newPassword } = form.data;
		// Typed passwords never travel back to the browser.
		form.data = { currentPassword: '', newPassword: '', confirmPassword: '' };
		if (!form.valid) return fail(400, { form });
		const keepSessionId = currentSessionId(event.cookies);
		if (!keepSessionId) {
			return formMessageError(form, 'Change the password from a browser session, not an API key.');
		}
		try {
			const { endedSessions } = await changePassword(getDb(), {
				userId: user.id,
				currentPassword,
				newPassword,
				keepSessionId
			});
			log.info({ cid: event.locals.requestId, userId: user.id, endedSessions }, 'password changed');
			const others =
				endedSessions === 0
					? ''
					: ` ${endedSessions} other ${endedSessions === 1 ? 'session was' : 'sessions were'} logged out.`;
			return formSuccess(form, `Password changed.${others}`);
		} catch (err) {
			return formError(form, err);
		}
	},

	/** Logs one session of the list out; the current one means logging out here. */
	revokeSession: async (event) => {
		const user = signedInUser(event);
		const form = await superValidate(event.request, valibot(sessionIdSchema), { id: 'revoke' });
		if (!form.valid) return fail(400, { form });
		const db = getDb();
		const ended = await invalidateSessionById(db, {
			userId: user.id,
			sessionId: form.data.sessionId
		});
		if (!ended) return formMessageError(form, 'That session has already ended.', 404);
		if (form.data.sessionId === currentSessionId(event.cookies)) {
			clearSessionCookie(event.cookies, event.url.protocol === 'https:');
			redirect(303, withBase('/login'));
		}
		return formSuccess(form, 'Session logged out.');
	},

	/** Logs every session of the user out except this one. */
	revokeOtherSessions: async (event) => {
		const user = signedInUser(event);
		const form = await superValidate(valibot(v.object({})), { id: 'revoke-others' });
		const keepSessionId = currentSessionId(event.cookies);
		if (!keepSessionId) {
			return formMessageError(form, 'Use this from a browser session, not an API key.');
		}
		const ended = await invalidateOtherSessions(getDb(), { userId: user.id, keepSessionId });
		return formSuccess(
			form,
			ended === 0
				? 'There were no other sessions.'
				: `Logged out ${ended} other ${ended === 1 ? 'session' : 'sessions'}.`
		);
	}
} satisfies Actions;
