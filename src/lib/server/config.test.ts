import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL } from 'bun';
import { ConfigError, readConfig } from './config';

/** Writes `content` to a fresh file and returns its path. */
function secretFile(content: string): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-config-'));
	const file = path.join(dir, 'db_password');
	writeFileSync(file, content, { mode: 0o600 });
	return file;
}

/** The password Bun's PostgreSQL client will send for `url` (what openDatabase() connects with). */
function clientPassword(url: string | undefined): string {
	if (!url) throw new Error('no database URL');
	const client = new SQL(url);
	return client.options.password as string;
}

describe('DATABASE_PASSWORD_FILE', () => {
	it('puts the file password into DATABASE_URL, any character, one trailing newline dropped', () => {
		const password = 'p@ss:/w%rd#? x';
		const config = readConfig({
			DATABASE_URL: 'postgres://comradarr@db:5432/comradarr',
			DATABASE_PASSWORD_FILE: secretFile(`${password}\n`)
		});
		expect(clientPassword(config.databaseUrl)).toBe(password);
		const client = new SQL(config.databaseUrl as string);
		expect(client.options.username).toBe('comradarr');
		expect(client.options.hostname).toBe('db');
		expect(client.options.database).toBe('comradarr');
	});

	it('leaves DATABASE_URL alone when the variable is unset', () => {
		expect(readConfig({ DATABASE_URL: 'postgres://a:b@h:5432/d' }).databaseUrl).toBe(
			'postgres://a:b@h:5432/d'
		);
		expect(readConfig({}).databaseUrl).toBeUndefined();
	});

	it('refuses a missing or empty file, naming the variable', () => {
		const url = 'postgres://comradarr@db:5432/comradarr';
		const missing = path.join(os.tmpdir(), 'comradarr-no-such-dir', 'db_password');
		expect(() => readConfig({ DATABASE_URL: url, DATABASE_PASSWORD_FILE: missing })).toThrow(
			ConfigError
		);
		expect(() => readConfig({ DATABASE_URL: url, DATABASE_PASSWORD_FILE: missing })).toThrow(
			/DATABASE_PASSWORD_FILE .*cannot be read \(ENOENT\)/
		);
		expect(() =>
			readConfig({ DATABASE_URL: url, DATABASE_PASSWORD_FILE: secretFile('\n') })
		).toThrow(/DATABASE_PASSWORD_FILE .* is empty/);
	});

	it('refuses a password in two places, and a password file without DATABASE_URL', () => {
		const file = secretFile('s3cret');
		expect(() =>
			readConfig({ DATABASE_URL: 'postgres://a:inline@h/d', DATABASE_PASSWORD_FILE: file })
		).toThrow(/DATABASE_URL contains a password/);
		expect(() => readConfig({ DATABASE_PASSWORD_FILE: file })).toThrow(
			/DATABASE_PASSWORD_FILE is set but DATABASE_URL is not/
		);
	});
});
