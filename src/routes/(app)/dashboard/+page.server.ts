import { getRuntime } from '$lib/server/runtime';
import { toResources } from '$lib/server/api/v1';
import { connectors } from '$lib/server/db/schema';
import { jobStatuses } from '$lib/server/scheduler';
import { dashboardOverview } from '$lib/server/services/dashboard';
import { getPauseState } from '$lib/server/services/queue/queue-admin';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { localClockTime } from '$lib/server/time/active-windows';
import type { PageServerLoad } from './$types';

/**
 * Every connector with its health and numbers — from PostgreSQL only, never an *arr app — its
 * completion and 30-day trends, the activity feed, upcoming sweeps and running jobs
 * (services/dashboard), the background jobs of this process, and the connectors whose dispatch a
 * rate limit paused (by connector id: until when, as local "HH:MM" of Settings → General, and why).
 */
export const load = (async () => {
	const { db } = await getRuntime();
	const now = new Date();
	const list = await db.select().from(connectors).orderBy(connectors.name, connectors.id);
	const { timeZone } = (await getSettings(db)).general;
	const ratePauses: Record<number, { until: string; untilLabel: string; reason: string | null }> =
		{};
	for (const pause of (await getPauseState(db, now)).connectors) {
		if (pause.until === null) continue;
		ratePauses[pause.connectorId] = {
			until: pause.until.toISOString(),
			untilLabel: localClockTime(pause.until, timeZone),
			reason: pause.reason
		};
	}
	const [resources, jobs, overview] = await Promise.all([
		toResources(db, list, now),
		jobStatuses(db),
		dashboardOverview(db, { now, timeZone })
	]);
	return { connectors: resources, jobs, ratePauses, ...overview };
}) satisfies PageServerLoad;
