/**
 * Sweep schedules: when each connector's gaps and upgrade candidates are swept into the request
 * queue (Schedules page, `/api/v1/schedules`). The built-in jobs keep their own row in
 * `job_schedules` (jobs.ts); these are the user's, several per connector.
 */
import { boolean, index, integer, pgTable, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';
import { connectors } from './connectors';
import { throttleProfiles } from './throttle';
import type { SweepType } from '../../../types/schedules';

export { SWEEP_TYPES, type SweepType } from '../../../types/schedules';

export const sweepSchedules = pgTable(
	'sweep_schedules',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		connectorId: integer('connector_id')
			.notNull()
			.references(() => connectors.id, { onDelete: 'cascade' }),
		sweepType: varchar('sweep_type', { length: 10 }).$type<SweepType>().notNull(),
		/** croner pattern: 5 fields, or 6 with seconds first. */
		cron: varchar('cron', { length: 120 }).notNull(),
		/** IANA time zone the pattern is read in (default: `TZ`, else UTC). */
		timezone: varchar('timezone', { length: 64 }).notNull(),
		enabled: boolean('enabled').notNull().default(true),
		/**
		 * Overrides the connector's throttle profile while the commands this schedule queued are
		 * dispatched; null = the connector's. Deleting a profile in use is refused by the service.
		 */
		throttleProfileId: integer('throttle_profile_id').references(() => throttleProfiles.id, {
			onDelete: 'set null'
		}),
		/** At most this many commands queued per run; null = no limit beyond the throttle's. */
		batchLimit: integer('batch_limit'),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		updatedAt: timestamptz('updated_at').notNull().defaultNow()
	},
	(t) => [index('sweep_schedules_connector_idx').on(t.connectorId)]
);

export type SweepSchedule = typeof sweepSchedules.$inferSelect;
