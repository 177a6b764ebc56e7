/**
 * The sweep preview (dry run, issue 9 item 8): exactly which commands the next sweep + dispatch of
 * one connector would send, in order, and how many of them the throttle lets out now.
 *
 * It runs the real sweep (`sweepInTransaction`: discovery, queue build, even the event) inside a
 * transaction, reads the connector's pending queue in the dispatcher's order (`priority desc, id`,
 * `scheduled_at` passed), applies the throttle arithmetic of throttle.ts (`allowance` over
 * `loadUsage`: rolling window and today's budget) and the dispatch pauses, and then rolls the
 * transaction back. Nothing is written (no registry, queue or event row survives) and nothing is
 * sent to the *arr app: the preview cannot drift from what a sweep does because it is a sweep.
 *
 * Like the dispatcher, the simulated pass stops at the first command that does not fit (window
 * full, or more searches than are left today); every later command waits as well.
 */
import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
import type {
	Connector,
	RequestOrigin,
	SearchCommandBody,
	SearchCommandName,
	SearchType
} from '../../db/schema';
import type { BatchScore } from '$lib/types/search-score';
import { getSettings } from '../settings/settings-service';
import { isDispatchPaused } from './queue-admin';
import { sweepInTransaction, sweepSkipReason, type SweepKind, type SweepResult } from './sweep';
import { allowance, countInFlight, loadUsage, profileFor } from './throttle';
import { activeWindowState } from '../../time/active-windows';

/** Why a previewed command would not be sent by a dispatcher pass now. */
export type PreviewWait =
	/** The rolling window is full (`maxCommandsPerWindow` per `windowSeconds`). */
	| 'window'
	/** It costs more searches than are left in today's budget. */
	| 'budget'
	/** Dispatch is paused (queue pause, or the connector is disabled / unhealthy). */
	| 'paused'
	/** Outside the profile's active windows (`activeWindows`, local time). */
	| 'outside_window'
	/** The profile's `maxInFlight` of our commands are already running in the app. */
	| 'in_flight'
	/** Its `scheduled_at` is still ahead. */
	| 'scheduled';

export interface PreviewCommand {
	/** 1-based position in dispatch order. */
	position: number;
	command: SearchCommandName;
	searchType: SearchType;
	/** `sweep`: built by this sweep; `manual`: a user's request the sweep kept. */
	origin: RequestOrigin;
	/** The exact body POSTed to `/api/v3/command`. */
	payload: SearchCommandBody;
	label: string;
	/** The items it searches, e.g. `Show S01E02` or `Movie (2020)`, in the command's order. */
	items: string[];
	/** Searches it costs against the daily budget. */
	searchCount: number;
	priority: number;
	score: BatchScore | null;
	/** `score.rule`: why a season pack or single episodes (null on rows without a score). */
	rule: string | null;
	/** Sent by a dispatcher pass now, or why not. */
	dispatch: 'now' | PreviewWait;
}

export interface SweepPreview {
	connectorId: number;
	connectorName: string;
	kind: SweepKind;
	/** The instant the preview was computed for (ISO 8601). */
	at: string;
	/** Set when the connector is not swept now (disabled or unhealthy): the queue is shown as is. */
	skipped: SweepResult['skipped'];
	/** What the sweep found and queued (its `sweep.completed` figures). */
	sweep: Pick<
		SweepResult,
		'wanted' | 'registryAdded' | 'registryRemoved' | 'queuedBatches' | 'queuedSearches'
	>;
	throttle: {
		profileName: string;
		windowSeconds: number;
		maxCommandsPerWindow: number;
		commandsInWindow: number;
		/** Commands the window still lets out now. */
		commandsLeft: number;
		dailySearchBudget: number;
		searchesToday: number;
		/** Searches left in today's budget (local day of Settings → General). */
		searchesLeft: number;
		/** Dispatch paused by a queue pause (global or this connector). */
		paused: boolean;
		maxInFlight: number;
		/** Our commands running in the app now (`sending` / `sent`). */
		inFlight: number;
		/** Inside the active windows now (always, without windows); else when the next one opens. */
		insideWindow: boolean;
		opensAt: string | null;
	};
	commands: PreviewCommand[];
	/** Commands a dispatcher pass would send now, and the searches they cost. */
	sendNow: { commands: number; searches: number };
	/** Commands that would wait. */
	waiting: number;
}

/** Thrown to roll the preview's transaction back, carrying its result out. */
class PreviewRollback extends Error {
	constructor(readonly preview: SweepPreview) {
		super('preview rollback');
	}
}

type QueueRow = {
	id: number;
	command: SearchCommandName;
	search_type: SearchType;
	origin: RequestOrigin;
	payload: SearchCommandBody;
	label: string;
	search_count: number;
	priority: number;
	score: BatchScore | null;
	due: boolean;
	items: string[] | null;
};

/** The connector's pending requests in dispatch order, with their item labels. */
async function pendingInDispatchOrder(
	tx: DbOrTx,
	connectorId: number,
	now: Date
): Promise<QueueRow[]> {
	const at = sql`${now.toISOString()}::timestamptz`;
	const rows = await tx.execute<QueueRow>(sql`
		select q.id, q.command, q.search_type, q.origin, q.payload, q.label, q.search_count,
		       q.priority, q.score, q.scheduled_at <= ${at} as due,
		       (select array_agg(
		                 coalesce(s.title || ' S' || lpad(e.season_number::text, 2, '0')
		                            || 'E' || coalesce(lpad(e.episode_number::text, 2, '0'), '??'),
		                          m.title || coalesce(' (' || m.year || ')', ''))
		                 order by e.season_number, e.episode_number, m.title, r.id)
		        from request_queue_items i
		        join search_registry r on r.id = i.registry_id
		        left join episodes e on e.id = r.episode_id
		        left join series s on s.id = e.series_id
		        left join movies m on m.id = r.movie_id
		        where i.request_id = q.id) as items
		from request_queue q
		where q.connector_id = ${connectorId} and q.status = 'pending'
		order by q.priority desc, q.id`);
	return [...rows] as QueueRow[];
}

/**
 * Previews the next sweep (`kind`, default `both` as the scheduled sweep) and dispatch pass of one
 * connector. Writes nothing, sends nothing.
 * @throws only on database failure.
 */
export async function previewSweep(deps: {
	db: Database;
	connector: Connector;
	kind?: SweepKind;
	clock?: () => Date;
}): Promise<SweepPreview> {
	const { db, connector } = deps;
	const kind = deps.kind ?? 'both';
	const now = (deps.clock ?? (() => new Date()))();
	try {
		await db.transaction(async (tx) => {
			const skipped = sweepSkipReason(connector);
			const swept = skipped ? null : await sweepInTransaction(tx, connector, kind, now);
			const profile = await profileFor(tx, connector);
			const { timeZone } = (await getSettings(tx)).general;
			const usage = await loadUsage(tx, connector.id, profile, now, timeZone);
			const left = allowance(profile, usage);
			const paused = (await isDispatchPaused(tx, connector.id, now)).paused;
			const inFlight = await countInFlight(tx, connector.id);
			const windows = activeWindowState(profile.activeWindows, now, timeZone);
			const rows = await pendingInDispatchOrder(tx, connector.id, now);

			let commandsLeft = left.commands;
			let searchesLeft = left.searches;
			let inFlightLeft = profile.maxInFlight - inFlight;
			// The dispatcher's order of checks: pause, active windows, then per claim in flight,
			// window, budget. (The download-queue backpressure needs the app; the preview asks
			// nothing of it.)
			let stopped: PreviewWait | null =
				skipped || paused ? 'paused' : windows.inside ? null : 'outside_window';
			const sendNow = { commands: 0, searches: 0 };
			const commands = rows.map((row, index): PreviewCommand => {
				let dispatch: PreviewCommand['dispatch'];
				if (!row.due) dispatch = 'scheduled';
				else {
					if (stopped === null && inFlightLeft <= 0) stopped = 'in_flight';
					if (stopped === null && commandsLeft <= 0) stopped = 'window';
					if (stopped === null && row.search_count > searchesLeft) stopped = 'budget';
					dispatch = stopped ?? 'now';
				}
				if (dispatch === 'now') {
					commandsLeft--;
					inFlightLeft--;
					searchesLeft -= row.search_count;
					sendNow.commands++;
					sendNow.searches += row.search_count;
				}
				return {
					position: index + 1,
					command: row.command,
					searchType: row.search_type,
					origin: row.origin,
					payload: row.payload,
					label: row.label,
					items: row.items ?? [],
					searchCount: row.search_count,
					priority: row.priority,
					score: row.score,
					rule: row.score?.rule ?? null,
					dispatch
				};
			});
			throw new PreviewRollback({
				connectorId: connector.id,
				connectorName: connector.name,
				kind,
				at: now.toISOString(),
				skipped,
				sweep: {
					wanted: swept?.wanted ?? { gaps: 0, upgrades: 0 },
					registryAdded: swept?.registryAdded ?? 0,
					registryRemoved: swept?.registryRemoved ?? 0,
					queuedBatches: swept?.queuedBatches ?? 0,
					queuedSearches: swept?.queuedSearches ?? 0
				},
				throttle: {
					profileName: profile.name,
					windowSeconds: profile.windowSeconds,
					maxCommandsPerWindow: profile.maxCommandsPerWindow,
					commandsInWindow: usage.commandsInWindow,
					commandsLeft: left.commands,
					dailySearchBudget: profile.dailySearchBudget,
					searchesToday: usage.searchesToday,
					searchesLeft: left.searches,
					paused,
					maxInFlight: profile.maxInFlight,
					inFlight,
					insideWindow: windows.inside,
					opensAt: windows.inside ? null : windows.opensAt.toISOString()
				},
				commands,
				sendNow,
				waiting: commands.length - sendNow.commands
			});
		});
	} catch (error) {
		if (error instanceof PreviewRollback) return error.preview;
		throw error;
	}
	throw new Error('preview transaction ended without its result');
}
