/**
 * Throttle profile use cases (Settings → Throttle profiles, `/api/v1/throttle-profiles`): list,
 * get, create, copy, update, delete, set as default.
 *
 * Rules:
 * - the built-in presets (`is_preset`: Conservative, Moderate, Aggressive, seeded at start-up)
 *   are read-only — any change but "make it the default" is refused (409
 *   `throttle_profiles.preset_read_only`, "copy it"); they cannot be deleted;
 * - names are unique regardless of case (409 `throttle_profiles.name_taken` on `name`);
 * - exactly one profile is the default (the one connectors without their own use): making one
 *   the default unsets the previous one in the same transaction; the default cannot be unset or
 *   deleted, only replaced (409 `throttle_profiles.default_required`);
 * - a profile assigned to a connector, or used by a sweep schedule as its override, cannot be
 *   deleted (409 `throttle_profiles.in_use`, naming the connectors or the schedules).
 * Every write runs in one transaction holding a lock on the profiles, so two requests cannot
 * both take a name or both become the default.
 *
 * Views carry the connectors using each profile with today's usage (`loadUsage`: searches claimed
 * since local midnight of Settings → General's time zone, against the daily budget).
 */
import { asc, eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { Database, DbOrTx } from '../../db';
import {
	connectors,
	sweepSchedules,
	throttleProfiles,
	type ActiveWindow,
	type ThrottleProfile
} from '../../db/schema';
import { DomainError } from '../../errors';
import { getSettings } from '../settings/settings-service';
import { loadUsage } from './throttle';
import {
	ThrottleProfileCopySchema,
	ThrottleProfileCreateSchema,
	ThrottleProfileUpdateSchema,
	type ThrottleProfileUpdateInput
} from '../../../schemas/throttle-profile';

export { ThrottleProfileCopySchema, ThrottleProfileCreateSchema, ThrottleProfileUpdateSchema };

/** A refusal about throttle profiles, with its stable code and HTTP status. */
export class ThrottleProfileError extends DomainError {
	constructor(
		code:
			| 'throttle_profiles.not_found'
			| 'throttle_profiles.preset_read_only'
			| 'throttle_profiles.in_use'
			| 'throttle_profiles.name_taken'
			| 'throttle_profiles.default_required',
		message: string,
		options: { status: number; fields?: Record<string, string> }
	) {
		super(code, message, options);
		this.name = 'ThrottleProfileError';
	}
}

function notFound(id: number): ThrottleProfileError {
	return new ThrottleProfileError(
		'throttle_profiles.not_found',
		`Throttle profile ${id} does not exist`,
		{ status: 404 }
	);
}

/** A connector using a profile, with what it searched today. */
export interface ProfileConnectorUsage {
	id: number;
	name: string;
	/** Searches claimed since local midnight (one per episode/movie, one per SeasonSearch). */
	searchesToday: number;
	/** The profile's daily search budget. */
	dailyBudget: number;
	/** True when the connector has no profile of its own and uses this one as the default. */
	viaDefault: boolean;
}

/** A throttle profile as the API and the settings page show it. */
export interface ThrottleProfileView {
	id: number;
	name: string;
	isPreset: boolean;
	isDefault: boolean;
	/** Commands per rolling window of `windowSeconds` (60: per minute). */
	commandsPerMinute: number;
	windowSeconds: number;
	/** Items (episodes/movies) per EpisodeSearch/MoviesSearch command. */
	batchSize: number;
	/** Searches per local day. */
	dailyBudget: number;
	maxInFlight: number;
	errorCooldownSeconds: number;
	backoffMultiplier: number;
	/** Local "HH:MM" windows dispatch may run in; empty = any time. */
	activeWindows: ActiveWindow[];
	/** Hours an item waits after a search (a connector's own setting overrides it). */
	searchCooldownHours: number;
	createdAt: Date;
	connectors: ProfileConnectorUsage[];
}

/** The view of a row, with its connectors' usage. */
function toView(row: ThrottleProfile, usage: ProfileConnectorUsage[]): ThrottleProfileView {
	return {
		id: row.id,
		name: row.name,
		isPreset: row.isPreset,
		isDefault: row.isDefault,
		commandsPerMinute: row.maxCommandsPerWindow,
		windowSeconds: row.windowSeconds,
		batchSize: row.maxItemsPerCommand,
		dailyBudget: row.dailySearchBudget,
		maxInFlight: row.maxInFlight,
		errorCooldownSeconds: row.errorCooldownSeconds,
		backoffMultiplier: row.backoffMultiplier,
		activeWindows: row.activeWindows,
		searchCooldownHours: row.searchCooldownHours,
		createdAt: row.createdAt,
		connectors: usage
	};
}

/** The default profile of `rows`, as `profileFor` picks it (flagged default, else the lowest id). */
function defaultOf(rows: ThrottleProfile[]): ThrottleProfile | undefined {
	return rows.find((r) => r.isDefault) ?? [...rows].sort((a, b) => a.id - b.id)[0];
}

/** Views of `rows`, each with the connectors that use it and their usage today. */
async function withUsage(
	db: DbOrTx,
	rows: ThrottleProfile[],
	all: ThrottleProfile[],
	now: Date
): Promise<ThrottleProfileView[]> {
	const fallback = defaultOf(all);
	const known = new Set(all.map((r) => r.id));
	const list = await db
		.select({
			id: connectors.id,
			name: connectors.name,
			throttleProfileId: connectors.throttleProfileId
		})
		.from(connectors)
		.orderBy(asc(connectors.name));
	const { timeZone } = (await getSettings(db)).general;
	const views: ThrottleProfileView[] = [];
	for (const row of rows) {
		const usage: ProfileConnectorUsage[] = [];
		for (const c of list) {
			const own = c.throttleProfileId !== null && known.has(c.throttleProfileId);
			const uses = own ? c.throttleProfileId === row.id : fallback?.id === row.id;
			if (!uses) continue;
			const { searchesToday } = await loadUsage(db, c.id, row, now, timeZone);
			usage.push({
				id: c.id,
				name: c.name,
				searchesToday,
				dailyBudget: row.dailySearchBudget,
				viaDefault: !own
			});
		}
		views.push(toView(row, usage));
	}
	return views;
}

/** Every profile (presets first, in seed order, then the user's by id) with its connectors. */
export async function listProfiles(db: DbOrTx, now: Date): Promise<ThrottleProfileView[]> {
	const rows = await db
		.select()
		.from(throttleProfiles)
		.orderBy(sql`${throttleProfiles.isPreset} desc`, asc(throttleProfiles.id));
	return withUsage(db, rows, rows, now);
}

/** The stored row. @throws ThrottleProfileError 404 `throttle_profiles.not_found` */
export async function getProfileRow(db: DbOrTx, id: number): Promise<ThrottleProfile> {
	const [row] = await db.select().from(throttleProfiles).where(eq(throttleProfiles.id, id));
	if (!row) throw notFound(id);
	return row;
}

/** One profile with its connectors. @throws ThrottleProfileError 404 */
export async function getProfile(db: DbOrTx, id: number, now: Date): Promise<ThrottleProfileView> {
	const row = await getProfileRow(db, id);
	const all = await db.select().from(throttleProfiles);
	const [view] = await withUsage(db, [row], all, now);
	if (!view) throw notFound(id);
	return view;
}

/** Serialises the writes on profiles (name checks, the single default) within a transaction. */
async function lockProfiles(tx: DbOrTx): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(hashtext('throttle_profiles'))`);
}

/** @throws ThrottleProfileError 409 `name_taken` when another profile has `name`, in any case. */
async function assertNameFree(tx: DbOrTx, name: string, exceptId?: number): Promise<void> {
	const clash = await tx
		.select({ id: throttleProfiles.id, name: throttleProfiles.name })
		.from(throttleProfiles)
		.where(sql`lower(${throttleProfiles.name}) = lower(${name})`);
	const other = clash.find((c) => c.id !== exceptId);
	if (other) {
		const message = `A throttle profile named "${other.name}" already exists`;
		throw new ThrottleProfileError('throttle_profiles.name_taken', message, {
			status: 409,
			fields: { name: message }
		});
	}
}

/** Makes `id` the only default profile (call inside a transaction holding the lock). */
async function makeDefault(tx: DbOrTx, id: number): Promise<void> {
	await tx
		.update(throttleProfiles)
		.set({ isDefault: false })
		.where(sql`${throttleProfiles.isDefault} and ${throttleProfiles.id} <> ${id}`);
	await tx.update(throttleProfiles).set({ isDefault: true }).where(eq(throttleProfiles.id, id));
}

/** The columns of the API's figures that `input` gives. */
function columnsOf(
	input: Omit<ThrottleProfileUpdateInput, 'isDefault'>
): Partial<typeof throttleProfiles.$inferInsert> {
	const columns: Partial<typeof throttleProfiles.$inferInsert> = {};
	if (input.name !== undefined) columns.name = input.name;
	if (input.commandsPerMinute !== undefined) columns.maxCommandsPerWindow = input.commandsPerMinute;
	if (input.windowSeconds !== undefined) columns.windowSeconds = input.windowSeconds;
	if (input.batchSize !== undefined) columns.maxItemsPerCommand = input.batchSize;
	if (input.dailyBudget !== undefined) columns.dailySearchBudget = input.dailyBudget;
	if (input.maxInFlight !== undefined) columns.maxInFlight = input.maxInFlight;
	if (input.errorCooldownSeconds !== undefined) {
		columns.errorCooldownSeconds = input.errorCooldownSeconds;
	}
	if (input.backoffMultiplier !== undefined) columns.backoffMultiplier = input.backoffMultiplier;
	if (input.activeWindows !== undefined) columns.activeWindows = input.activeWindows;
	if (input.searchCooldownHours !== undefined) {
		columns.searchCooldownHours = input.searchCooldownHours;
	}
	return columns;
}

/**
 * Creates a profile, or a copy of one when the body has `copyFrom` (the copy takes every figure
 * of the source, any figure given replacing it; never `isPreset`, `isDefault` only when asked).
 * @param body `ThrottleProfileCreateSchema` or `ThrottleProfileCopySchema`
 * @throws ValiError on invalid input; ThrottleProfileError 404 (unknown `copyFrom`), 409 `name_taken`
 */
export async function createProfile(
	db: Database,
	body: unknown,
	now: Date
): Promise<ThrottleProfileView> {
	const copying = typeof body === 'object' && body !== null && 'copyFrom' in body;
	const id = await db.transaction(async (tx) => {
		await lockProfiles(tx);
		let values: typeof throttleProfiles.$inferInsert;
		let isDefault: boolean;
		if (copying) {
			const input = v.parse(ThrottleProfileCopySchema, body);
			const source = await tx
				.select()
				.from(throttleProfiles)
				.where(eq(throttleProfiles.id, input.copyFrom));
			const from = source[0];
			if (!from) {
				throw new ThrottleProfileError(
					'throttle_profiles.not_found',
					`Throttle profile ${input.copyFrom} does not exist`,
					{ status: 404, fields: { copyFrom: `Throttle profile ${input.copyFrom} does not exist` } }
				);
			}
			values = {
				name: input.name,
				maxCommandsPerWindow: from.maxCommandsPerWindow,
				windowSeconds: from.windowSeconds,
				maxItemsPerCommand: from.maxItemsPerCommand,
				dailySearchBudget: from.dailySearchBudget,
				searchCooldownHours: from.searchCooldownHours,
				maxInFlight: from.maxInFlight,
				errorCooldownSeconds: from.errorCooldownSeconds,
				backoffMultiplier: from.backoffMultiplier,
				activeWindows: from.activeWindows,
				...columnsOf(input)
			};
			isDefault = input.isDefault ?? false;
		} else {
			const input = v.parse(ThrottleProfileCreateSchema, body);
			values = {
				name: input.name,
				maxCommandsPerWindow: input.commandsPerMinute,
				windowSeconds: input.windowSeconds,
				maxItemsPerCommand: input.batchSize,
				dailySearchBudget: input.dailyBudget,
				searchCooldownHours: input.searchCooldownHours,
				maxInFlight: input.maxInFlight,
				errorCooldownSeconds: input.errorCooldownSeconds,
				backoffMultiplier: input.backoffMultiplier,
				activeWindows: input.activeWindows
			};
			isDefault = input.isDefault;
		}
		await assertNameFree(tx, values.name);
		const [row] = await tx
			.insert(throttleProfiles)
			.values({ ...values, isPreset: false, isDefault: false })
			.returning({ id: throttleProfiles.id });
		if (!row) throw new Error('insert returned no row');
		if (isDefault) await makeDefault(tx, row.id);
		return row.id;
	});
	return getProfile(db, id, now);
}

/** Copies profile `id` under `name` (the settings page's "Copy"). See `createProfile`. */
export function copyProfile(
	db: Database,
	id: number,
	body: Record<string, unknown>,
	now: Date
): Promise<ThrottleProfileView> {
	return createProfile(db, { ...body, copyFrom: id }, now);
}

/**
 * Changes a profile. A preset takes only `isDefault: true`.
 * @throws ValiError; ThrottleProfileError 404, 409 `preset_read_only`, `name_taken`,
 *   `default_required` (`isDefault: false` on the default: make another one the default instead)
 */
export async function updateProfile(
	db: Database,
	id: number,
	body: unknown,
	now: Date
): Promise<ThrottleProfileView> {
	const input = v.parse(ThrottleProfileUpdateSchema, body);
	await db.transaction(async (tx) => {
		await lockProfiles(tx);
		const current = await getProfileRow(tx, id);
		const { isDefault, ...figures } = input;
		const columns = columnsOf(figures);
		if (current.isPreset && Object.keys(columns).length > 0) {
			throw new ThrottleProfileError(
				'throttle_profiles.preset_read_only',
				`"${current.name}" is a built-in preset and cannot be changed: copy it to make your own profile.`,
				{ status: 409 }
			);
		}
		if (isDefault === false && current.isDefault) {
			throw new ThrottleProfileError(
				'throttle_profiles.default_required',
				`"${current.name}" is the default profile: make another profile the default instead.`,
				{ status: 409, fields: { isDefault: 'Make another profile the default instead.' } }
			);
		}
		if (columns.name !== undefined) await assertNameFree(tx, columns.name, id);
		if (Object.keys(columns).length > 0) {
			await tx.update(throttleProfiles).set(columns).where(eq(throttleProfiles.id, id));
		}
		if (isDefault === true) await makeDefault(tx, id);
	});
	return getProfile(db, id, now);
}

/** Makes `id` the default profile (presets too), the previous default stops being it. @throws 404 */
export async function setDefaultProfile(
	db: Database,
	id: number,
	now: Date
): Promise<ThrottleProfileView> {
	return updateProfile(db, id, { isDefault: true }, now);
}

/**
 * Deletes a user's profile.
 * @returns the deleted profile's name
 * @throws ThrottleProfileError 404; 409 `preset_read_only` (a preset), `in_use` (assigned to a
 *   connector or a sweep schedule; the message names them), `default_required` (the default profile)
 */
export async function deleteProfile(db: Database, id: number): Promise<string> {
	return db.transaction(async (tx) => {
		await lockProfiles(tx);
		const current = await getProfileRow(tx, id);
		if (current.isPreset) {
			throw new ThrottleProfileError(
				'throttle_profiles.preset_read_only',
				`"${current.name}" is a built-in preset and cannot be deleted: copy it to make your own profile.`,
				{ status: 409 }
			);
		}
		// Locks the connectors using it, so none is assigned to it while it goes.
		const users = await tx
			.select({ name: connectors.name })
			.from(connectors)
			.where(eq(connectors.throttleProfileId, id))
			.orderBy(asc(connectors.name))
			.for('update');
		if (users.length > 0) {
			const names = users.map((u) => `"${u.name}"`).join(', ');
			throw new ThrottleProfileError(
				'throttle_profiles.in_use',
				`"${current.name}" is used by ${users.length === 1 ? 'the connector' : 'the connectors'} ${names}: give ${users.length === 1 ? 'it' : 'them'} another profile first.`,
				{ status: 409 }
			);
		}
		// Locks the schedules using it as their override, for the same reason.
		const schedules = await tx
			.select({
				id: sweepSchedules.id,
				sweepType: sweepSchedules.sweepType,
				cron: sweepSchedules.cron,
				connector: connectors.name
			})
			.from(sweepSchedules)
			.innerJoin(connectors, eq(connectors.id, sweepSchedules.connectorId))
			.where(eq(sweepSchedules.throttleProfileId, id))
			.orderBy(asc(connectors.name), asc(sweepSchedules.id))
			.for('update', { of: sweepSchedules });
		if (schedules.length > 0) {
			const names = schedules
				.map((s) => `"${s.connector} — ${s.sweepType} (${s.cron})"`)
				.join(', ');
			const one = schedules.length === 1;
			throw new ThrottleProfileError(
				'throttle_profiles.in_use',
				`"${current.name}" is used by ${one ? 'the sweep schedule' : 'the sweep schedules'} ${names}: give ${one ? 'it' : 'them'} another profile (or the connector's) first.`,
				{ status: 409 }
			);
		}
		if (current.isDefault) {
			throw new ThrottleProfileError(
				'throttle_profiles.default_required',
				`"${current.name}" is the default profile: make another profile the default first.`,
				{ status: 409 }
			);
		}
		await tx.delete(throttleProfiles).where(eq(throttleProfiles.id, id));
		return current.name;
	});
}

/** Id and name of every profile, for the connector form's select (presets first). */
export async function profileChoices(
	db: DbOrTx
): Promise<{ id: number; name: string; isDefault: boolean }[]> {
	return db
		.select({
			id: throttleProfiles.id,
			name: throttleProfiles.name,
			isDefault: throttleProfiles.isDefault
		})
		.from(throttleProfiles)
		.orderBy(sql`${throttleProfiles.isPreset} desc`, asc(throttleProfiles.id));
}
