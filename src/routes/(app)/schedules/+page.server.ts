import { getDb } from '$lib/server/db';
import { listConnectorOptions } from '$lib/server/services/queue/queue-view';
import { listProfiles } from '$lib/server/services/queue/throttle-profiles';
import { listBuiltInSchedules } from '$lib/server/services/schedule/built-in';
import { listSweepSchedules } from '$lib/server/services/schedule/sweep-schedules';
import type { PageServerLoad } from './$types';

/**
 * The sweep schedules (connector, pattern, next and newest run), the built-in jobs, and the
 * editor's choices: connectors and throttle profiles. The time zone comes from the app layout.
 */
export const load = (async () => {
	const db = getDb();
	const now = new Date();
	const [schedules, builtIn, connectors, profiles] = await Promise.all([
		listSweepSchedules(db, { now }),
		listBuiltInSchedules(db, now),
		listConnectorOptions(db),
		listProfiles(db, now)
	]);
	return {
		schedules,
		builtIn,
		connectors: connectors.map(({ id, name, type }) => ({ id, name, type })),
		profiles: profiles.map(({ id, name }) => ({ id, name }))
	};
}) satisfies PageServerLoad;
