/**
 * Runs of background jobs (database maintenance, backups, restores, configuration imports; later
 * the scheduled jobs): one row per run, written as it goes so the UI can follow its progress and
 * the record survives a restart.
 */
import {
	boolean,
	doublePrecision,
	index,
	integer,
	pgTable,
	text,
	varchar
} from 'drizzle-orm/pg-core';
import { users } from './auth';
import { connectors } from './connectors';
import { jsonb, timestamptz } from './columns';

/**
 * The states of a run. `partial`: done, but part of the work failed (one connector of several);
 * `skipped`: it did not run (another run held its lock, a restore held the database, nothing to
 * do), with the reason in `message`.
 */
export const JOB_RUN_STATUSES = [
	'queued',
	'running',
	'success',
	'partial',
	'failed',
	'skipped'
] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

export const jobRuns = pgTable(
	'job_runs',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** Dotted job name: `db.vacuum`, `db.prune`, `db.backup`, `db.restore`, `config.import`… */
		job: varchar('job', { length: 64 }).notNull(),
		status: varchar('status', { length: 16 }).$type<JobRunStatus>().notNull(),
		/** `manual` (a user started it), `schedule` or `webhook`. */
		trigger: varchar('trigger', { length: 16 }).$type<JobTrigger>().notNull().default('manual'),
		/** The connector a per-connector run works on (a sync); null for the others. */
		connectorId: integer('connector_id').references(() => connectors.id, { onDelete: 'cascade' }),
		/** The step now running (`series`, `episodes`, `movies`…), null when the job has none. */
		phase: varchar('phase', { length: 32 }),
		/** Units done of `total` in this phase (series, movies…); null when not counted. */
		done: integer('done'),
		total: integer('total'),
		/** 0–1 when the job can tell; null while unknown. */
		progress: doublePrecision('progress'),
		/** What the job is doing now / did, for the user ("Vacuuming episodes (3 of 12)"). */
		message: text('message'),
		/** The job's own summary when done (rows pruned, backup file name…). */
		result: jsonb<Record<string, unknown>>('result'),
		/** Why it failed, for the user (never a stack, a SQL text or a secret). */
		error: text('error'),
		/** Who started it (null for scheduled runs). */
		userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		startedAt: timestamptz('started_at'),
		finishedAt: timestamptz('finished_at')
	},
	(t) => [
		index('job_runs_job_created_idx').on(t.job, t.createdAt),
		index('job_runs_status_idx').on(t.status),
		index('job_runs_connector_idx').on(t.connectorId, t.id)
	]
);

export type JobRun = typeof jobRuns.$inferSelect;

export const JOB_TRIGGERS = ['manual', 'schedule', 'webhook'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

/**
 * The schedule of each registered job (services/jobs/registry.ts): a row per job, created with the
 * job's default pattern at start-up and never overwritten by it (Settings → Schedules edits it).
 */
export const jobSchedules = pgTable('job_schedules', {
	job: varchar('job', { length: 64 }).primaryKey(),
	/** croner pattern: 5 fields, or 6 with seconds first. */
	pattern: varchar('pattern', { length: 120 }).notNull(),
	enabled: boolean('enabled').notNull().default(true),
	updatedAt: timestamptz('updated_at').notNull().defaultNow()
});

export type JobSchedule = typeof jobSchedules.$inferSelect;
