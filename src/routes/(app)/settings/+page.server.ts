import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import type { PageServerLoad } from './$types';

/** /settings has no page of its own: it opens the first section. */
export const load = (() => {
	redirect(307, resolve('/settings/general'));
}) satisfies PageServerLoad;
