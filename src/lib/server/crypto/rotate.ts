/**
 * Secret rotation: re-encrypts every stored secret from one key to another in ONE transaction —
 * either every secret moves to the new key or none does.
 *
 * Stored secrets today: `connectors.api_key_encrypted`. (Notification credentials will join here.)
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db';
import { connectors } from '../db/schema';
import type { SecretBox } from './secrets';

export interface RotationResult {
	connectors: number;
}

/**
 * @throws SecretError when a stored secret cannot be decrypted with `from` (nothing is changed)
 */
export async function rotateSecrets(
	db: Database,
	from: SecretBox,
	to: SecretBox
): Promise<RotationResult> {
	return db.transaction(async (tx) => {
		const rows = await tx
			.select({ id: connectors.id, apiKeyEncrypted: connectors.apiKeyEncrypted })
			.from(connectors)
			.for('update');
		for (const row of rows) {
			const plain = from.decrypt(row.apiKeyEncrypted);
			await tx
				.update(connectors)
				.set({ apiKeyEncrypted: to.encrypt(plain) })
				.where(eq(connectors.id, row.id));
		}
		return { connectors: rows.length };
	});
}
