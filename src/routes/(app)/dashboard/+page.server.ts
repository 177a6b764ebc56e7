import { getRuntime } from '$lib/server/runtime';
import { toResources } from '$lib/server/api/v1';
import { connectors } from '$lib/server/db/schema';
import { jobStatuses } from '$lib/server/scheduler';
import type { PageServerLoad } from './$types';

/**
 * Every connector with its health and numbers — from PostgreSQL only, never an *arr app — and the
 * background jobs of this process.
 */
export const load = (async () => {
	const { db } = await getRuntime();
	const list = await db.select().from(connectors).orderBy(connectors.name, connectors.id);
	return { connectors: await toResources(db, list), jobs: await jobStatuses(db) };
}) satisfies PageServerLoad;
