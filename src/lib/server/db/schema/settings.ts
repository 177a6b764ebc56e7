/** Application settings as key → JSON value (small, rarely written). */
import { pgTable, varchar } from 'drizzle-orm/pg-core';
import { jsonb, timestamptz } from './columns';

export const appSettings = pgTable('app_settings', {
	key: varchar('key', { length: 100 }).primaryKey(),
	value: jsonb<unknown>('value').notNull(),
	updatedAt: timestamptz('updated_at').notNull().defaultNow()
});
