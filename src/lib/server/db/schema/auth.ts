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
		/** Sliding expiry (7 days from the last renewal). */
		expiresAt: timestamptz('expires_at').notNull(),
		/** Start of the session: the absolute lifetime (Settings → Security) counts from here. */
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		/** Last request seen on this session (written at most once a minute). */
		lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
		/** Client address at login and the browser's User-Agent (truncated), for the session list. */
		address: varchar('address', { length: 64 }),
		userAgent: varchar('user_agent', { length: 256 })
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
	lastUsedAt: timestamptz('last_used_at'),
	/** Client address of the last use (written with `last_used_at`). */
	lastUsedAddress: varchar('last_used_address', { length: 64 }),
	/** Requests allowed per minute with this key; over it the API answers 429. */
	rateLimitPerMinute: integer('rate_limit_per_minute').notNull().default(120)
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
export type ApiKey = typeof apiKeys.$inferSelect;
