import { fail, type ActionFailure } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { DomainError } from '$lib/server/errors';
import { cycleAll } from '$lib/server/services/operations';
import {
	clearPending,
	listInFlight,
	pauseDispatch,
	PRIORITY_LIMITS,
	removeRequest,
	resumeDispatch,
	setRequestPriority
} from '$lib/server/services/queue/queue-admin';
import {
	listConnectorOptions,
	listPauses,
	listQueuePage,
	topPriority
} from '$lib/server/services/queue/queue-view';
import { recentHistory } from '$lib/server/services/history/history-service';
import { countOf } from '$lib/components/connectors/format';
import { describeDispatch } from './dispatch-summary';
import { QUEUE_PAGE_SIZE, readQueueQuery } from './queue-query';
import type { Actions, PageServerLoad } from './$types';

/** Recent completions shown under the queue. */
const RECENT = 20;

/**
 * The Queue page: one page of pending batches in dispatch order (`?page=`, `?connectorId=`), the
 * pauses, the commands in flight and the latest completions — from PostgreSQL only.
 */
export const load = (async ({ depends, url }) => {
	depends('app:queue');
	const { db } = await getRuntime();
	const query = readQueueQuery(url.searchParams);
	const now = new Date();
	const [pending, pauses, inFlight, recent, connectors] = await Promise.all([
		listQueuePage(db, {
			page: query.page,
			pageSize: QUEUE_PAGE_SIZE,
			connectorId: query.connectorId,
			now
		}),
		listPauses(db, now),
		listInFlight(db),
		recentHistory(db, RECENT),
		listConnectorOptions(db)
	]);
	return { query, pending, pauses, inFlight, recent, connectors };
}) satisfies PageServerLoad;

/** An action's answer: the sentence for the toast. */
type Outcome = { ok: boolean; message: string };

/** A positive id from a form field, or undefined when absent/empty. */
function optionalId(form: FormData, name: string): number | undefined | null {
	const raw = form.get(name);
	if (raw === null || raw === '') return undefined;
	const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
	return Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? id : null;
}

/** Runs a queue write, turning a DomainError (404, 409) into a failed outcome for the toast. */
async function attempt(run: () => Promise<string>): Promise<Outcome | ActionFailure<Outcome>> {
	try {
		return { ok: true, message: await run() };
	} catch (error) {
		if (error instanceof DomainError) {
			return fail(error.status, { ok: false, message: error.message });
		}
		throw error;
	}
}

const badRequest = (message: string): ActionFailure<Outcome> => fail(400, { ok: false, message });

export const actions = {
	/** One dispatcher pass over every enabled connector, within each throttle profile. */
	dispatch: async () => {
		const summary = { ...describeDispatch(await cycleAll(await getRuntime())), action: 'dispatch' };
		return summary.ok ? summary : fail(502, summary);
	},

	/** Pauses dispatch for every connector, or one (`connectorId`). */
	pause: async ({ request }) => {
		const connectorId = optionalId(await request.formData(), 'connectorId');
		if (connectorId === null) return badRequest('Unknown connector.');
		const { db } = await getRuntime();
		return attempt(async () => {
			await pauseDispatch(db, { connectorId, now: new Date() });
			return connectorId === undefined
				? 'Queue paused for every connector.'
				: 'Queue paused for this connector.';
		});
	},

	/** Resumes dispatch for every connector (the global pause), or one (`connectorId`). */
	resume: async ({ request }) => {
		const connectorId = optionalId(await request.formData(), 'connectorId');
		if (connectorId === null) return badRequest('Unknown connector.');
		const { db } = await getRuntime();
		return attempt(async () => {
			await resumeDispatch(db, { connectorId });
			return connectorId === undefined ? 'Queue resumed.' : 'Queue resumed for this connector.';
		});
	},

	/** Removes one pending batch (`id`); its items wait out the search cooldown. */
	remove: async ({ request }) => {
		const id = optionalId(await request.formData(), 'id');
		if (!id) return badRequest('Choose a batch to remove.');
		const { db } = await getRuntime();
		return attempt(async () => {
			const result = await removeRequest(db, { id, now: new Date() });
			return `Removed the batch (${countOf(result.searches, 'search', 'searches')}); its items wait out the search cooldown.`;
		});
	},

	/** Clears every pending batch, or one connector's (`connectorId`). */
	clear: async ({ request }) => {
		const connectorId = optionalId(await request.formData(), 'connectorId');
		if (connectorId === null) return badRequest('Unknown connector.');
		const { db } = await getRuntime();
		return attempt(async () => {
			const result = await clearPending(db, { connectorId, now: new Date() });
			return result.removed === 0
				? 'Nothing was pending.'
				: `Cleared ${countOf(result.removed, 'batch', 'batches')} (${countOf(result.searches, 'search', 'searches')}).`;
		});
	},

	/**
	 * Sets a batch's priority (`id`, `priority`), or moves it to the top of the dispatch order
	 * (`top=1`: one above the highest pending priority). Either marks the batch manual.
	 */
	priority: async ({ request }) => {
		const form = await request.formData();
		const id = optionalId(form, 'id');
		if (!id) return badRequest('Choose a batch.');
		const { db } = await getRuntime();
		const toTop = form.get('top') === '1';
		let priority: number;
		if (toTop) {
			priority = Math.min(PRIORITY_LIMITS.max, await topPriority(db, { fallback: 0 }));
		} else {
			const raw = String(form.get('priority') ?? '').trim();
			priority = /^-?\d{1,7}$/.test(raw) ? Number(raw) : NaN;
			if (
				!Number.isSafeInteger(priority) ||
				priority < PRIORITY_LIMITS.min ||
				priority > PRIORITY_LIMITS.max
			) {
				return badRequest(
					`Priority must be a whole number from ${PRIORITY_LIMITS.min.toLocaleString('en')} to ${PRIORITY_LIMITS.max.toLocaleString('en')}.`
				);
			}
		}
		return attempt(async () => {
			const row = await setRequestPriority(db, { id, priority });
			return toTop
				? 'Moved the batch to the top of the queue.'
				: `Priority set to ${row.priority.toLocaleString('en')}.`;
		});
	}
} satisfies Actions;
