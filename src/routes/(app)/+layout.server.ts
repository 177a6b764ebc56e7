import { redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { loginLocation } from '$lib/server/http/guard';
import { getSettings } from '$lib/server/services/settings/settings-service';
import type { LayoutServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

/**
 * Every page in the app group needs a signed-in user. The hooks guard already enforces this; the
 * check here is defence in depth should a route ever be listed as public by mistake.
 * Also returns what the shell shows on every page: the display name and the authentication mode
 * (`disabled` puts a warning banner above every page). Settings are cached for a few seconds.
 */
export const load = (async ({ locals, url }) => {
	if (!locals.user) redirect(303, withBase(loginLocation(url, 'GET')));
	const { general, security } = await getSettings(getDb());
	return {
		user: locals.user,
		displayName: general.displayName,
		/** Settings → General: where "today" starts and how times are shown. */
		timeZone: general.timeZone,
		authMode: security.authMode
	};
}) satisfies LayoutServerLoad;
