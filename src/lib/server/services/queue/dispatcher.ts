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
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db';
import {
	requestQueue,
	type Connector,
	type QueuedRequest,
	type ThrottleProfile
} from '../../db/schema';
import { isArrApiError, type ArrClient } from '../../connectors';
import { moduleLogger } from '../../logger';
import { PAUSED_STATES, reasonForError, recordFailure } from '../health/health-state';
import { finishRequest, recordSent } from './outcome';
import { getSettings } from '../settings/settings-service';
import { allowance, cooldownHours, loadUsage } from './throttle';
import { isDispatchPaused } from './queue-admin';

const log = moduleLogger('dispatcher');

export interface DispatchDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	profile: ThrottleProfile;
	clock?: () => Date;
}

export interface DispatchResult {
	sent: number;
	searches: number;
	failed: number;
	/** Why the pass stopped: nothing left, window full, budget spent, paused, or an error. */
	stoppedBy: 'empty' | 'window' | 'budget' | 'paused' | 'error';
}

/** Advisory lock key namespace for per-connector dispatch (pg_advisory_xact_lock(int, int)). */
const DISPATCH_LOCK_NS = 0x4463;

/** Claims the next request the throttle allows, or says why none. */
async function claimNext(
	db: Database,
	connectorId: number,
	profile: ThrottleProfile,
	now: Date,
	timeZone: string
): Promise<QueuedRequest | 'empty' | 'window' | 'budget'> {
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${DISPATCH_LOCK_NS}, ${connectorId})`);
		const left = allowance(profile, await loadUsage(tx, connectorId, profile, now, timeZone));
		if (left.commands <= 0) return 'window';
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
		return claimed ?? 'empty';
	});
}

/**
 * One dispatcher pass for one connector: sends as many commands as the throttle allows now.
 * Never throws for an *arr failure (reported in the result and the connector's health).
 */
export async function dispatchConnector(deps: DispatchDeps): Promise<DispatchResult> {
	const { db, connector, client, profile } = deps;
	const clock = deps.clock ?? (() => new Date());
	const result: DispatchResult = { sent: 0, searches: 0, failed: 0, stoppedBy: 'empty' };
	if (
		!connector.enabled ||
		PAUSED_STATES.has(connector.health) ||
		(await isDispatchPaused(db, connector.id)).paused
	) {
		result.stoppedBy = 'paused';
		return result;
	}
	// The daily budget counts the local day of Settings → General.
	const { timeZone } = (await getSettings(db)).general;
	for (;;) {
		const now = clock();
		const claimed = await claimNext(db, connector.id, profile, now, timeZone);
		if (typeof claimed === 'string') {
			result.stoppedBy = claimed;
			return result;
		}
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
				// The app refused it: nothing ran. Record the failure; the items cool down.
				await db.transaction((tx) =>
					finishRequest(tx, {
						request: { ...claimed, status: 'sending' },
						outcome: 'failed',
						commandStatus: null,
						message: reasonForError(error),
						failure:
							isArrApiError(error) && error.kind === 'rate_limited' ? 'rate_limited' : 'app_error',
						cooldownHours: cooldownHours(connector, profile),
						finishedAt: clock()
					})
				);
				result.failed++;
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
