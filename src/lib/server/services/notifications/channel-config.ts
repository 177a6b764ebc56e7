/**
 * Splitting a channel's configuration into its stored part (`config`) and its write-only secrets
 * (`secrets_encrypted`, one encrypted JSON object), and joining them again for a delivery.
 */
import type { SecretBox } from '$lib/server/crypto/secrets';
import type { NotificationChannelRow } from '$lib/server/db/schema';
import {
	SECRET_FIELDS,
	type ChannelConfig,
	type ChannelConfigs,
	type ChannelType
} from '$lib/types/notifications';

/** The secret field names of `type`. */
export function secretFieldsOf(type: ChannelType): readonly string[] {
	return SECRET_FIELDS[type];
}

/**
 * Splits a full configuration: `config` without the secrets, `secrets` the secret fields that
 * are set (non-empty strings).
 */
export function splitConfig(
	type: ChannelType,
	full: Record<string, unknown>
): { config: ChannelConfig; secrets: Record<string, string> } {
	const names = new Set(secretFieldsOf(type));
	const config: ChannelConfig = {};
	const secrets: Record<string, string> = {};
	for (const [key, value] of Object.entries(full)) {
		if (!names.has(key)) config[key] = value;
		else if (typeof value === 'string' && value !== '') secrets[key] = value;
	}
	return { config, secrets };
}

/** The stored secrets of a channel, decrypted. @throws SecretError when the key changed. */
export function readSecrets(row: NotificationChannelRow, box: SecretBox): Record<string, string> {
	if (!row.secretsEncrypted) return {};
	return JSON.parse(box.decrypt(row.secretsEncrypted)) as Record<string, string>;
}

/** The encrypted form of `secrets`, or null when there are none. */
export function sealSecrets(secrets: Record<string, string>, box: SecretBox): string | null {
	return Object.keys(secrets).length === 0 ? null : box.encrypt(JSON.stringify(secrets));
}

/**
 * The full configuration a sender needs: stored fields and decrypted secrets.
 * @throws SecretError when the secrets cannot be decrypted with this key.
 */
export function fullConfigOf<T extends ChannelType>(
	row: NotificationChannelRow & { type: T },
	box: SecretBox
): ChannelConfigs[T] {
	return { ...row.config, ...readSecrets(row, box) } as ChannelConfigs[T];
}
