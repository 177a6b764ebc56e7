/**
 * Runs of background jobs (database maintenance, backups, restores, configuration imports; later
 * the scheduled jobs): one row per run, written as it goes so the UI can follow its progress and
 * the record survives a restart.
 */
import { doublePrecision, index, integer, pgTable, text, varchar } from 'drizzle-orm/pg-core';
import { users } from './auth';
import { jsonb, timestamptz } from './columns';

/** The states of a run; `skipped` means it did not start (e.g. another run held its lock). */
export const JOB_RUN_STATUSES = ['queued', 'running', 'success', 'failed', 'skipped'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

export const jobRuns = pgTable(
	'job_runs',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** Dotted job name: `db.vacuum`, `db.prune`, `db.backup`, `db.restore`, `config.import`… */
		job: varchar('job', { length: 64 }).notNull(),
		status: varchar('status', { length: 16 }).$type<JobRunStatus>().notNull(),
		/** `manual` (a user started it) or `schedule`. */
		trigger: varchar('trigger', { length: 16 }).notNull().default('manual'),
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
		index('job_runs_status_idx').on(t.status)
	]
);

export type JobRun = typeof jobRuns.$inferSelect;
