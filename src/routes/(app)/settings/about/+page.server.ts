import { getDb } from '$lib/server/db';
import { metricsStatus } from '$lib/server/services/metrics/token';
import { getAboutInfo, projectLinks } from '$lib/server/services/settings/about';
import type { PageServerLoad } from './$types';

export const load = (async () => ({
	about: await getAboutInfo(getDb()),
	links: projectLinks(),
	metrics: metricsStatus()
})) satisfies PageServerLoad;
