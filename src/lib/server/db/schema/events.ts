/**
 * The append-only domain event stream (see src/lib/types/events.ts). Rows are only ever inserted
 * (in the transaction of the change they report) and pruned past the retention.
 */
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, varchar } from 'drizzle-orm/pg-core';
import type { EventSubject, EventType } from '../../../types/events';
import { jsonb, timestamptz } from './columns';
import { connectors } from './connectors';

export const events = pgTable(
	'events',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		type: varchar('type', { length: 48 }).$type<EventType>().notNull(),
		/** Kept (set null) when the connector is deleted: history outlives its source. */
		connectorId: integer('connector_id').references(() => connectors.id, { onDelete: 'set null' }),
		subject: jsonb<EventSubject>('subject')
			.notNull()
			.default(sql`'{}'::jsonb`),
		payload: jsonb<Record<string, unknown>>('payload')
			.notNull()
			.default(sql`'{}'::jsonb`),
		createdAt: timestamptz('created_at').notNull().defaultNow()
	},
	(t) => [
		index('events_created_idx').on(t.createdAt),
		index('events_type_created_idx').on(t.type, t.createdAt),
		index('events_connector_created_idx').on(t.connectorId, t.createdAt)
	]
);

export type EventRow = typeof events.$inferSelect;
