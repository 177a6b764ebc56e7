import { getRuntime } from '$lib/server/runtime';
import { toResources } from '$lib/server/api/v1';
import { connectors } from '$lib/server/db/schema';
import type { PageServerLoad } from './$types';

/** Every connector with its health and numbers — from PostgreSQL only, never an *arr app. */
export const load = (async () => {
	const { db } = await getRuntime();
	const list = await db.select().from(connectors).orderBy(connectors.name, connectors.id);
	return { connectors: await toResources(db, list) };
}) satisfies PageServerLoad;
