/**
 * No log line carries the values a failed query ran with. Real failed queries against the test
 * PostgreSQL, logged through a pino logger built with the app's own options into a real file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { users } from '../../src/lib/server/db/schema';
import { LOGGER_OPTIONS, safeErrorMessage } from '../../src/lib/server/logger';
import { reasonForError } from '../../src/lib/server/services/health/health-state';

/** What a user might type into the username field by mistake: their password. */
const SECRET = 'correct-horse-7Q!battery';

let db: Database;
let dir = '';

beforeAll(async () => {
	db = await testDb();
	dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-log-'));
});

afterAll(() => {
	rmSync(dir, { recursive: true, force: true });
});

/** Logs with the app's logger options into a fresh file and returns the lines written. */
function logged(write: (log: pino.Logger) => void): string[] {
	const file = path.join(dir, `${Math.random().toString(36).slice(2)}.log`);
	const destination = pino.destination({ dest: file, sync: true });
	const log = pino({ ...LOGGER_OPTIONS, level: 'debug' }, destination);
	write(log);
	destination.flushSync();
	return readFileSync(file, 'utf8').trim().split('\n');
}

async function failure(query: Promise<unknown>): Promise<unknown> {
	const error = await query.then(
		() => null,
		(e: unknown) => e
	);
	expect(error, 'the query should fail').toBeInstanceOf(Error);
	return error;
}

describe('failed queries in the log', () => {
	it('never log the parameters of a failed query, however the error is logged', async () => {
		const errors = [
			// A NUL byte: PostgreSQL refuses the parameter ("invalid byte sequence").
			await failure(
				db
					.select()
					.from(users)
					.where(eq(users.username, `${SECRET}\u0000`))
			),
			// The value is quoted back in PostgreSQL's message.
			await failure(db.execute(sql`select ${SECRET}::int`)),
			// … also without drizzle's wrapper, which is the only one that knows the parameters.
			await failure(Promise.resolve(db.$client`select ${SECRET}::timestamptz`)),
			// … and in the detail of a unique violation.
			(async () => {
				const values = { username: SECRET, passwordHash: 'x' };
				await db.insert(users).values(values);
				try {
					return await failure(db.insert(users).values(values));
				} finally {
					await db.delete(users).where(eq(users.username, SECRET));
				}
			})()
		];
		const settled = await Promise.all(errors);
		const lines = logged((log) => {
			for (const error of settled) {
				log.error({ err: error }, 'unhandled error');
				log.error({ error }, 'under another key');
				log.error(error as Error);
				// Call sites that log the message as a string.
				log.error({ err: String(error) }, 'as a string');
				log.error({ err: (error as Error).message }, 'the message');
			}
		});
		expect(lines).toHaveLength(settled.length * 5);
		for (const line of lines) {
			expect(line).not.toContain(SECRET);
			expect(line).not.toContain('correct-horse');
		}
		// What a maintainer needs stays: the SQL, the SQLSTATE and the constraint.
		const text = lines.join('\n');
		expect(text).toContain('Failed query: select');
		expect(text).toContain('"errno":"22021"');
		expect(text).toContain('"errno":"22P02"');
		expect(text).toContain('"errno":"23505"');
		expect(text).toMatch(/users_username/);
	});

	it('keeps the parameters out of the failure text stored for a sync or a job', async () => {
		const error = await failure(db.execute(sql`select ${SECRET}::int`));
		// Raw, the message carries the value: the reason this rule exists.
		expect((error as Error).message).toContain(SECRET);
		for (const text of [safeErrorMessage(error), reasonForError(error)]) {
			expect(text).not.toContain(SECRET);
			expect(text).toContain('Failed query');
		}
	});
});
