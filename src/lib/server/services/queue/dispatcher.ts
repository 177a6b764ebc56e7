/**
 * The dispatcher: sends a connector's queued commands under its throttle profile.
 *
 * Each command is claimed and recorded before it is sent: in one transaction, under a
 * per-connector advisory lock (so two Comradarr instances never both spend the same budget), the
 * highest-priority pending row is taken with `FOR UPDATE SKIP LOCKED`, checked against the rolling
 * window and the daily budget, and marked `sending` with its registry rows `searching`. Only then is
 * `POST /api/v3/command` sent. The answer's command id is stored (`sent`); the command tracker polls
 * it to the end. A POST whose fate is unknown (timeout, connection lost) stays `sending` for
 * recovery, which checks the app's command list before anything is sent again.
 *
 * A pass sends nothing (and says why in `stoppedBy`) while:
 * - dispatch is paused (`paused`): the queue or the connector by a user, the connector by a rate
 *   limit (until its `until`), or the connector is disabled or unhealthy;
 * - `now` is outside the profile's active windows (`outside_window`, with `opensAt`);
 * - the app's download queue (`GET /api/v3/queue/status` `totalCount`) holds more than the
 *   connector's `downloadQueueLimit` (`backpressure`; read once per pass, only when something is
 *   due; a failed read is logged and does not hold dispatch back);
 * and it stops claiming when the rolling window is full (`window`), `maxInFlight` commands are in
 * flight (`in_flight`), the next command does not fit today's budget (`budget`), nothing is due
 * (`empty`), the app failed (`error`) or the server is draining for shutdown (`shutting_down`,
 * checked before each claim: the POST in flight is answered first). A POST answered 429, or a
 * command refused as rate limited, pauses the connector for the profile's `errorCooldownSeconds`
 * (`pauseAfterRateLimit`).
 *
 * Which throttle profile governs a claim: the profile of the row about to be claimed. A row a
 * sweep schedule queued (`request_queue.sweep_schedule_id`) whose schedule has its own profile
 * (`sweep_schedules.throttle_profile_id`) is claimed under that profile; every other row under
 * the connector's (`deps.profile`). For each claim the dispatcher takes the next row in the usual
 * order (priority, then age — the order never changes for a profile), resolves its profile, and
 * checks that profile's active windows, rolling window, `maxInFlight` and daily budget against the
 * connector's usage (all its commands count, whichever profile sent them: it is one app). When
 * the row's profile says no, the pass stops there, as it always did; a later pass (or the next
 * row's own profile) decides the rest. The pass-level active-window check before anything is
 * claimed uses the profile of the first due row (the connector's when nothing is due), so an
 * override whose window is open is not held back by the connector's closed one. A failure while
 * sending a row (rate-limit pause, cooldown rules) uses that row's profile too.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db';
import type { DbOrTx } from '../../db';
import {
	requestQueue,
	sweepSchedules,
	throttleProfiles,
	type Connector,
	type QueuedRequest,
	type ThrottleProfile
} from '../../db/schema';
import { EXPECTED_APP_NAME, isArrApiError, type ArrClient } from '../../connectors';
import { moduleLogger } from '../../logger';
import { PAUSED_STATES, reasonForError, recordFailure } from '../health/health-state';
import { finishRequest, recordSent } from './outcome';
import { getSettings } from '../settings/settings-service';
import { allowance, searchRules, cooldownHours, countInFlight, loadUsage } from './throttle';
import { isDispatchPaused, pauseForRateLimit } from './queue-admin';
import { activeWindowState, localClockTime } from '../../time/active-windows';
import { isDraining } from '../jobs/runner';

const log = moduleLogger('dispatcher');

export interface DispatchDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	profile: ThrottleProfile;
	clock?: () => Date;
}

/** Why a dispatcher pass stopped (see the module docstring). */
export type DispatchStop =
	| 'empty'
	| 'window'
	| 'budget'
	| 'paused'
	| 'error'
	| 'in_flight'
	| 'outside_window'
	| 'backpressure'
	| 'shutting_down';

export interface DispatchResult {
	sent: number;
	searches: number;
	failed: number;
	/** Why the pass stopped. */
	stoppedBy: DispatchStop;
	/** With `outside_window`: when the next active window opens. */
	opensAt?: Date;
	/** With `backpressure`: the app's download-queue `totalCount` that held dispatch back. */
	downloadQueue?: number;
}

/** Advisory lock key namespace for per-connector dispatch (pg_advisory_xact_lock(int, int)). */
export const DISPATCH_LOCK_NS = 0x4463;

/** What one pass has read: profiles by id, and each sweep schedule's override profile id. */
interface ProfileCache {
	profiles: Map<number, ThrottleProfile>;
	scheduleProfile: Map<number, number | null>;
}

/**
 * The profile that governs a row (see the module docstring): its sweep schedule's own profile,
 * else the connector's `base`. `cache` keeps what one pass read, so each schedule and profile is
 * read once per pass, not once per claim.
 */
async function profileOfRow(
	db: DbOrTx,
	row: Pick<QueuedRequest, 'sweepScheduleId'>,
	base: ThrottleProfile,
	cache: ProfileCache
): Promise<ThrottleProfile> {
	if (row.sweepScheduleId === null) return base;
	let id = cache.scheduleProfile.get(row.sweepScheduleId);
	if (id === undefined) {
		const [schedule] = await db
			.select({ profileId: sweepSchedules.throttleProfileId })
			.from(sweepSchedules)
			.where(eq(sweepSchedules.id, row.sweepScheduleId));
		id = schedule?.profileId ?? null;
		cache.scheduleProfile.set(row.sweepScheduleId, id);
	}
	if (id === null || id === base.id) return base;
	const known = cache.profiles.get(id);
	if (known) return known;
	const [own] = await db.select().from(throttleProfiles).where(eq(throttleProfiles.id, id));
	if (!own) return base;
	cache.profiles.set(id, own);
	return own;
}

/** A claimed request and the profile it was claimed under. */
interface Claim {
	request: QueuedRequest;
	profile: ThrottleProfile;
}

/** Claims the next request its profile allows, or says why none. */
async function claimNext(
	db: Database,
	connectorId: number,
	base: ThrottleProfile,
	cache: ProfileCache,
	now: Date,
	timeZone: string
): Promise<Claim | 'empty' | 'window' | 'budget' | 'in_flight' | { opensAt: Date }> {
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${DISPATCH_LOCK_NS}, ${connectorId})`);
		const [next] = await tx
			.select()
			.from(requestQueue)
			.where(
				sql`${requestQueue.connectorId} = ${connectorId} and ${requestQueue.status} = 'pending'
					and ${requestQueue.scheduledAt} <= ${now.toISOString()}::timestamptz`
			)
			.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id)
			.limit(1)
			.for('update', { skipLocked: true });
		// With nothing left, the connector's profile says why the pass stops, as it always did.
		const profile = next ? await profileOfRow(tx, next, base, cache) : base;
		if (next) {
			const windows = activeWindowState(profile.activeWindows, now, timeZone);
			if (!windows.inside) return { opensAt: windows.opensAt };
		}
		const left = allowance(profile, await loadUsage(tx, connectorId, profile, now, timeZone));
		if (left.commands <= 0) return 'window';
		// Under the lock: a second dispatcher waits here and then sees this one's claims.
		if ((await countInFlight(tx, connectorId)) >= profile.maxInFlight) return 'in_flight';
		if (!next) return 'empty';
		if (next.searchCount > left.searches) return 'budget';
		const [claimed] = await tx
			.update(requestQueue)
			.set({ status: 'sending', claimedAt: now })
			.where(eq(requestQueue.id, next.id))
			.returning();
		await tx.execute(sql`
			update search_registry r set state = 'searching', updated_at = ${now.toISOString()}::timestamptz
			from request_queue_items i where i.registry_id = r.id and i.request_id = ${next.id}`);
		return claimed ? { request: claimed, profile } : 'empty';
	});
}

/** The connector's first pending request due at `now`, in claim order, or null. */
async function firstDue(
	db: Database,
	connectorId: number,
	now: Date
): Promise<Pick<QueuedRequest, 'id' | 'sweepScheduleId'> | null> {
	const [row] = await db
		.select({ id: requestQueue.id, sweepScheduleId: requestQueue.sweepScheduleId })
		.from(requestQueue)
		.where(
			and(
				eq(requestQueue.connectorId, connectorId),
				sql`${requestQueue.status} = 'pending' and ${requestQueue.scheduledAt} <= ${now.toISOString()}::timestamptz`
			)
		)
		.orderBy(sql`${requestQueue.priority} desc`, requestQueue.id)
		.limit(1);
	return row ?? null;
}

/**
 * Pauses the connector's dispatch for its profile's `errorCooldownSeconds` after a rate limit: a
 * POST answered 429 (`http_429`) or a command the app finished as rate limited (`command`, see
 * outcome.ts `failureFromCommand`). Refreshes an earlier rate-limit pause; a user's pause stays.
 * @returns when dispatch resumes
 */
export async function pauseAfterRateLimit(
	db: Database,
	connector: Pick<Connector, 'id' | 'type'>,
	profile: Pick<ThrottleProfile, 'errorCooldownSeconds'>,
	now: Date,
	cause: 'http_429' | 'command'
): Promise<Date> {
	const until = new Date(now.getTime() + Math.max(0, profile.errorCooldownSeconds) * 1000);
	const { timeZone } = (await getSettings(db)).general;
	const app = EXPECTED_APP_NAME[connector.type];
	const why =
		cause === 'http_429'
			? `Rate limited by ${app} (HTTP 429)`
			: `A search was rate limited by ${app}`;
	const reason = `${why}; dispatch resumes at ${localClockTime(until, timeZone)}`;
	await pauseForRateLimit(db, { connectorId: connector.id, now, until, reason });
	log.warn(
		{ connectorId: connector.id, until: until.toISOString(), cause },
		'dispatch paused: rate limited'
	);
	return until;
}

/**
 * One dispatcher pass for one connector: sends as many commands as the throttle allows now.
 * Never throws for an *arr failure (reported in the result and the connector's health).
 */
export async function dispatchConnector(deps: DispatchDeps): Promise<DispatchResult> {
	const { db, connector, client, profile } = deps;
	const clock = deps.clock ?? (() => new Date());
	const result: DispatchResult = { sent: 0, searches: 0, failed: 0, stoppedBy: 'empty' };
	const start = clock();
	if (
		!connector.enabled ||
		PAUSED_STATES.has(connector.health) ||
		(await isDispatchPaused(db, connector.id, start)).paused
	) {
		result.stoppedBy = 'paused';
		return result;
	}
	// The daily budget and the active windows count the local day of Settings → General.
	const { timeZone } = (await getSettings(db)).general;
	const cache: ProfileCache = { profiles: new Map(), scheduleProfile: new Map() };
	const head = await firstDue(db, connector.id, start);
	const headProfile = head ? await profileOfRow(db, head, profile, cache) : profile;
	const windows = activeWindowState(headProfile.activeWindows, start, timeZone);
	if (!windows.inside) {
		result.stoppedBy = 'outside_window';
		result.opensAt = windows.opensAt;
		return result;
	}
	if (!head) return result;
	if (connector.downloadQueueLimit !== null) {
		try {
			const { totalCount } = await client.getQueueStatus();
			if (totalCount > connector.downloadQueueLimit) {
				log.info(
					{ connectorId: connector.id, totalCount, limit: connector.downloadQueueLimit },
					'dispatch held back: download queue above its limit'
				);
				result.stoppedBy = 'backpressure';
				result.downloadQueue = totalCount;
				return result;
			}
		} catch (error) {
			log.warn(
				{ connectorId: connector.id, err: reasonForError(error) },
				'download queue size unknown: dispatching without backpressure'
			);
		}
	}
	for (;;) {
		// Shutting down (runtime.ts): the POST in flight has been answered; claim nothing more.
		if (isDraining()) {
			result.stoppedBy = 'shutting_down';
			return result;
		}
		const now = clock();
		const claim = await claimNext(db, connector.id, profile, cache, now, timeZone);
		if (typeof claim === 'string') {
			result.stoppedBy = claim;
			return result;
		}
		if ('opensAt' in claim) {
			result.stoppedBy = 'outside_window';
			result.opensAt = claim.opensAt;
			return result;
		}
		const claimed = claim.request;
		const rowProfile = claim.profile;
		try {
			const command = await client.postCommand(claimed.payload);
			await recordSent(db, claimed, command, clock());
			result.sent++;
			result.searches += claimed.searchCount;
			log.info(
				{
					connectorId: connector.id,
					requestId: claimed.id,
					command: claimed.command,
					arrCommandId: command.id,
					searches: claimed.searchCount
				},
				'command sent'
			);
		} catch (error) {
			const rateLimited = isArrApiError(error) && error.kind === 'rate_limited';
			const definite =
				isArrApiError(error) &&
				(error.kind === 'bad_request' ||
					error.kind === 'unauthorized' ||
					error.kind === 'not_found' ||
					error.kind === 'rate_limited' ||
					error.kind === 'invalid_response');
			log.warn(
				{ connectorId: connector.id, requestId: claimed.id, err: reasonForError(error) },
				'command not sent'
			);
			if (definite && !(isArrApiError(error) && error.kind === 'invalid_response')) {
				// The app refused it: nothing ran. Record the failure; the items cool down (or, when
				// rate limited, go back to pending while the connector pauses).
				const rules = await searchRules(db, rowProfile);
				const done = await db.transaction((tx) =>
					finishRequest(tx, {
						request: { ...claimed, status: 'sending' },
						outcome: 'failed',
						commandStatus: null,
						message: reasonForError(error),
						failure: rateLimited ? 'rate_limited' : 'app_error',
						cooldownHours: cooldownHours(connector, rowProfile),
						rules,
						finishedAt: clock()
					})
				);
				result.failed++;
				if (rateLimited || done.pauseConnector) {
					await pauseAfterRateLimit(db, connector, rowProfile, clock(), 'http_429');
				}
			}
			// Otherwise the app may have taken it: the row stays `sending` for recovery to resolve.
			await recordFailure(db, connector.id, error, {
				afterRetries: true,
				context: 'Dispatch failed',
				now: clock()
			});
			result.stoppedBy = 'error';
			return result;
		}
	}
}
