/**
 * The command tracker: polls `GET /api/v3/command/{id}` for every sent command of a connector
 * until it finishes (completed / failed / aborted / cancelled / orphaned), then writes the outcome
 * with its failure category (outcome.ts `failureFromCommand`).
 * - A command the app no longer knows (404: trimmed after a day) is finished as outcome `unknown`,
 *   category `app_error`.
 * - A command not finished `timeoutMs` after it was sent is given up: outcome `unknown`, category
 *   `timeout`, so its items cool down instead of waiting on it for ever. If the app runs it later
 *   anyway, whatever it grabs reaches us through the sync.
 * - A command finished as rate limited pauses the connector's dispatch for the profile's error
 *   cooldown (dispatcher.ts `pauseAfterRateLimit`).
 * - A completed command that grabbed something (its message names a count other than 0, or none)
 *   is attributed per item: the app's `grabbed` history records since the command was claimed
 *   (`GET /api/v3/history/since?eventType=grabbed`, one record per episode or movie of a grabbed
 *   release) say which of its items were grabbed; the others found nothing and are finished as
 *   `no_results` (outcome.ts `itemFailure`). Without that, a season search that grabbed one
 *   episode would give every other episode of the season the grab's short cooldown, and they would
 *   be searched again the next day. When the history cannot be read, every item keeps the
 *   command's outcome, as before.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db';
import {
	requestQueue,
	type Connector,
	type QueuedRequest,
	type FailureCategory,
	type SearchOutcome,
	type ThrottleProfile
} from '../../db/schema';
import type { ArrClient, ArrCommand } from '../../connectors';
import { moduleLogger } from '../../logger';
import { cooldownHours, searchRules } from './throttle';
import { pauseAfterRateLimit } from './dispatcher';
import {
	FINISHED_COMMAND_STATUSES,
	failureFromCommand,
	finishRequest,
	grabCount,
	type FinishInput,
	type GrabbedItems
} from './outcome';

const log = moduleLogger('command-tracker');

/**
 * A search command not finished this long after it was sent is given up (ms). The apps run at most
 * three commands at once and a search takes seconds to minutes; two hours means it sat behind
 * long tasks (a library refresh, a backlog of imports) or the app lost it.
 */
export const TRACKING_TIMEOUT_MS = 2 * 3_600_000;

export interface TrackDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	profile: ThrottleProfile;
	clock?: () => Date;
	/** Give up on a command this long after it was sent, in ms (default `TRACKING_TIMEOUT_MS`). */
	timeoutMs?: number;
	/**
	 * Cooldown growth, cap and max attempts (default: the profile's `backoffMultiplier`, the rest
	 * `DEFAULT_COOLDOWN_RULES`).
	 */
	rules?: FinishInput['rules'];
}

/**
 * How far before a command's claim the grab history is read (ms): the app's clock may run behind
 * ours. A grab found this early is still a recent grab of the item, so counting it is harmless.
 */
export const GRAB_HISTORY_SLACK_MS = 10 * 60_000;

/**
 * The app's ids of every episode and movie with a `grabbed` history record at or after `since`
 * (`GET /api/v3/history/since?date=&eventType=grabbed`: HistoryResource `episodeId` / `movieId`).
 * @throws ArrApiError when the app cannot be read
 */
export async function grabbedSince(client: ArrClient, since: Date): Promise<GrabbedItems> {
	const arrEpisodeIds = new Set<number>();
	const arrMovieIds = new Set<number>();
	for await (const batch of client.historySince(since, { eventType: 'grabbed' })) {
		for (const h of batch.items) {
			if (h.eventType !== 'grabbed') continue; // an app that ignores `eventType` sends all
			if (h.arrEpisodeId !== null) arrEpisodeIds.add(h.arrEpisodeId);
			if (h.arrMovieId !== null) arrMovieIds.add(h.arrMovieId);
		}
	}
	return { arrEpisodeIds, arrMovieIds };
}

export interface TrackResult {
	checked: number;
	finished: number;
	/** Of those finished, how many were given up after the timeout. */
	timedOut: number;
	/** A finished command was rate limited: the connector should pause (see outcome.ts). */
	pauseConnector: boolean;
}

/** Polls every sent command of one connector once. Errors of the app are logged, not thrown. */
export async function trackCommands(deps: TrackDeps): Promise<TrackResult> {
	const { db, connector, client, profile } = deps;
	const clock = deps.clock ?? (() => new Date());
	const sent = await db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.connectorId, connector.id), eq(requestQueue.status, 'sent')));
	const result: TrackResult = { checked: 0, finished: 0, timedOut: 0, pauseConnector: false };
	const timeoutMs = deps.timeoutMs ?? TRACKING_TIMEOUT_MS;
	// First every command is polled, then what finished is written: the grab history is read once,
	// after the last poll, so it holds every grab of every command seen finished.
	const finishing: {
		request: QueuedRequest;
		command: ArrCommand | null;
		finish: { outcome: SearchOutcome; failure: FailureCategory | null; message: string | null };
		finishedAt: Date;
		/** Completed with a grab count other than 0: its items are told apart by the grab history. */
		attribute: boolean;
	}[] = [];
	for (const request of sent) {
		if (request.arrCommandId === null) continue;
		let command;
		try {
			command = await client.getCommand(request.arrCommandId);
		} catch (error) {
			log.warn(
				{ connectorId: connector.id, requestId: request.id, err: String(error) },
				'command poll failed'
			);
			break; // the app is in trouble: try again on the next pass
		}
		result.checked++;
		const now = clock();
		let finish: { outcome: SearchOutcome; failure: FailureCategory | null; message: string | null };
		if (command === null) {
			finish = {
				outcome: 'unknown',
				failure: 'app_error',
				message: 'The app no longer knows this command'
			};
		} else if (FINISHED_COMMAND_STATUSES.has(command.status)) {
			finish = {
				outcome: command.status === 'completed' ? 'completed' : 'failed',
				failure: failureFromCommand(command.status, command.message),
				message: command.message
			};
		} else if (
			now.getTime() - (request.sentAt ?? request.claimedAt ?? now).getTime() >=
			timeoutMs
		) {
			finish = {
				outcome: 'unknown',
				failure: 'timeout',
				message: `No result within ${Math.round(timeoutMs / 60_000)} min (still ${command.status})`
			};
		} else {
			if (command.status !== request.commandStatus) {
				await db
					.update(requestQueue)
					.set({ commandStatus: command.status })
					.where(eq(requestQueue.id, request.id));
			}
			continue;
		}
		finishing.push({
			request,
			command,
			finish,
			finishedAt: (finish.failure !== 'timeout' ? command?.ended : null) ?? now,
			attribute: command?.status === 'completed' && grabCount(command.message) !== 0
		});
	}
	if (finishing.length === 0) return result;

	const attributed = finishing.filter((f) => f.attribute);
	let grabbed: GrabbedItems | null = null;
	if (attributed.length > 0) {
		const from = Math.min(
			...attributed.map(({ request, finishedAt }) =>
				(request.claimedAt ?? request.sentAt ?? finishedAt).getTime()
			)
		);
		try {
			grabbed = await grabbedSince(client, new Date(from - GRAB_HISTORY_SLACK_MS));
		} catch (error) {
			log.warn(
				{ connectorId: connector.id, err: String(error) },
				'grab history not readable: every item keeps its command outcome'
			);
		}
	}
	const rules = { ...(await searchRules(db, profile)), ...deps.rules };
	for (const { request, command, finish, finishedAt, attribute } of finishing) {
		const done = await db.transaction((tx) =>
			finishRequest(tx, {
				request,
				outcome: finish.outcome,
				commandStatus: command?.status ?? null,
				message: finish.message,
				failure: finish.failure,
				cooldownHours: cooldownHours(connector, profile),
				rules,
				grabbed: attribute ? grabbed : null,
				finishedAt
			})
		);
		if (!done.finished) continue;
		result.finished++;
		if (finish.failure === 'timeout') result.timedOut++;
		if (done.pauseConnector) result.pauseConnector = true;
	}
	// A command the app finished as rate limited: stop sending for the profile's error cooldown.
	if (result.pauseConnector) await pauseAfterRateLimit(db, connector, profile, clock(), 'command');
	return result;
}
