/**
 * Crash recovery for commands recorded but not known to be sent (`sending` with no command id).
 *
 * A row is `sending` from its claim until the app's answer is stored; after a crash or a lost
 * answer we do not know whether the app received the POST. The app's in-memory command list
 * (`GET /api/v3/command`) keeps every command until ~5 minutes after it ended (arr-api README §3):
 * - a matching command (same name and ids, queued after our claim) is adopted: never re-sent;
 * - no match and the claim is under 5 minutes old: the app never got it, so it is sent now (once:
 *   the row is re-recorded with a fresh claim before the POST, and the app de-duplicates an
 *   identical queued command anyway);
 * - no match and older: we cannot know. Nothing is re-sent; the request is finished as `unknown`
 *   and its items cool down, so they are searched again later — lost neither way.
 *
 * Re-sending obeys the dispatcher's pauses: nothing is re-sent while the connector's dispatch is
 * paused (by the user or after a rate limit), and a re-send answered 429 pauses it for the
 * profile's `errorCooldownSeconds` (dispatcher.ts `pauseAfterRateLimit`) and ends the pass, so a
 * rate-limited app is not asked again every pass.
 */
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Database } from '../../db';
import {
	requestQueue,
	type Connector,
	type QueuedRequest,
	type SearchCommandBody,
	type ThrottleProfile
} from '../../db/schema';
import { isArrApiError, type ArrClient, type ArrCommand } from '../../connectors';
import { moduleLogger } from '../../logger';
import { searchRules, cooldownHours } from './throttle';
import { finishRequest, recordSent } from './outcome';
import { pauseAfterRateLimit } from './dispatcher';
import { isDispatchPaused } from './queue-admin';

const log = moduleLogger('recovery');

/** A `sending` row younger than this may still be mid-POST in a live dispatcher: leave it. */
export const IN_FLIGHT_GRACE_MS = 2 * 60_000;
/** The apps keep finished commands in their list for about this long (CommandQueueManager). */
export const COMMAND_LIST_RETENTION_MS = 5 * 60_000;
/** Tolerated clock difference between Comradarr and the app. */
const CLOCK_SKEW_MS = 60_000;

function sameIds(a: unknown, b: readonly number[]): boolean {
	if (!Array.isArray(a) || a.length !== b.length) return false;
	const left = [...a].map(Number).sort((x, y) => x - y);
	const right = [...b].sort((x, y) => x - y);
	return left.every((v, i) => v === right[i]);
}

/** Whether an *arr command is the one we would have sent for `payload`. */
export function matchesPayload(command: ArrCommand, payload: SearchCommandBody): boolean {
	if (command.name.toLowerCase() !== payload.name.toLowerCase()) return false;
	switch (payload.name) {
		case 'EpisodeSearch':
			return sameIds(command.body.episodeIds, payload.episodeIds);
		case 'MoviesSearch':
			return sameIds(command.body.movieIds, payload.movieIds);
		case 'SeasonSearch':
			return (
				Number(command.body.seriesId) === payload.seriesId &&
				Number(command.body.seasonNumber) === payload.seasonNumber
			);
	}
}

export interface RecoveryDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	profile: ThrottleProfile;
	clock?: () => Date;
	/** Rows claimed before this instant are orphaned (default: now − IN_FLIGHT_GRACE_MS). */
	claimedBefore?: Date;
}

export interface RecoveryResult {
	adopted: number;
	resent: number;
	abandoned: number;
}

/** Resolves a connector's orphaned `sending` rows. App failures leave them for the next pass. */
export async function recoverInFlight(deps: RecoveryDeps): Promise<RecoveryResult> {
	const { db, connector, client, profile } = deps;
	const clock = deps.clock ?? (() => new Date());
	const now = clock();
	const cutoff = deps.claimedBefore ?? new Date(now.getTime() - IN_FLIGHT_GRACE_MS);
	const orphans = await db
		.select()
		.from(requestQueue)
		.where(
			and(
				eq(requestQueue.connectorId, connector.id),
				eq(requestQueue.status, 'sending'),
				isNull(requestQueue.arrCommandId),
				lt(requestQueue.claimedAt, cutoff)
			)
		);
	const result: RecoveryResult = { adopted: 0, resent: 0, abandoned: 0 };
	if (orphans.length === 0) return result;

	let commands: ArrCommand[];
	try {
		commands = await client.listCommands();
	} catch (error) {
		log.warn(
			{ connectorId: connector.id, err: String(error) },
			'recovery postponed: command list unavailable'
		);
		return result;
	}
	let resendAllowed = !(await isDispatchPaused(db, connector.id, now)).paused;
	for (const row of orphans) {
		const claimedAt = row.claimedAt ?? now;
		const match = commands.find(
			(c) =>
				matchesPayload(c, row.payload) &&
				(c.queued === null || c.queued.getTime() >= claimedAt.getTime() - CLOCK_SKEW_MS)
		);
		if (match) {
			await recordSent(db, row, match, match.queued ?? claimedAt);
			result.adopted++;
			log.info(
				{ connectorId: connector.id, requestId: row.id, arrCommandId: match.id },
				'recovered command adopted'
			);
		} else if (now.getTime() - claimedAt.getTime() < COMMAND_LIST_RETENTION_MS) {
			// Paused: left as it is; a later pass re-sends it, or finishes it as unknown once too old.
			if (!resendAllowed) continue;
			const sent = await resend(db, client, row, clock);
			if (sent === 'sent') result.resent++;
			if (sent === 'rate_limited') {
				await pauseAfterRateLimit(db, connector, profile, clock(), 'http_429');
				resendAllowed = false;
			}
		} else {
			const rules = await searchRules(db, profile);
			await db.transaction((tx) =>
				finishRequest(tx, {
					request: row,
					outcome: 'unknown',
					commandStatus: null,
					message:
						'Comradarr stopped while sending this command; whether the app received it is unknown',
					failure: 'app_error',
					cooldownHours: cooldownHours(connector, profile),
					rules,
					finishedAt: now
				})
			);
			result.abandoned++;
		}
	}
	return result;
}

/** Sends an orphan again. A failure leaves it `sending` for a later pass. */
async function resend(
	db: Database,
	client: ArrClient,
	row: QueuedRequest,
	clock: () => Date
): Promise<'sent' | 'failed' | 'rate_limited'> {
	// Re-record first: the new claim counts against the throttle window and dates this attempt.
	await db.update(requestQueue).set({ claimedAt: clock() }).where(eq(requestQueue.id, row.id));
	try {
		const command = await client.postCommand(row.payload);
		await recordSent(db, row, command, clock());
		log.info({ requestId: row.id, arrCommandId: command.id }, 'recovered command sent');
		return 'sent';
	} catch (error) {
		log.warn({ requestId: row.id, err: String(error) }, 'recovered command not sent; will retry');
		return isArrApiError(error) && error.kind === 'rate_limited' ? 'rate_limited' : 'failed';
	}
}
