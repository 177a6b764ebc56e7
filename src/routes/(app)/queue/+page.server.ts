import { fail } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { listHistory, listQueue } from '$lib/server/db/queries/stats';
import { cycleAll } from '$lib/server/services/operations';
import { describeDispatch } from './dispatch-summary';
import type { Actions, PageServerLoad } from './$types';

/** The request queue (pending and in flight) and the latest outcomes — from PostgreSQL only. */
export const load = (async ({ depends }) => {
	depends('app:queue');
	const { db } = await getRuntime();
	const [queue, history] = await Promise.all([listQueue(db), listHistory(db, { limit: 50 })]);
	return { queue, history };
}) satisfies PageServerLoad;

export const actions = {
	/** One dispatcher pass over every enabled connector, within each throttle profile. */
	dispatch: async () => {
		const summary = describeDispatch(await cycleAll(await getRuntime()));
		return summary.ok ? summary : fail(502, summary);
	}
} satisfies Actions;
