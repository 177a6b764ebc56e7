/**
 * Throttle arithmetic: how many commands and searches a connector may still send now.
 *
 * - Rolling window: at most `maxCommandsPerWindow` commands claimed in any `windowSeconds` window.
 *   A command counts from the moment it is claimed (before it is sent), so a crash mid-send still
 *   counts and a client-side timeout never frees a slot (the app may have run it anyway).
 * - Daily budget: at most `dailySearchBudget` searches per day in the time zone of Settings →
 *   General (a search = one episode or movie in a command, one per SeasonSearch); the day starts
 *   at local midnight.
 * - In flight: at most `maxInFlight` of our commands running in the app at once (`sending` or
 *   `sent` rows: claimed and not finished); the *arr apps run at most three commands at a time,
 *   so the default 2 leaves the app a slot of its own (RSS sync, imports).
 * - Active windows (`activeWindows`, time/active-windows.ts) and the download-queue backpressure
 *   are checked by the dispatcher before it claims anything.
 */
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	requestQueue,
	throttleProfiles,
	type Connector,
	type ThrottleProfile
} from '../../db/schema';
import { zonedDayStart } from '../../time/day-start';
import { getSettings } from '../settings/settings-service';
import type { CooldownRules } from './registry-states';

const COUNTED = ['sending', 'sent', 'completed', 'failed'] as const;
/** Claimed and not finished: running in the app (or about to be, or unknown until recovery). */
const IN_FLIGHT = ['sending', 'sent'] as const;

export interface ThrottleUsage {
	commandsInWindow: number;
	searchesToday: number;
}

export interface ThrottleAllowance {
	/** Commands that may still be claimed right now. */
	commands: number;
	/** Searches left in today's budget. */
	searches: number;
}

/** What a profile still allows, given the usage. Pure. */
export function allowance(profile: ThrottleProfile, usage: ThrottleUsage): ThrottleAllowance {
	return {
		commands: Math.max(0, profile.maxCommandsPerWindow - usage.commandsInWindow),
		searches: Math.max(0, profile.dailySearchBudget - usage.searchesToday)
	};
}

/**
 * Commands claimed in the current window and searches claimed today, for one connector.
 * @param timeZone the zone whose local day the budget counts (Settings → General)
 */
export async function loadUsage(
	db: DbOrTx,
	connectorId: number,
	profile: Pick<ThrottleProfile, 'windowSeconds'>,
	now: Date,
	timeZone: string
): Promise<ThrottleUsage> {
	const windowStart = new Date(now.getTime() - profile.windowSeconds * 1000);
	const dayStart = zonedDayStart(now, timeZone);
	const [row] = await db
		.select({
			commandsInWindow: sql<number>`count(*) filter (where ${requestQueue.claimedAt} > ${windowStart.toISOString()}::timestamptz)::int`,
			searchesToday: sql<number>`coalesce(sum(${requestQueue.searchCount}) filter (where ${requestQueue.claimedAt} >= ${dayStart.toISOString()}::timestamptz), 0)::int`
		})
		.from(requestQueue)
		.where(
			and(
				eq(requestQueue.connectorId, connectorId),
				inArray(requestQueue.status, [...COUNTED]),
				gte(requestQueue.claimedAt, windowStart < dayStart ? windowStart : dayStart)
			)
		);
	return { commandsInWindow: row?.commandsInWindow ?? 0, searchesToday: row?.searchesToday ?? 0 };
}

/** How many of the connector's commands are in flight now (`sending` or `sent`). */
export async function countInFlight(db: DbOrTx, connectorId: number): Promise<number> {
	const [row] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(requestQueue)
		.where(
			and(eq(requestQueue.connectorId, connectorId), inArray(requestQueue.status, [...IN_FLIGHT]))
		);
	return row?.n ?? 0;
}

/**
 * The cooldown rules a profile sets for its connectors' items (registry-states.ts `cooldownFor`):
 * its `backoffMultiplier` grows the wait after each `no_results` / `app_error` / `indexer_error`
 * search. A multiplier below 1 would shrink the waits; it is read as 1 (no growth).
 */
export function backoffRules(
	profile: Pick<ThrottleProfile, 'backoffMultiplier'>
): Pick<CooldownRules, 'multiplier'> {
	return {
		multiplier: Number.isFinite(profile.backoffMultiplier)
			? Math.max(1, profile.backoffMultiplier)
			: 2
	};
}

/**
 * The cooldown rules for a connector's items: its profile's growth (`backoffRules`), and from
 * Settings → Search behaviour the max attempts (`search.maxAttempts`, default 10) and the first
 * no-results wait (`search.noResultsCooldownDays`, default 30, in hours here).
 */
export async function searchRules(
	db: DbOrTx,
	profile: Pick<ThrottleProfile, 'backoffMultiplier'>
): Promise<Pick<CooldownRules, 'multiplier' | 'maxAttempts' | 'noResultsHours'>> {
	const { maxAttempts, noResultsCooldownDays } = (await getSettings(db)).search;
	return { ...backoffRules(profile), maxAttempts, noResultsHours: noResultsCooldownDays * 24 };
}

/** The connector's throttle profile, or the default one ("Moderate" unless changed). */
export async function profileFor(
	db: DbOrTx,
	connector: Pick<Connector, 'throttleProfileId'>
): Promise<ThrottleProfile> {
	if (connector.throttleProfileId !== null) {
		const [own] = await db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.id, connector.throttleProfileId));
		if (own) return own;
	}
	const [fallback] = await db
		.select()
		.from(throttleProfiles)
		.orderBy(sql`${throttleProfiles.isDefault} desc`, throttleProfiles.id)
		.limit(1);
	if (!fallback) throw new Error('no throttle profile exists: the presets were not seeded');
	return fallback;
}

/** Hours an item waits after a search: the connector's own setting, else its profile's. */
export function cooldownHours(
	connector: Pick<Connector, 'searchCooldownHours'>,
	profile: Pick<ThrottleProfile, 'searchCooldownHours'>
): number {
	return connector.searchCooldownHours ?? profile.searchCooldownHours;
}
