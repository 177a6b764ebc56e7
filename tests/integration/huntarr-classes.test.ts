/**
 * The two classes of the Huntarr review's findings that are read rather than attacked over HTTP
 * (the others: tests/e2e/zz-huntarr-classes.spec.ts): weak password hashing, and a container that
 * runs as root.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import type { Database } from '../../src/lib/server/db';
import { createUser } from '../../src/lib/server/auth/users';

let db: Database;
beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
});

describe('weak password hashing', () => {
	it('stores Argon2id with at least OWASP’s minimum cost, salted, and never the password', async () => {
		const password = 'correct horse battery staple';
		await createUser(db, { username: 'alice', password });
		await createUser(db, { username: 'bob', password });
		const rows = await db.execute<{ password_hash: string; row: string }>(
			sql`select password_hash, row_to_json(users)::text as row from users order by id`
		);
		expect(rows).toHaveLength(2);
		for (const { password_hash: hash, row } of rows) {
			// OWASP Password Storage Cheat Sheet: Argon2id, m ≥ 19 MiB (19456 KiB), t ≥ 2, p ≥ 1.
			const match =
				/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}$/.exec(
					hash
				);
			expect(match, hash).not.toBeNull();
			const [, m, t, p] = match!.map(Number);
			expect(m).toBeGreaterThanOrEqual(19456);
			expect(t).toBeGreaterThanOrEqual(2);
			expect(p).toBeGreaterThanOrEqual(1);
			expect(row).not.toContain(password);
		}
		// Salted: the same password gives two different hashes.
		expect(rows[0]?.password_hash).not.toBe(rows[1]?.password_hash);
	});
});

describe('a container running as root', () => {
	it('the image runs as an unprivileged user, set before the command', () => {
		const dockerfile = readFileSync('Dockerfile', 'utf8');
		const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
		const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
		expect(users.length).toBeGreaterThan(0);
		expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
		expect(runtime.indexOf('\nUSER ')).toBeLessThan(runtime.indexOf('\nCMD '));
	});
});
