import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

/** /settings has no page of its own: it opens the first section. */
export const load = (() => {
	redirect(307, withBase('/settings/general'));
}) satisfies PageServerLoad;
