import { getDb } from '$lib/server/db';
import { getAboutInfo, projectLinks } from '$lib/server/services/settings/about';
import type { PageServerLoad } from './$types';

export const load = (async () => ({
	about: await getAboutInfo(getDb()),
	links: projectLinks()
})) satisfies PageServerLoad;
