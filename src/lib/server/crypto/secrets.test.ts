import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSecretBox, loadSecret, SecretError } from './secrets';

describe('secret box', () => {
	it('round-trips and never stores the plaintext', () => {
		const box = createSecretBox('correct horse battery staple');
		const c = box.encrypt('0123456789abcdef0123456789abcdef');
		expect(c).not.toContain('0123456789abcdef');
		expect(box.decrypt(c)).toBe('0123456789abcdef0123456789abcdef');
		expect(box.encrypt('x')).not.toBe(box.encrypt('x'));
	});

	it('refuses a value encrypted under another key or tampered with', () => {
		const c = createSecretBox('one').encrypt('secret');
		expect(() => createSecretBox('two').decrypt(c)).toThrow(SecretError);
		const parts = c.split(':');
		parts[3] = Buffer.from('other').toString('base64url');
		expect(() => createSecretBox('one').decrypt(parts.join(':'))).toThrow(SecretError);
	});

	it('generates a 0600 key file once and reuses it', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-secret-'));
		const first = loadSecret({}, dir);
		expect(first).toMatch(/^[0-9a-f]{64}$/);
		expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
		expect(loadSecret({}, dir)).toBe(first);
		expect(loadSecret({ SECRET_KEY: 'env wins' }, dir)).toBe('env wins');
	});

	it('reads SECRET_KEY_FILE and refuses a missing or empty one, naming the variable', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-secret-'));
		const file = path.join(dir, 'secret_key');
		writeFileSync(file, 'from the file\n');
		expect(loadSecret({ SECRET_KEY_FILE: file }, dir)).toBe('from the file');
		expect(() => loadSecret({ SECRET_KEY_FILE: path.join(dir, 'missing') }, dir)).toThrow(
			/SECRET_KEY_FILE .* does not exist/
		);
		writeFileSync(file, '\n');
		expect(() => loadSecret({ SECRET_KEY_FILE: file }, dir)).toThrow(/SECRET_KEY_FILE .* is empty/);
	});
});
