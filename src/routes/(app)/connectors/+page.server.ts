import { getRuntime } from '$lib/server/runtime';
import { toResources } from '$lib/server/api/v1';
import { connectors } from '$lib/server/db/schema';
import { deleteAction, sweepAction, syncAction, toggleAction } from './connector-actions.server';
import type { Actions, PageServerLoad } from './$types';

/** Every connector with its health, last sync and numbers — from PostgreSQL only. */
export const load = (async () => {
	const { db } = await getRuntime();
	const list = await db.select().from(connectors).orderBy(connectors.name, connectors.id);
	return { connectors: await toResources(db, list) };
}) satisfies PageServerLoad;

export const actions = {
	sync: syncAction,
	sweep: sweepAction,
	toggle: toggleAction,
	delete: (event) => deleteAction(event)
} satisfies Actions;
