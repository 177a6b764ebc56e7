/**
 * Writing the outcome of a command: the request row, an append-only history entry, and the search
 * registry rows it covered (cooldown with backoff, or exhausted), in one transaction.
 */
import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
import {
	requestQueue,
	searchHistory,
	type FailureCategory,
	type QueuedRequest,
	type SearchCommandBody,
	type SearchOutcome
} from '../../db/schema';
import { appendEvents } from '../../db/queries/events';
import type { EventSubject } from '../../../types/events';

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
	const covered = await db.execute<{
		episode_id: number | null;
		movie_id: number | null;
		state: string;
	}>(sql`
		update search_registry r set
			attempts = r.attempts + 1,
			last_searched_at = ${searchedAt.toISOString()}::timestamptz,
			failure_category = ${input.failure},
			state = case when r.attempts + 1 >= ${MAX_ATTEMPTS} then 'exhausted' else 'cooldown' end,
			next_eligible_at = ${searchedAt.toISOString()}::timestamptz
				+ make_interval(hours => ${input.cooldownHours} * power(2, least(r.attempts, ${MAX_BACKOFF_EXPONENT}))::int),
			updated_at = ${finishedAt.toISOString()}::timestamptz
		from request_queue_items i
		where i.registry_id = r.id and i.request_id = ${request.id}
		returning r.episode_id, r.movie_id, r.state`);
	const gaveUp = [...covered].filter((r) => r.state === 'exhausted');
	await appendEvents(db, [
		{
			type: 'search.completed',
			connectorId: request.connectorId,
			subject: { commandId: request.id, ...commandSubject(request.payload) },
			payload: {
				...commandFacts(request),
				outcome: input.outcome,
				commandStatus: input.commandStatus,
				message: input.message,
				failure: input.failure
			},
			createdAt: finishedAt
		},
		...(gaveUp.length === 0
			? []
			: [
					{
						type: 'search.exhausted' as const,
						connectorId: request.connectorId,
						subject: {
							commandId: request.id,
							episodeIds: gaveUp.flatMap((r) => (r.episode_id === null ? [] : [r.episode_id])),
							movieIds: gaveUp.flatMap((r) => (r.movie_id === null ? [] : [r.movie_id]))
						},
						payload: {
							label: request.label,
							searchType: request.searchType,
							attempts: MAX_ATTEMPTS,
							items: gaveUp.length
						},
						createdAt: finishedAt
					}
				])
	]);
}

/**
 * Records that the app accepted `request` as command `command` (from `POST /api/v3/command` or,
 * after a crash, `GET /api/v3/command`): the row turns `sent` and a `search.sent` event is
 * appended, in one transaction. Only a row still `sending` changes; otherwise nothing is written.
 * @returns whether the row changed
 */
export async function recordSent(
	db: Database,
	request: QueuedRequest,
	command: { id: number; status: string | null },
	sentAt: Date
): Promise<boolean> {
	return db.transaction(async (tx) => {
		const changed = await tx
			.update(requestQueue)
			.set({ status: 'sent', sentAt, arrCommandId: command.id, commandStatus: command.status })
			.where(sql`${requestQueue.id} = ${request.id} and ${requestQueue.status} = 'sending'`)
			.returning({ id: requestQueue.id });
		if (changed.length === 0) return false;
		await appendEvents(tx, [
			{
				type: 'search.sent',
				connectorId: request.connectorId,
				subject: { commandId: request.id, ...commandSubject(request.payload) },
				payload: { ...commandFacts(request), arrCommandId: command.id },
				createdAt: sentAt
			}
		]);
		return true;
	});
}

/** What the search events say of their command: its name, kind, cost and label. */
function commandFacts(request: QueuedRequest): Record<string, unknown> {
	return {
		command: request.command,
		searchType: request.searchType,
		searchCount: request.searchCount,
		label: request.label
	};
}

/** The app's ids a search command names, as an event subject. */
export function commandSubject(payload: SearchCommandBody): EventSubject {
	switch (payload.name) {
		case 'EpisodeSearch':
			return { arrEpisodeIds: payload.episodeIds };
		case 'SeasonSearch':
			return { arrSeriesId: payload.seriesId, seasonNumber: payload.seasonNumber };
		case 'MoviesSearch':
			return { arrMovieIds: payload.movieIds };
	}
}
