/**
 * Writing the outcome of a command: the request row, an append-only history entry, and the search
 * registry rows it covered (cooldown with backoff, or exhausted), in one transaction.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	requestQueue,
	searchHistory,
	type FailureCategory,
	type QueuedRequest,
	type SearchOutcome
} from '../../db/schema';

/** After this many searches without success an item is `exhausted` (spec default 10). */
export const MAX_ATTEMPTS = 10;
/** Cooldown multiplier caps at 2^3: 24 h, 48 h, 96 h, then 192 h for the Moderate profile. */
const MAX_BACKOFF_EXPONENT = 3;

/** CommandStatus values after which a command will not change any more. */
export const FINISHED_COMMAND_STATUSES: ReadonlySet<string> = new Set([
	'completed',
	'failed',
	'aborted',
	'cancelled',
	'orphaned'
]);

/** Reads "N reports downloaded" style messages: 0 means the search found nothing to grab. */
export function failureFromCommand(
	status: string | null,
	message: string | null
): FailureCategory | null {
	if (status && status !== 'completed') return 'command_failed';
	if (message && /^0 reports? downloaded/i.test(message.trim())) return 'no_results';
	return null;
}

export interface FinishInput {
	request: QueuedRequest;
	outcome: SearchOutcome;
	commandStatus: string | null;
	message: string | null;
	failure: FailureCategory | null;
	cooldownHours: number;
	finishedAt: Date;
}

/** Finishes a request. Idempotent: a request already finished is left as it is. */
export async function finishRequest(db: DbOrTx, input: FinishInput): Promise<void> {
	const { request, finishedAt } = input;
	const updated = await db
		.update(requestQueue)
		.set({
			status: input.outcome === 'failed' ? 'failed' : 'completed',
			commandStatus: input.commandStatus,
			message: input.message,
			finishedAt
		})
		.where(
			sql`${requestQueue.id} = ${request.id} and ${requestQueue.status} in ('sending', 'sent')`
		)
		.returning({ id: requestQueue.id });
	if (updated.length === 0) return;

	const searchedAt = request.claimedAt ?? finishedAt;
	await db.insert(searchHistory).values({
		connectorId: request.connectorId,
		requestId: request.id,
		command: request.command,
		searchType: request.searchType,
		searchCount: request.searchCount,
		label: request.label,
		payload: request.payload,
		arrCommandId: request.arrCommandId,
		outcome: input.outcome,
		commandStatus: input.commandStatus,
		message: input.message,
		sentAt: request.sentAt,
		finishedAt,
		durationMs: request.sentAt ? Math.max(0, finishedAt.getTime() - request.sentAt.getTime()) : null
	});
	await db.execute(sql`
		update search_registry r set
			attempts = r.attempts + 1,
			last_searched_at = ${searchedAt.toISOString()}::timestamptz,
			failure_category = ${input.failure},
			state = case when r.attempts + 1 >= ${MAX_ATTEMPTS} then 'exhausted' else 'cooldown' end,
			next_eligible_at = ${searchedAt.toISOString()}::timestamptz
				+ make_interval(hours => ${input.cooldownHours} * power(2, least(r.attempts, ${MAX_BACKOFF_EXPONENT}))::int),
			updated_at = ${finishedAt.toISOString()}::timestamptz
		from request_queue_items i
		where i.registry_id = r.id and i.request_id = ${request.id}`);
}
