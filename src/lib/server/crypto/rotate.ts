/**
 * Secret rotation: re-encrypts every stored secret from one key to another in ONE transaction —
 * either every secret moves to the new key or none does.
 *
 * Stored secrets: `connectors.api_key_encrypted` and `notification_channels.secrets_encrypted`
 * (one encrypted JSON object per channel, null when it has none).
 */
import { eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../db';
import { connectors, notificationChannels } from '../db/schema';
import type { SecretBox } from './secrets';

export interface RotationResult {
	connectors: number;
	/** Notification channels whose secrets were re-encrypted. */
	notificationChannels: number;
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
		const channels = await tx
			.select({ id: notificationChannels.id, secrets: notificationChannels.secretsEncrypted })
			.from(notificationChannels)
			.where(isNotNull(notificationChannels.secretsEncrypted))
			.for('update');
		for (const row of channels) {
			if (row.secrets === null) continue;
			await tx
				.update(notificationChannels)
				.set({ secretsEncrypted: to.encrypt(from.decrypt(row.secrets)) })
				.where(eq(notificationChannels.id, row.id));
		}
		return { connectors: rows.length, notificationChannels: channels.length };
	});
}
