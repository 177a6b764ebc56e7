/**
 * The search registry's state machine and the cooldown rules that drive it. Pure: no I/O.
 *
 *   pending ──queue build──▶ queued ──claim──▶ searching ──outcome──▶ cooldown ──elapsed──▶ pending
 *      ▲                       │                  │                      │
 *      └──── queue rebuild ────┘                  ├──max attempts──▶ exhausted
 *      └──────────── rate limited (no attempt) ───┘
 *
 * - `pending`: wanted, eligible from `next_eligible_at` (discovery creates rows here).
 * - `queued`: linked to a `pending` request. A rebuild of the request queue returns it to `pending`.
 * - `searching`: its request was claimed by a dispatcher (recorded before the POST).
 * - `cooldown`: searched; waits until `next_eligible_at`. An elapsed cooldown *is* pending: the queue
 *   build reads `cooldown` rows whose time has come as eligible and queues them straight away, so
 *   `cooldown → queued` is the shorthand of `cooldown → pending → queued`.
 * - `exhausted`: searched `maxAttempts` times without being acquired; never queued again until the
 *   user clears its search state (`exhausted → pending`). The user may also mark a `pending` or
 *   `cooldown` item exhausted (services/items "mark exhausted").
 *
 * A row leaves the registry (is deleted) from any state when its item is no longer wanted: it gained
 * a file or met the cutoff (sync), or left the mirror (cascade). That is not a state.
 */
import { REGISTRY_STATES, type FailureCategory, type RegistryState } from '../../db/schema';

/** Every transition the code may make, from → allowed targets. */
export const REGISTRY_TRANSITIONS: Readonly<Record<RegistryState, readonly RegistryState[]>> = {
	// `exhausted` from pending / cooldown: the user's "mark exhausted" (services/items).
	pending: ['queued', 'exhausted'],
	queued: [
		'searching',
		'pending',
		// A request is only finished after its claim marked the items `searching`; an item still
		// `queued` there means that mark was lost (a row recorded by hand or by an older version).
		// Releasing it is safer than leaving it `queued`, where no queue build would take it again.
		'cooldown',
		'exhausted'
	],
	searching: ['cooldown', 'exhausted', 'pending'],
	cooldown: ['pending', 'queued', 'exhausted'],
	exhausted: ['pending']
};

/** Whether `from → to` is a transition of the state machine (staying put is not one). */
export function canTransition(from: RegistryState, to: RegistryState): boolean {
	return REGISTRY_TRANSITIONS[from].includes(to);
}

/** Where a search outcome moves an item: cooldown, exhausted, or back to pending (rate limited). */
export const OUTCOME_STATES = [
	'cooldown',
	'exhausted',
	'pending'
] as const satisfies readonly RegistryState[];

/** The states from which every outcome is a transition: where an item must be to be finished. */
export function outcomeSources(): RegistryState[] {
	return REGISTRY_STATES.filter((from) => OUTCOME_STATES.every((to) => canTransition(from, to)));
}

/** How long an item waits after a search, per failure category. */
export interface CooldownRules {
	/**
	 * The standard cooldown in hours: the connector's `searchCooldownHours`, else its throttle
	 * profile's (24 h for the presets). A grab, a timeout and the first "nothing found" wait this.
	 */
	baseHours: number;
	/**
	 * Growth per earlier attempt for categories that back off: the throttle profile's
	 * `backoffMultiplier` (default 2: 24 h, 48 h, 96 h…).
	 */
	multiplier: number;
	/** Upper bound of any cooldown, in hours (default 168 = 7 days). */
	capHours: number;
	/** Searches after which an item is `exhausted` (default 10). */
	maxAttempts: number;
	/**
	 * The first wait after a search that found nothing, in hours (Settings → Search behaviour
	 * `noResultsCooldownDays` × 24); it grows by `multiplier` up to `NO_RESULTS_CAP_FACTOR` times
	 * itself, or `capHours` when that is longer. 0 = `baseHours` (the standard cooldown).
	 */
	noResultsHours: number;
}

/** A no-results wait grows to at most this many times its first wait (30 d → 60 d → 90 d). */
export const NO_RESULTS_CAP_FACTOR = 3;

/**
 * Defaults without a base (that comes from the connector or its profile).
 * - multiplier 2: each search that finds nothing doubles the wait, so an item nobody has released
 *   costs ~log₂(cap/base) searches to reach the cap instead of one a day for ever;
 * - cap 7 days: a week is when new releases of an old item (a fresh rip, a repack) usually appear,
 *   and it matches the season-pack cooldown, so an item is looked at again at least weekly;
 * - 10 attempts (the spec's default);
 * - a no-results wait of 30 days (Settings → Search behaviour; why: schemas/settings.ts
 *   `NO_RESULTS_COOLDOWN_DAYS`): 30 d, 60 d, then 90 d, so an item no indexer has is given up after
 *   about two years of searches, not seven weeks.
 */
export const DEFAULT_COOLDOWN_RULES: Readonly<Omit<CooldownRules, 'baseHours'>> = {
	multiplier: 2,
	capHours: 7 * 24,
	maxAttempts: 10,
	noResultsHours: 30 * 24
};

/**
 * An indexer error says nothing about the item: it waits a quarter of the usual time (same growth)
 * and never longer than a quarter of the cap, so a flaky indexer does not park items for a week.
 */
export const INDEXER_ERROR_SHARE = 1 / 4;

/** The connector should stop sending for its error cooldown (the dispatcher does the pausing). */
export const PAUSE_CONNECTOR = 'pause_connector';
export type PauseConnector = typeof PAUSE_CONNECTOR;

const HOUR_MS = 3_600_000;

/**
 * The cooldown after one search of an item.
 *
 * | category            | wait                                   | attempt counted |
 * |---------------------|----------------------------------------|-----------------|
 * | `null` (grabbed)    | base                                   | yes             |
 * | `no_results`        | nr × multiplier^attempts, ≤ max(cap, 3 nr) | yes         |
 * | `app_error`         | base × multiplier^attempts, ≤ cap      | yes             |
 * | `indexer_error`     | base/4 × multiplier^attempts, ≤ cap/4  | yes             |
 * | `timeout`           | base                                   | yes             |
 * | `rate_limited`      | none: pause the connector              | no              |
 *
 * nr = `noResultsHours`, or the base when that is 0. A grab waits the base so the download can
 * import (the sync then deletes the row); a timeout says nothing about availability, so it does not
 * grow either.
 * @param attempts searches of this item before this one (0 on its first search)
 * @returns the wait in milliseconds, or `'pause_connector'` when the item goes back to `pending`
 *   at once and the connector should pause instead
 */
export function cooldownFor(
	category: FailureCategory | null,
	attempts: number,
	rules: CooldownRules
): number | PauseConnector {
	const grown = (baseHours: number, capHours: number) =>
		Math.min(capHours, baseHours * rules.multiplier ** Math.max(0, attempts)) * HOUR_MS;
	switch (category) {
		case 'rate_limited':
			return PAUSE_CONNECTOR;
		case null:
		case 'timeout':
			return Math.min(rules.baseHours, rules.capHours) * HOUR_MS;
		case 'no_results': {
			const first = rules.noResultsHours > 0 ? rules.noResultsHours : rules.baseHours;
			return grown(first, Math.max(rules.capHours, first * NO_RESULTS_CAP_FACTOR));
		}
		case 'app_error':
			return grown(rules.baseHours, rules.capHours);
		case 'indexer_error':
			return grown(rules.baseHours * INDEXER_ERROR_SHARE, rules.capHours * INDEXER_ERROR_SHARE);
	}
}

/** Where one registry row goes after a search of it. */
export interface AfterSearch {
	state: Extract<RegistryState, 'pending' | 'cooldown' | 'exhausted'>;
	/** Its attempts afterwards. */
	attempts: number;
	nextEligibleAt: Date;
	/** The search was rate limited: the connector should pause. */
	pauseConnector: boolean;
}

/**
 * The next state of an item after a search that started at `searchedAt`.
 * @param attempts searches of the item before this one
 */
export function afterSearch(
	category: FailureCategory | null,
	attempts: number,
	searchedAt: Date,
	finishedAt: Date,
	rules: CooldownRules
): AfterSearch {
	const wait = cooldownFor(category, attempts, rules);
	if (wait === PAUSE_CONNECTOR) {
		// Nothing was searched: back to pending, eligible at once (the connector's pause holds it).
		return { state: 'pending', attempts, nextEligibleAt: finishedAt, pauseConnector: true };
	}
	const counted = attempts + 1;
	return {
		state: counted >= rules.maxAttempts ? 'exhausted' : 'cooldown',
		attempts: counted,
		nextEligibleAt: new Date(searchedAt.getTime() + wait),
		pauseConnector: false
	};
}
