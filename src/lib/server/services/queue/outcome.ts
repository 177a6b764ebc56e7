/**
 * Writing the outcome of a command: the request row, an append-only history entry, and the search
 * registry rows it covered (moved by the state machine of registry-states.ts: cooldown with the
 * failure category's backoff, exhausted, or back to pending), in one transaction. Also where the
 * failure category of a finished command is decided (`failureFromCommand`).
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
import {
	DEFAULT_COOLDOWN_RULES,
	PAUSE_CONNECTOR,
	afterSearch,
	cooldownFor,
	outcomeSources,
	type CooldownRules
} from './registry-states';

/** After this many searches without success an item is `exhausted` (spec default 10). */
export const MAX_ATTEMPTS = DEFAULT_COOLDOWN_RULES.maxAttempts;

/** CommandStatus values after which a command will not change any more. */
export const FINISHED_COMMAND_STATUSES: ReadonlySet<string> = new Set([
	'completed',
	'failed',
	'aborted',
	'cancelled',
	'orphaned'
]);

/**
 * The grab count of a finished search command, from its `message`, or null when it names none.
 * Sonarr/Radarr: `ProgressInfo("Episode search completed. {0} reports downloaded.")` (also
 * "Season search …", "Movie search …", "Completed search for 0 episodes. 0 reports downloaded.").
 */
export function grabCount(message: string | null): number | null {
	const match = message ? /(\d+) reports? downloaded/i.exec(message) : null;
	return match ? Number(match[1]) : null;
}

/** A failure text that says the app or an indexer refused for rate limiting (HTTP 429). */
const RATE_LIMIT = /\b429\b|too many requests|rate[- ]?limit|request limit/i;
/** A failure text that names an indexer (e.g. "Indexer NZBgeek returned HTTP 503"). */
const INDEXER = /\bindexers?\b/i;

/**
 * The failure category of a command the app reports finished, by these rules in order:
 * - `completed` with "0 reports downloaded" → `no_results`; `completed` otherwise → null (a grab,
 *   or a command that names no count, which is not held against the item);
 * - any other finished status (`failed`, `aborted`, `cancelled`, `orphaned`) whose message mentions
 *   HTTP 429 / a rate or request limit → `rate_limited`;
 * - … whose message names an indexer → `indexer_error`;
 * - … otherwise → `app_error`.
 * A command the tracker gives up waiting for is `timeout` (see command-tracker.ts); a POST answered
 * with 429 is `rate_limited` (dispatcher.ts).
 */
export function failureFromCommand(
	status: string | null,
	message: string | null
): FailureCategory | null {
	if (status === 'completed') return grabCount(message) === 0 ? 'no_results' : null;
	if (message && RATE_LIMIT.test(message)) return 'rate_limited';
	if (message && INDEXER.test(message)) return 'indexer_error';
	return 'app_error';
}

export interface FinishInput {
	request: QueuedRequest;
	outcome: SearchOutcome;
	commandStatus: string | null;
	message: string | null;
	failure: FailureCategory | null;
	/** The standard cooldown in hours (`cooldownHours(connector, profile)` in throttle.ts). */
	cooldownHours: number;
	/**
	 * Growth, cap and max attempts; `DEFAULT_COOLDOWN_RULES` for whatever is left out. Callers pass
	 * the connector's profile's growth (`backoffRules(profile)` in throttle.ts).
	 */
	rules?: Partial<Omit<CooldownRules, 'baseHours'>>;
	finishedAt: Date;
	/**
	 * The app's ids of what was grabbed while the command ran (`grabbedSince`), when known. With it,
	 * an item of a command that grabbed something (`failure` null) that is not among them was
	 * searched and found nothing: it is finished as `no_results`, not with the grab's cooldown.
	 */
	grabbed?: GrabbedItems | null;
}

/** The *arr ids of episodes and movies with a `grabbed` history record (`GET /api/v3/history/since`). */
export interface GrabbedItems {
	arrEpisodeIds: ReadonlySet<number>;
	arrMovieIds: ReadonlySet<number>;
}

/**
 * The failure category of one item of a finished command: the command's, except that an item of
 * a command that grabbed something is `no_results` when `grabbed` is known and does not name it.
 */
export function itemFailure(
	commandFailure: FailureCategory | null,
	item: { arrEpisodeId: number | null; arrMovieId: number | null },
	grabbed: GrabbedItems | null | undefined
): FailureCategory | null {
	if (commandFailure !== null || !grabbed) return commandFailure;
	const hit =
		(item.arrEpisodeId !== null && grabbed.arrEpisodeIds.has(item.arrEpisodeId)) ||
		(item.arrMovieId !== null && grabbed.arrMovieIds.has(item.arrMovieId));
	return hit ? null : 'no_results';
}

export interface FinishResult {
	/** False when the request was already finished (nothing was written). */
	finished: boolean;
	/** Registry rows the request covered, by the state they moved to. */
	items: { cooldown: number; exhausted: number; pending: number };
	/**
	 * The search was rate limited: its items went back to `pending` without an attempt, and the
	 * connector should pause for its error cooldown (the dispatcher's decision, not made here).
	 */
	pauseConnector: boolean;
}

/**
 * Finishes a request: its row, a history entry, its registry rows (each moved by `afterSearch` of
 * registry-states.ts: cooldown, exhausted, or back to pending when rate limited, recording the
 * attempts, the search time, the next eligible time and the item's own category from
 * `itemFailure`: the command's, or `no_results` for an item the grab history does not name; the
 * item's own score from queue time stays), a `search.completed` event (with the command's
 * category) and, for items that reached the max attempts, one `search.exhausted` event. Run it in
 * a transaction so all of that is written or nothing. Idempotent: a request already finished is
 * left as it is.
 * @throws only on database failure
 */
export async function finishRequest(db: DbOrTx, input: FinishInput): Promise<FinishResult> {
	const { request, finishedAt } = input;
	const rules: CooldownRules = {
		...DEFAULT_COOLDOWN_RULES,
		...input.rules,
		baseHours: input.cooldownHours
	};
	const result: FinishResult = {
		finished: false,
		items: { cooldown: 0, exhausted: 0, pending: 0 },
		pauseConnector: cooldownFor(input.failure, 0, rules) === PAUSE_CONNECTOR
	};
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
	if (updated.length === 0) return { ...result, pauseConnector: false };
	result.finished = true;

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

	// Only rows the state machine lets an outcome move (`searching`, a stray `queued`); an item the
	// sync deleted because it was acquired is simply not found.
	const from = sql.join(
		outcomeSources().map((state) => sql`${state}`),
		sql`, `
	);
	const covered = await db.execute<{
		id: number;
		episode_id: number | null;
		movie_id: number | null;
		arr_episode_id: number | null;
		arr_movie_id: number | null;
		attempts: number;
	}>(sql`
		select r.id, r.episode_id, r.movie_id, e.arr_id as arr_episode_id, m.arr_id as arr_movie_id,
			r.attempts
		from search_registry r
		join request_queue_items i on i.registry_id = r.id
		left join episodes e on e.id = r.episode_id
		left join movies m on m.id = r.movie_id
		where i.request_id = ${request.id} and r.state in (${from})
		order by r.id
		for update of r`);
	const moves = [...covered].map((row) => {
		const failure = itemFailure(
			input.failure,
			{ arrEpisodeId: row.arr_episode_id, arrMovieId: row.arr_movie_id },
			input.grabbed
		);
		return {
			row,
			failure,
			next: afterSearch(failure, row.attempts, searchedAt, finishedAt, rules)
		};
	});
	if (moves.length > 0) {
		const values = moves.map(({ row, failure, next }) => ({
			id: row.id,
			state: next.state,
			attempts: next.attempts,
			next_eligible_at: next.nextEligibleAt.toISOString(),
			failure_category: failure
		}));
		// A rate-limited command searched nothing: the last search time stays what it was.
		const searched = result.pauseConnector
			? sql`r.last_searched_at`
			: sql`${searchedAt.toISOString()}::timestamptz`;
		await db.execute(sql`
			update search_registry r set
				state = v.state,
				attempts = v.attempts,
				last_searched_at = ${searched},
				next_eligible_at = v.next_eligible_at,
				failure_category = v.failure_category,
				updated_at = ${finishedAt.toISOString()}::timestamptz
			from jsonb_to_recordset(${JSON.stringify(values)}::text::jsonb)
				as v(id int, state text, attempts smallint, next_eligible_at timestamptz,
					failure_category text)
			where r.id = v.id`);
	}
	for (const { next } of moves) result.items[next.state]++;
	const gaveUp = moves.filter((m) => m.next.state === 'exhausted').map((m) => m.row);
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
							attempts: rules.maxAttempts,
							items: gaveUp.length
						},
						createdAt: finishedAt
					}
				])
	]);
	return result;
}

/**
 * Records that the app accepted `request` as command `command` (from `POST /api/v3/command` or,
 * after a crash, `GET /api/v3/command`): the row turns `sent` and a `search.sent` event is
 * appended, in one transaction. The event's payload carries the command's facts, the app's
 * command id and `itemCount`, the registry rows the command searches. Only a row still `sending` changes; otherwise nothing is written.
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
		// The registry rows it searches, kept on the event: the queue rows are deleted later, and the
		// analytics roll-up must count a season pack's items the same way on every re-run.
		const [linked] = await tx.execute<{ items: number }>(
			sql`select count(*)::int as items from request_queue_items where request_id = ${request.id}`
		);
		await appendEvents(tx, [
			{
				type: 'search.sent',
				connectorId: request.connectorId,
				subject: { commandId: request.id, ...commandSubject(request.payload) },
				payload: {
					...commandFacts(request),
					arrCommandId: command.id,
					itemCount: linked?.items ?? 0
				},
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
