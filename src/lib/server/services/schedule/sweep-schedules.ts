/**
 * Sweep schedule use cases (Schedules page, `/api/v1/schedules`): list, get, create, update,
 * delete, run now, next runs, the editor's preview, a new connector's defaults, and the body of a
 * scheduled sweep run.
 *
 * Rules:
 * - a schedule names an existing connector, a sweep type (`gaps`, `upgrades`, `both`), a croner
 *   pattern (5 fields or 6 with seconds first) that fires at most once a minute, an IANA time zone
 *   (default: Settings → General), optionally an existing throttle profile that overrides the
 *   connector's while the commands it queued are dispatched (dispatcher.ts), and optionally a
 *   batch limit (at most that many commands queued per run);
 * - bad input is refused as 400 `validation.failed` with every bad field named (`cron`,
 *   `timezone`, `connectorId`, `throttleProfileId`…) and nothing is saved: each write is one
 *   transaction that checks, writes and announces the change (changes.ts) together;
 * - a run is a job run named `sweep.schedule.<id>` with the schedule's connector, so it shares
 *   the lock `sweep.connector.<id>` with every other sweep of that connector (runner.ts
 *   `lockKeyOf`): one sweep per connector at a time, in all processes (a second start is 409
 *   `schedules.already_running`).
 */
import { asc, eq } from 'drizzle-orm';
import * as v from 'valibot';
import type { Database, DbOrTx } from '../../db';
import {
	connectors,
	sweepSchedules,
	throttleProfiles,
	type JobTrigger,
	type SweepSchedule
} from '../../db/schema';
import { DomainError } from '../../errors';
import { moduleLogger } from '../../logger';
import {
	JobConflictError,
	liveRun,
	startJob,
	type JobContext,
	type JobOutcome,
	type StartedJob
} from '../jobs';
import { runSweep } from '../queue/sweep';
import { describeSweepResult } from '../connector-jobs';
import type { OperationDeps } from '../operations';
import { getSettings } from '../settings/settings-service';
import {
	SCHEDULE_LIMITS,
	SWEEP_TYPES,
	type SchedulePreview,
	type ScheduleTimeline,
	type SweepScheduleView,
	type SweepType
} from '../../../types/schedules';
import type { JobRunView } from '../../../types/jobs';
import { announceScheduleChange, scheduleChanged } from './changes';
import {
	SWEEP_MIN_INTERVAL_SECONDS,
	cronProblem,
	describeCron,
	nextRunTime,
	nextRunTimes,
	runsBetween,
	timeZoneProblem
} from './cron';
import { TICK_ALREADY_SERVED, newestRuns, tickServedBy } from './schedules';

export { DEFAULT_SWEEP_SCHEDULES, insertDefaultSchedules } from './defaults';

const log = moduleLogger('schedules');

/** A refusal about schedules, with its stable code and HTTP status. */
export class ScheduleError extends DomainError {
	constructor(
		code:
			| 'schedules.not_found'
			| 'schedules.already_running'
			| 'schedules.built_in_not_deletable'
			| 'validation.failed',
		message: string,
		options: { status: number; fields?: Record<string, string> }
	) {
		super(code, message, options);
		this.name = 'ScheduleError';
	}
}

function notFound(id: number | string): ScheduleError {
	return new ScheduleError('schedules.not_found', `Schedule ${id} does not exist.`, {
		status: 404
	});
}

/** 400 `validation.failed` naming every bad field; the message is the first one's. */
export function invalid(fields: Record<string, string>): ScheduleError {
	const first = Object.values(fields)[0] ?? 'Invalid schedule.';
	return new ScheduleError('validation.failed', first, { status: 400, fields });
}

/** The job name of schedule `id`'s runs (`sweep.schedule.7`). */
export function sweepJobName(id: number): string {
	return `sweep.schedule.${id}`;
}

/** The schedule id of a job name made by `sweepJobName`, or null. */
export function scheduleIdOfJob(job: string): number | null {
	const match = /^sweep\.schedule\.(\d+)$/.exec(job);
	return match ? Number(match[1]) : null;
}

const Id = (what: string) =>
	v.pipe(
		v.number(`${what} must be a number.`),
		v.integer(`${what} must be a whole number.`),
		v.minValue(1, `${what} must be a positive id.`)
	);

const Fields = {
	connectorId: Id('connectorId'),
	sweepType: v.picklist(SWEEP_TYPES, 'sweepType must be gaps, upgrades or both.'),
	cron: v.pipe(
		v.string('cron must be a string.'),
		v.trim(),
		v.minLength(1, 'Enter a cron expression (e.g. 5 * * * * for hourly at :05).'),
		v.maxLength(
			SCHEDULE_LIMITS.cronMaxLength,
			`At most ${SCHEDULE_LIMITS.cronMaxLength} characters.`
		)
	),
	timezone: v.pipe(
		v.string('timezone must be a string.'),
		v.trim(),
		v.minLength(1, 'Enter a time zone (e.g. Europe/Berlin or UTC).'),
		v.maxLength(
			SCHEDULE_LIMITS.timezoneMaxLength,
			`At most ${SCHEDULE_LIMITS.timezoneMaxLength} characters.`
		)
	),
	enabled: v.boolean('enabled must be true or false.'),
	throttleProfileId: v.nullable(Id('throttleProfileId')),
	batchLimit: v.nullable(
		v.pipe(
			v.number('batchLimit must be a number.'),
			v.integer('batchLimit must be a whole number.'),
			v.minValue(1, 'batchLimit must be at least 1 (or null for no limit).'),
			v.maxValue(
				SCHEDULE_LIMITS.batchLimitMax,
				`batchLimit must be at most ${SCHEDULE_LIMITS.batchLimitMax}.`
			)
		)
	)
};

/** `POST /api/v1/schedules` body. `timezone` defaults to Settings → General, `enabled` to true. */
export const SweepScheduleCreateSchema = v.object({
	connectorId: Fields.connectorId,
	sweepType: Fields.sweepType,
	cron: Fields.cron,
	timezone: v.optional(Fields.timezone),
	enabled: v.optional(Fields.enabled),
	throttleProfileId: v.optional(Fields.throttleProfileId),
	batchLimit: v.optional(Fields.batchLimit)
});
export type SweepScheduleCreateInput = v.InferOutput<typeof SweepScheduleCreateSchema>;

/** `PATCH /api/v1/schedules/{id}` body: any field of the create body. */
export const SweepScheduleUpdateSchema = v.partial(
	v.object({
		connectorId: Fields.connectorId,
		sweepType: Fields.sweepType,
		cron: Fields.cron,
		timezone: Fields.timezone,
		enabled: Fields.enabled,
		throttleProfileId: Fields.throttleProfileId,
		batchLimit: Fields.batchLimit
	})
);
export type SweepScheduleUpdateInput = v.InferOutput<typeof SweepScheduleUpdateSchema>;

type ScheduleValues = Pick<
	SweepSchedule,
	'connectorId' | 'sweepType' | 'cron' | 'timezone' | 'enabled' | 'throttleProfileId' | 'batchLimit'
>;

/**
 * Checks a schedule's values against the database inside `tx` (the connector and the profile are
 * locked `FOR KEY SHARE`, so neither goes before the commit).
 * @throws ScheduleError 400 naming every bad field
 */
async function assertValid(tx: DbOrTx, values: ScheduleValues): Promise<void> {
	const fields: Record<string, string> = {};
	const zone = timeZoneProblem(values.timezone);
	if (zone) fields.timezone = zone;
	const cron = cronProblem(values.cron, zone ? 'UTC' : values.timezone, {
		minIntervalSeconds: SWEEP_MIN_INTERVAL_SECONDS
	});
	if (cron) fields.cron = cron;
	const [connector] = await tx
		.select({ id: connectors.id })
		.from(connectors)
		.where(eq(connectors.id, values.connectorId))
		.for('key share');
	if (!connector) fields.connectorId = `Connector ${values.connectorId} does not exist.`;
	if (values.throttleProfileId !== null) {
		const [profile] = await tx
			.select({ id: throttleProfiles.id })
			.from(throttleProfiles)
			.where(eq(throttleProfiles.id, values.throttleProfileId))
			.for('key share');
		if (!profile) {
			fields.throttleProfileId = `Throttle profile ${values.throttleProfileId} does not exist.`;
		}
	}
	if (Object.keys(fields).length > 0) throw invalid(fields);
}

interface ScheduleRow {
	schedule: SweepSchedule;
	connectorName: string;
	connectorType: string;
	throttleProfileName: string | null;
}

async function loadRows(db: DbOrTx, where?: ReturnType<typeof eq>): Promise<ScheduleRow[]> {
	const query = db
		.select({
			schedule: sweepSchedules,
			connectorName: connectors.name,
			connectorType: connectors.type,
			throttleProfileName: throttleProfiles.name
		})
		.from(sweepSchedules)
		.innerJoin(connectors, eq(connectors.id, sweepSchedules.connectorId))
		.leftJoin(throttleProfiles, eq(throttleProfiles.id, sweepSchedules.throttleProfileId));
	return (where ? query.where(where) : query).orderBy(
		asc(connectors.name),
		asc(sweepSchedules.connectorId),
		asc(sweepSchedules.id)
	);
}

function toView(row: ScheduleRow, lastRun: JobRunView | null, now: Date): SweepScheduleView {
	const s = row.schedule;
	return {
		id: s.id,
		connectorId: s.connectorId,
		connectorName: row.connectorName,
		connectorType: row.connectorType,
		sweepType: s.sweepType,
		cron: s.cron,
		timezone: s.timezone,
		description: describeCron(s.cron),
		enabled: s.enabled,
		throttleProfileId: s.throttleProfileId,
		throttleProfileName: row.throttleProfileName,
		batchLimit: s.batchLimit,
		nextRunAt: s.enabled ? (nextRunTime(s.cron, s.timezone, now)?.toISOString() ?? null) : null,
		lastRun,
		createdAt: s.createdAt.toISOString(),
		updatedAt: s.updatedAt.toISOString()
	};
}

async function viewsOf(db: DbOrTx, rows: ScheduleRow[], now: Date): Promise<SweepScheduleView[]> {
	const runs = await newestRuns(
		db,
		rows.map((r) => sweepJobName(r.schedule.id))
	);
	return rows.map((r) => {
		const run = runs.get(sweepJobName(r.schedule.id)) ?? null;
		// A run of this process: its live view is fresher than the row between two writes.
		return toView(r, run ? (liveRun(run.id) ?? run) : null, now);
	});
}

/**
 * Every sweep schedule (by connector name, then id), or one connector's, with its connector,
 * profile, description, next run (after `now`) and newest run.
 */
export async function listSweepSchedules(
	db: DbOrTx,
	options: { connectorId?: number; now?: Date } = {}
): Promise<SweepScheduleView[]> {
	const rows = await loadRows(
		db,
		options.connectorId === undefined
			? undefined
			: eq(sweepSchedules.connectorId, options.connectorId)
	);
	return viewsOf(db, rows, options.now ?? new Date());
}

/** The stored row. @throws ScheduleError 404 `schedules.not_found` */
export async function getSweepScheduleRow(db: DbOrTx, id: number): Promise<SweepSchedule> {
	const [row] = await db.select().from(sweepSchedules).where(eq(sweepSchedules.id, id));
	if (!row) throw notFound(id);
	return row;
}

/** One schedule as the API shows it. @throws ScheduleError 404 */
export async function getSweepSchedule(
	db: DbOrTx,
	id: number,
	now: Date = new Date()
): Promise<SweepScheduleView> {
	const [row] = await loadRows(db, eq(sweepSchedules.id, id));
	if (!row) throw notFound(id);
	const [view] = await viewsOf(db, [row], now);
	return view!;
}

/**
 * Creates a schedule.
 * @param body the `POST /api/v1/schedules` body (validated here)
 * @throws ValiError (wrong types); ScheduleError 400 `validation.failed` naming the field (bad
 *   cron, unknown zone, unknown connector or profile); nothing is saved then
 */
export async function createSweepSchedule(
	db: Database,
	body: unknown,
	now: Date = new Date()
): Promise<SweepScheduleView> {
	const input = v.parse(SweepScheduleCreateSchema, body);
	const timezone = input.timezone ?? (await getSettings(db)).general.timeZone;
	const values: ScheduleValues = {
		connectorId: input.connectorId,
		sweepType: input.sweepType,
		cron: input.cron,
		timezone,
		enabled: input.enabled ?? true,
		throttleProfileId: input.throttleProfileId ?? null,
		batchLimit: input.batchLimit ?? null
	};
	const id = await db.transaction(async (tx) => {
		await assertValid(tx, values);
		const [row] = await tx
			.insert(sweepSchedules)
			.values({ ...values, createdAt: now, updatedAt: now })
			.returning({ id: sweepSchedules.id });
		if (!row) throw new Error('insert into sweep_schedules returned no row');
		await announceScheduleChange(tx, `sweep:${row.id}`);
		return row.id;
	});
	scheduleChanged(`sweep:${id}`);
	log.info({ scheduleId: id, ...values }, 'sweep schedule created');
	return getSweepSchedule(db, id, now);
}

/**
 * Changes any field of a schedule; the result is checked as a whole.
 * @throws ValiError; ScheduleError 404, 400 `validation.failed` (nothing is saved then)
 */
export async function updateSweepSchedule(
	db: Database,
	id: number,
	body: unknown,
	now: Date = new Date()
): Promise<SweepScheduleView> {
	const input = v.parse(SweepScheduleUpdateSchema, body);
	await db.transaction(async (tx) => {
		const [current] = await tx
			.select()
			.from(sweepSchedules)
			.where(eq(sweepSchedules.id, id))
			.for('update');
		if (!current) throw notFound(id);
		const values: ScheduleValues = {
			connectorId: input.connectorId ?? current.connectorId,
			sweepType: input.sweepType ?? current.sweepType,
			cron: input.cron ?? current.cron,
			timezone: input.timezone ?? current.timezone,
			enabled: input.enabled ?? current.enabled,
			throttleProfileId:
				input.throttleProfileId === undefined ? current.throttleProfileId : input.throttleProfileId,
			batchLimit: input.batchLimit === undefined ? current.batchLimit : input.batchLimit
		};
		await assertValid(tx, values);
		// Strictly later than the stored time, so a reader comparing versions sees the change.
		const at = new Date(Math.max(now.getTime(), current.updatedAt.getTime() + 1));
		await tx
			.update(sweepSchedules)
			.set({ ...values, updatedAt: at })
			.where(eq(sweepSchedules.id, id));
		await announceScheduleChange(tx, `sweep:${id}`);
	});
	scheduleChanged(`sweep:${id}`);
	return getSweepSchedule(db, id, now);
}

/**
 * Deletes a schedule. Its queued commands stay in the request queue and fall back to the
 * connector's throttle profile (`request_queue.sweep_schedule_id` is set null); its past runs
 * stay in the job history.
 * @throws ScheduleError 404
 */
export async function deleteSweepSchedule(db: Database, id: number): Promise<void> {
	await db.transaction(async (tx) => {
		const gone = await tx
			.delete(sweepSchedules)
			.where(eq(sweepSchedules.id, id))
			.returning({ id: sweepSchedules.id });
		if (gone.length === 0) throw notFound(id);
		await announceScheduleChange(tx, `sweep:${id}`);
	});
	scheduleChanged(`sweep:${id}`);
	log.info({ scheduleId: id }, 'sweep schedule deleted');
}

/** The result a scheduled sweep run stores (`job_runs.result`). */
export interface ScheduledSweepSummary extends Record<string, unknown> {
	scheduleId: number;
	kind: SweepType;
	skipped: string | null;
	queuedBatches: number;
	queuedSearches: number;
	gaps: number;
	upgrades: number;
	batchLimit: number | null;
	throttleProfileId: number | null;
}

/**
 * The body of one run of schedule `id`: reads the schedule and its connector afresh and sweeps
 * with the schedule's type, batch limit and profile (its rows are stamped with the schedule's
 * id). For a scheduled tick (`tick.scheduled`) a schedule turned off meanwhile is `skipped`; with
 * `tick.tickAt` (its planned time), a run of this schedule that another process started at or
 * after `tickAt` makes this one `skipped` (leader-only per tick, even when the first run finished
 * before this process's timer fired).
 */
export async function sweepScheduleBody(
	deps: OperationDeps,
	id: number,
	ctx: Pick<JobContext, 'runId'>,
	tick?: { scheduled: boolean; tickAt?: Date | undefined }
): Promise<JobOutcome> {
	const tickAt = tick?.tickAt;
	const { db } = deps;
	if (tickAt) {
		const served = await tickServedBy(db, sweepJobName(id), tickAt, ctx.runId);
		if (served !== null) {
			return {
				status: 'skipped',
				message: TICK_ALREADY_SERVED,
				result: { idle: true, servedBy: served }
			};
		}
	}
	const [row] = await db
		.select({ schedule: sweepSchedules, connector: connectors })
		.from(sweepSchedules)
		.innerJoin(connectors, eq(connectors.id, sweepSchedules.connectorId))
		.where(eq(sweepSchedules.id, id));
	if (!row) {
		return {
			status: 'skipped',
			message: 'The schedule was deleted.',
			result: { idle: true, scheduleId: id }
		};
	}
	const { schedule, connector } = row;
	if (tick?.scheduled && !schedule.enabled) {
		// Turned off after this process's timer had already fired ("Run now" still runs it).
		return {
			status: 'skipped',
			message: 'The schedule is turned off.',
			result: { idle: true, scheduleId: id }
		};
	}
	const result = await runSweep({
		db,
		connector,
		kind: schedule.sweepType,
		...(deps.clock ? { clock: deps.clock } : {}),
		schedule: {
			id: schedule.id,
			throttleProfileId: schedule.throttleProfileId,
			batchLimit: schedule.batchLimit
		}
	});
	const summary: ScheduledSweepSummary = {
		scheduleId: schedule.id,
		kind: schedule.sweepType,
		skipped: result.skipped,
		queuedBatches: result.queuedBatches,
		queuedSearches: result.queuedSearches,
		gaps: result.wanted.gaps,
		upgrades: result.wanted.upgrades,
		batchLimit: schedule.batchLimit,
		throttleProfileId: schedule.throttleProfileId,
		...(result.queuedBatches === 0 ? { idle: true } : {})
	};
	const message = describeSweepResult(result);
	return result.skipped === null
		? { message, result: summary }
		: { status: 'skipped', message, result: summary };
}

/**
 * Starts a run of schedule `id` in the background (job `sweep.schedule.<id>` on its connector).
 * @throws ScheduleError 404; JobConflictError when a sweep of the connector is running (here or
 *   in another process); MaintenanceError during a restore
 */
export async function startSweepScheduleRun(
	deps: OperationDeps,
	id: number,
	options: { trigger: JobTrigger; userId?: number | null; tickAt?: Date }
): Promise<StartedJob & { schedule: SweepSchedule }> {
	const schedule = await getSweepScheduleRow(deps.db, id);
	const started = await startJob({
		db: deps.db,
		job: sweepJobName(id),
		connectorId: schedule.connectorId,
		trigger: options.trigger,
		userId: options.userId ?? null,
		...(deps.clock ? { clock: deps.clock } : {}),
		run: (ctx) =>
			sweepScheduleBody(deps, id, ctx, {
				scheduled: options.trigger === 'schedule',
				tickAt: options.tickAt
			})
	});
	return { ...started, schedule };
}

/**
 * "Run now": starts schedule `id` as a manual run and returns the run (`running`) at once; the
 * page follows it through `/api/v1/jobs/{id}`.
 * @throws ScheduleError 404, 409 `schedules.already_running` (a sweep of the connector is
 *   running; the message names the run); MaintenanceError 503
 */
export async function runSweepScheduleNow(
	deps: OperationDeps,
	id: number,
	options: { userId?: number | null } = {}
): Promise<JobRunView> {
	try {
		const started = await startSweepScheduleRun(deps, id, {
			trigger: 'manual',
			userId: options.userId ?? null
		});
		return started.run;
	} catch (error) {
		if (!(error instanceof JobConflictError)) throw error;
		const schedule = await getSweepScheduleRow(deps.db, id);
		const [connector] = await deps.db
			.select({ name: connectors.name })
			.from(connectors)
			.where(eq(connectors.id, schedule.connectorId));
		throw new ScheduleError(
			'schedules.already_running',
			`A sweep of ${connector?.name ?? `connector ${schedule.connectorId}`} is already running` +
				(error.runningId === null ? '' : ` (run ${error.runningId})`) +
				'; wait for it to finish.',
			{ status: 409 }
		);
	}
}

/**
 * The next `count` run times of schedule `id` (ISO 8601 UTC), empty when it is disabled.
 * @throws ScheduleError 404
 */
export async function scheduleNextRuns(
	db: DbOrTx,
	id: number,
	count: number,
	from: Date = new Date()
): Promise<string[]> {
	const schedule = await getSweepScheduleRow(db, id);
	if (!schedule.enabled) return [];
	return nextRunTimes(schedule.cron, schedule.timezone, count, from).map((d) => d.toISOString());
}

/**
 * The editor's live check of a pattern: its description and next `count` runs in `timezone`.
 * @param options.sweep refuse patterns firing more often than once a minute (sweeps; not the
 *   built-in jobs, some of which run every 15 s)
 * @throws ScheduleError 400 `validation.failed` naming `cron` and/or `timezone`
 */
export function previewSchedule(
	cron: string,
	timezone: string,
	count: number,
	options: { from?: Date; sweep?: boolean } = {}
): SchedulePreview {
	const fields: Record<string, string> = {};
	const zone = timeZoneProblem(timezone.trim());
	if (zone) fields.timezone = zone;
	const problem = cronProblem(
		cron,
		zone ? 'UTC' : timezone.trim(),
		options.sweep === false ? {} : { minIntervalSeconds: SWEEP_MIN_INTERVAL_SECONDS }
	);
	if (problem) fields.cron = problem;
	if (Object.keys(fields).length > 0) throw invalid(fields);
	return {
		valid: true,
		description: describeCron(cron),
		runs: nextRunTimes(cron.trim(), timezone.trim(), count, options.from).map((d) =>
			d.toISOString()
		)
	};
}

/**
 * Every run of every enabled sweep schedule from `from` for `days` days (1–31), for the Schedules
 * page's timeline (overlaps and long gaps per connector), by connector name.
 */
export async function scheduleTimeline(
	db: DbOrTx,
	options: { from?: Date; days?: number } = {}
): Promise<ScheduleTimeline> {
	const from = options.from ?? new Date();
	const days = Math.min(
		SCHEDULE_LIMITS.timelineMaxDays,
		Math.max(1, Math.trunc(options.days ?? 7))
	);
	const to = new Date(from.getTime() + days * 86_400_000);
	const rows = await loadRows(db, eq(sweepSchedules.enabled, true));
	return {
		from: from.toISOString(),
		to: to.toISOString(),
		schedules: rows.map(({ schedule, connectorName }) => {
			const { runs, truncated } = runsBetween(
				schedule.cron,
				schedule.timezone,
				from,
				to,
				SCHEDULE_LIMITS.timelineMaxRunsPerSchedule
			);
			return {
				scheduleId: schedule.id,
				connectorId: schedule.connectorId,
				connectorName,
				sweepType: schedule.sweepType,
				cron: schedule.cron,
				timezone: schedule.timezone,
				runs: runs.map((d) => d.toISOString()),
				truncated
			};
		})
	};
}
