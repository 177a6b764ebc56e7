/**
 * Secret storage (DESIGN.md decision 2): the process key and AES-256-GCM encryption of stored
 * secrets (*arr API keys, notification credentials).
 *
 * The key comes from `SECRET_KEY`, else the file named by `SECRET_KEY_FILE` (Docker secret), else
 * `$DATA_DIR/secret.key`, generated once with mode 0600. Any string is accepted: 64 hex characters
 * are used as the raw 32-byte key, anything else goes through SHA-256.
 * Ciphertext format: `v1:<iv base64url>:<auth tag base64url>:<ciphertext base64url>`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SecretBox {
	encrypt(plaintext: string): string;
	/** @throws SecretError when the value was not encrypted with this key or was tampered with. */
	decrypt(ciphertext: string): string;
}

export class SecretError extends Error {
	readonly code = 'secrets.invalid';
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = 'SecretError';
	}
}

/** Turns the configured secret into the 32-byte AES key. */
export function deriveKey(secret: string): Buffer {
	const trimmed = secret.trim();
	if (trimmed.length === 0) throw new SecretError('SECRET_KEY is empty');
	if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
	return createHash('sha256').update(trimmed, 'utf8').digest();
}

/**
 * Reads the secret from the environment or the key file, generating `$DATA_DIR/secret.key` on
 * first use.
 * @throws SecretError when `SECRET_KEY_FILE` names a missing, unreadable or empty file (the message
 *   names the variable).
 */
export function loadSecret(env: Record<string, string | undefined>, dataDir: string): string {
	if (env.SECRET_KEY) return env.SECRET_KEY;
	if (env.SECRET_KEY_FILE) {
		if (!existsSync(env.SECRET_KEY_FILE)) {
			throw new SecretError(`SECRET_KEY_FILE ${env.SECRET_KEY_FILE} does not exist`);
		}
		let secret: string;
		try {
			secret = readFileSync(env.SECRET_KEY_FILE, 'utf8').trim();
		} catch (error) {
			// Typically EACCES: a Docker secret bind-mounted from a host file the app's user cannot read.
			const reason = (error as NodeJS.ErrnoException).code ?? String(error);
			throw new SecretError(`SECRET_KEY_FILE ${env.SECRET_KEY_FILE} cannot be read (${reason})`);
		}
		if (!secret) throw new SecretError(`SECRET_KEY_FILE ${env.SECRET_KEY_FILE} is empty`);
		return secret;
	}
	const file = path.join(dataDir, 'secret.key');
	if (!existsSync(file)) {
		mkdirSync(dataDir, { recursive: true });
		writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
	}
	return readFileSync(file, 'utf8').trim();
}

/** An AES-256-GCM box around one key. */
export function createSecretBox(secret: string): SecretBox {
	const key = deriveKey(secret);
	return {
		encrypt(plaintext) {
			const iv = randomBytes(12);
			const cipher = createCipheriv('aes-256-gcm', key, iv);
			const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
			const tag = cipher.getAuthTag();
			return [
				'v1',
				iv.toString('base64url'),
				tag.toString('base64url'),
				body.toString('base64url')
			].join(':');
		},
		decrypt(ciphertext) {
			const [version, iv, tag, body] = ciphertext.split(':');
			if (version !== 'v1' || !iv || !tag || body === undefined) {
				throw new SecretError('stored secret has an unknown format');
			}
			try {
				const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
				decipher.setAuthTag(Buffer.from(tag, 'base64url'));
				return Buffer.concat([
					decipher.update(Buffer.from(body, 'base64url')),
					decipher.final()
				]).toString('utf8');
			} catch (cause) {
				throw new SecretError('stored secret cannot be decrypted with the current SECRET_KEY', {
					cause
				});
			}
		}
	};
}

/** Last 4 characters, the only part of a secret ever shown. */
export function secretHint(secret: string): string {
	return secret.slice(-4);
}
