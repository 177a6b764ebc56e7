/**
 * Bulk actions of the content browser (issue 11 §2): queue a search, adjust the priority, mark
 * exhausted or clear the search state of many series and movies at once — the rows the user
 * selected, or every row matching a filter. It is a background job (`content.bulk`, one at a
 * time): a filter may match tens of thousands of rows.
 *
 * Each row goes through the same service as its page's button (items/item-actions.ts
 * `searchNow` / `markExhausted` / `clearSearchState`, items/priority-overrides.ts), one
 * transaction per row, so a row's refusal ("nothing wanted", "already exhausted") skips that row
 * only and is counted by its code; an unexpected error fails the row and the run ends `partial`.
 */
import type { Database } from '../../db';
import type { BulkAction, ContentFilter, ContentRef } from '$lib/schemas/content';
import { asDomainError } from '../../errors';
import { clearSearchState, markExhausted, searchNow, type ItemTarget } from '../items/item-actions';
import {
	clearPriorityOverride,
	OverrideNotFoundError,
	setPriorityOverride
} from '../items/priority-overrides';
import { startJob, type JobContext, type JobOutcome, type StartedJob } from '../jobs';
import { matchingRefs } from './content-browser';

/** The job's name (and lock). */
export const BULK_JOB = 'content.bulk';

/** What a bulk action acts on. */
export type BulkScope = { items: ContentRef[] } | { filter: ContentFilter };

export interface BulkRequest {
	action: BulkAction;
	scope: BulkScope;
	/** Points for `priority` (0 clears the override). */
	delta?: number | undefined;
}

/** The run's `result`. */
export interface BulkResult {
	action: BulkAction;
	/** Rows acted on. */
	rows: number;
	/** Rows the action changed. */
	changed: number;
	/** Rows refused, by the refusal's code (`items.nothing_wanted`, `items.already_exhausted`…). */
	skipped: Record<string, number>;
	/** Rows that failed unexpectedly. */
	failed: number;
	/** `search`: search commands queued. */
	commands: number;
}

const VERBS: Record<BulkAction, string> = {
	search: 'Queued a search for',
	priority: 'Adjusted the priority of',
	exhaust: 'Marked exhausted',
	clear: 'Cleared the search state of'
};

const SKIP_REASONS: Record<string, string> = {
	'items.nothing_wanted': 'nothing wanted',
	'items.already_queued': 'already queued',
	'items.exhausted': 'exhausted',
	'items.searching': 'being searched',
	'items.already_exhausted': 'already exhausted',
	'series.not_found': 'gone',
	'movies.not_found': 'gone'
};

const rowsWord = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;

/** "Queued a search for 3 of 5 rows (2 nothing wanted)." */
export function bulkMessage(result: BulkResult): string {
	const parts = Object.entries(result.skipped).map(
		([code, n]) => `${n.toLocaleString('en-US')} ${SKIP_REASONS[code] ?? code}`
	);
	if (result.failed > 0) parts.push(`${result.failed.toLocaleString('en-US')} failed`);
	const commands =
		result.action === 'search' && result.commands > 0
			? `, ${result.commands.toLocaleString('en-US')} ${result.commands === 1 ? 'command' : 'commands'}`
			: '';
	const rest = parts.length === 0 ? '' : ` (${parts.join(', ')})`;
	return `${VERBS[result.action]} ${result.changed.toLocaleString('en-US')} of ${rowsWord(result.rows)}${commands}${rest}.`;
}

const targetOf = (ref: ContentRef): ItemTarget =>
	ref.kind === 'series' ? { kind: 'series', seriesId: ref.id } : { kind: 'movie', movieId: ref.id };

/** Applies `action` to one row; returns the commands it queued (search) or 0. */
async function applyOne(
	db: Database,
	request: BulkRequest,
	ref: ContentRef,
	now: Date
): Promise<number> {
	switch (request.action) {
		case 'search':
			return (await searchNow(db, { target: targetOf(ref), now })).requests.length;
		case 'exhaust':
			await markExhausted(db, { target: targetOf(ref), now });
			return 0;
		case 'clear':
			await clearSearchState(db, { target: targetOf(ref), now });
			return 0;
		case 'priority': {
			const delta = request.delta ?? 0;
			if (delta === 0) {
				try {
					await clearPriorityOverride(db, { target: ref.kind, id: ref.id, now });
				} catch (error) {
					// Nothing to clear is what was asked for.
					if (!(error instanceof OverrideNotFoundError)) throw error;
				}
			} else {
				await setPriorityOverride(db, { target: ref.kind, id: ref.id, delta, now });
			}
			return 0;
		}
	}
}

/**
 * The job body: resolves the scope (a filter is read when the job starts), then applies the action
 * row by row, reporting `rows` progress.
 */
export function bulkJob(deps: {
	db: Database;
	request: BulkRequest;
	clock?: () => Date;
}): (ctx: JobContext) => Promise<JobOutcome> {
	const clock = deps.clock ?? (() => new Date());
	return async (ctx) => {
		const { db, request } = deps;
		ctx.step('rows', 0, null, 'Finding the rows');
		const refs =
			'items' in request.scope ? request.scope.items : await matchingRefs(db, request.scope.filter);
		const result: BulkResult = {
			action: request.action,
			rows: refs.length,
			changed: 0,
			skipped: {},
			failed: 0,
			commands: 0
		};
		for (const [index, ref] of refs.entries()) {
			try {
				result.commands += await applyOne(db, request, ref, clock());
				result.changed++;
			} catch (error) {
				const refusal = asDomainError(error);
				if (refusal) {
					result.skipped[refusal.code] = (result.skipped[refusal.code] ?? 0) + 1;
				} else {
					result.failed++;
					ctx.log.error({ err: error, kind: ref.kind, id: ref.id }, 'bulk action failed on a row');
				}
			}
			ctx.step('rows', index + 1, refs.length, `${index + 1} of ${refs.length}`);
		}
		const message = bulkMessage(result);
		const status =
			result.failed > 0 && result.changed === 0
				? 'failed'
				: result.failed > 0
					? 'partial'
					: 'success';
		return {
			status,
			message,
			result: { ...result },
			...(status === 'failed' ? { error: message } : {})
		};
	};
}

/**
 * Starts a bulk action as the `content.bulk` job and returns the run at once.
 * @throws JobConflictError (409) while another bulk action runs, MaintenanceError (503) during a
 *   restore.
 */
export function startBulkAction(
	db: Database,
	request: BulkRequest,
	userId: number | null
): Promise<StartedJob> {
	return startJob({ db, job: BULK_JOB, userId, run: bulkJob({ db, request }) });
}
