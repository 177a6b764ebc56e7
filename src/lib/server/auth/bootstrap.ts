/**
 * Creates the admin from `ADMIN_USER` + `ADMIN_PASS` at start-up when no user exists yet (headless
 * installs that never open /setup). Registered as a runtime `StartupHook` in hooks.server.ts.
 */
import * as v from 'valibot';
import type { StartupHook } from '$lib/server/runtime';
import { moduleLogger } from '$lib/server/logger';
import { newPasswordSchema, usernameSchema } from './schemas';
import { createFirstUser } from './users';

const log = moduleLogger('auth');

/**
 * Start-up hook: creates the admin from the environment. Does nothing when neither variable is set
 * or a user already exists. An invalid pair (one variable missing, password under 8 characters) is
 * logged and skipped so the server still starts and /setup stays available.
 */
export const bootstrapAdmin: StartupHook = async (runtime) => {
	const { adminUser, adminPass } = runtime.config;
	if (adminUser === undefined && adminPass === undefined) return;
	if (adminUser === undefined || adminPass === undefined) {
		log.warn('ADMIN_USER and ADMIN_PASS must be set together; no admin created');
		return;
	}
	const username = v.safeParse(usernameSchema, adminUser);
	const password = v.safeParse(newPasswordSchema, adminPass);
	if (!username.success || !password.success) {
		const issue = username.issues?.[0] ?? password.issues?.[0];
		log.error(
			{ field: username.success ? 'ADMIN_PASS' : 'ADMIN_USER', reason: issue?.message },
			'invalid ADMIN_USER/ADMIN_PASS; no admin created'
		);
		return;
	}
	const user = await createFirstUser(runtime.db, {
		username: username.output,
		password: password.output
	});
	if (user) log.info({ userId: user.id, username: user.username }, 'admin created from ADMIN_USER');
	else log.info('a user already exists; ADMIN_USER/ADMIN_PASS ignored');
};
