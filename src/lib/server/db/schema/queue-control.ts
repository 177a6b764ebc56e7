/**
 * Queue control: pauses a user set on the request queue.
 *
 * - `queue_pauses`: one row per paused scope. `connector_id` null pauses dispatch for every
 *   connector; a connector id pauses that connector only. A row's presence *is* the pause
 *   (resume deletes it), so the state survives restarts and is shared by every dispatcher
 *   process. `NULLS NOT DISTINCT` (PostgreSQL 15+) keeps at most one global row.
 */
import { integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';
import { connectors } from './connectors';

export const queuePauses = pgTable(
	'queue_pauses',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** The paused connector; null = the whole queue (every connector). */
		connectorId: integer('connector_id').references(() => connectors.id, { onDelete: 'cascade' }),
		pausedAt: timestamptz('paused_at').notNull().defaultNow(),
		/** A pause Comradarr set itself (e.g. after a 429) ends here; null = until resumed. */
		until: timestamptz('until'),
		/** Why: null for a user's pause, else e.g. "rate limited by the app (HTTP 429)". */
		reason: text('reason')
	},
	(t) => [unique('queue_pauses_scope_unique').on(t.connectorId).nullsNotDistinct()]
);

export type QueuePause = typeof queuePauses.$inferSelect;
