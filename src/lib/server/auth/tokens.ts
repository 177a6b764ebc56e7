/**
 * Random tokens and their digests. Cookies and API keys carry the token; the database stores only
 * the hex SHA-256, so a leaked database does not yield working credentials. A plain hash (no salt,
 * no stretching) is enough because the tokens carry 256 bits of entropy.
 */
import { createHash, randomBytes } from 'node:crypto';

/** `bytes` random bytes, base64url without padding (32 bytes → 43 characters). */
export function randomToken(bytes = 32): string {
	return randomBytes(bytes).toString('base64url');
}

/** Lower-case hex SHA-256 of a UTF-8 string (64 characters). */
export function sha256Hex(value: string): string {
	return createHash('sha256').update(value, 'utf8').digest('hex');
}
