/**
 * Users, sessions, API keys and login attempts.
 *
 * Sessions store the SHA-256 of the cookie token, never the token; API keys store the SHA-256 of
 * the key and a short prefix to recognise it in the UI.
 */
import { index, integer, pgTable, text, varchar, boolean } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';

export const users = pgTable('users', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	username: varchar('username', { length: 64 }).notNull().unique(),
	/** Argon2id PHC string. */
	passwordHash: text('password_hash').notNull(),
	createdAt: timestamptz('created_at').notNull().defaultNow()
});

export const sessions = pgTable(
	'sessions',
	{
		/** Hex SHA-256 of the session token held in the cookie. */
		id: varchar('id', { length: 64 }).primaryKey(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: timestamptz('expires_at').notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow()
	},
	(t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)]
);

export const apiKeys = pgTable('api_keys', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: varchar('name', { length: 100 }).notNull(),
	/** Hex SHA-256 of the key. */
	keyHash: varchar('key_hash', { length: 64 }).notNull().unique(),
	/** First 8 characters, to recognise the key in lists. */
	prefix: varchar('prefix', { length: 12 }).notNull(),
	/** `read` keys may only GET. */
	readOnly: boolean('read_only').notNull().default(false),
	userId: integer('user_id')
		.notNull()
		.references(() => users.id, { onDelete: 'cascade' }),
	createdAt: timestamptz('created_at').notNull().defaultNow(),
	lastUsedAt: timestamptz('last_used_at')
});

export const loginAttempts = pgTable(
	'login_attempts',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		username: varchar('username', { length: 64 }).notNull(),
		address: varchar('address', { length: 64 }).notNull(),
		success: boolean('success').notNull(),
		at: timestamptz('at').notNull().defaultNow()
	},
	(t) => [index('login_attempts_lookup_idx').on(t.username, t.address, t.at)]
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
