import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { SONARR_KEY, RADARR_KEY, useWorld } from '../helpers/world';
import { connectors, notificationChannels } from '../../src/lib/server/db/schema';
import { createSecretBox, SecretError } from '../../src/lib/server/crypto/secrets';
import { rotateSecrets } from '../../src/lib/server/crypto/rotate';

const world = useWorld();

describe('secret rotation', () => {
	it('re-encrypts every connector key under the new secret', async () => {
		const a = await world.addConnector('/sonarr');
		const b = await world.addConnector('/radarr');
		const next = createSecretBox('the next secret');
		expect(await rotateSecrets(world.db, world.secrets, next)).toEqual({
			connectors: 2,
			notificationChannels: 0
		});
		const rows = await world.db.select().from(connectors).orderBy(connectors.id);
		expect(rows.map((r) => next.decrypt(r.apiKeyEncrypted))).toEqual([SONARR_KEY, RADARR_KEY]);
		expect(() => world.secrets.decrypt(rows[0]!.apiKeyEncrypted)).toThrow(SecretError);
		expect(rows.map((r) => r.id)).toEqual([a.id, b.id]);
	});

	it('changes nothing when one stored key cannot be decrypted', async () => {
		const a = await world.addConnector('/sonarr');
		const b = await world.addConnector('/radarr');
		const foreign = createSecretBox('another instance').encrypt('x'.repeat(32));
		await world.db
			.update(connectors)
			.set({ apiKeyEncrypted: foreign })
			.where(eq(connectors.id, b.id));
		const before = await world.db.select().from(connectors).orderBy(connectors.id);
		await expect(
			rotateSecrets(world.db, world.secrets, createSecretBox('next'))
		).rejects.toBeInstanceOf(SecretError);
		const after = await world.db.select().from(connectors).orderBy(connectors.id);
		expect(after.map((r) => r.apiKeyEncrypted)).toEqual(before.map((r) => r.apiKeyEncrypted));
		expect(world.secrets.decrypt(after.find((r) => r.id === a.id)!.apiKeyEncrypted)).toBe(
			SONARR_KEY
		);
	});

	it('re-encrypts the secrets of every notification channel, skipping those without any', async () => {
		const secret = { token: 'tk_rotate_me_please', password: 'pw' };
		const [withSecrets] = await world.db
			.insert(notificationChannels)
			.values({
				type: 'ntfy',
				name: 'Phone',
				config: { serverUrl: 'https://ntfy.example.org', topic: 'comradarr' },
				secretsEncrypted: world.secrets.encrypt(JSON.stringify(secret))
			})
			.returning();
		await world.db.insert(notificationChannels).values({
			type: 'ntfy',
			name: 'Open topic',
			config: { serverUrl: 'https://ntfy.example.org', topic: 'open' },
			secretsEncrypted: null
		});
		const next = createSecretBox('the next secret');
		expect(await rotateSecrets(world.db, world.secrets, next)).toEqual({
			connectors: 0,
			notificationChannels: 1
		});
		const [row] = await world.db
			.select()
			.from(notificationChannels)
			.where(eq(notificationChannels.id, withSecrets!.id));
		expect(JSON.parse(next.decrypt(row!.secretsEncrypted!))).toEqual(secret);
		expect(() => world.secrets.decrypt(row!.secretsEncrypted!)).toThrow(SecretError);
	});

	it('changes no connector key when a channel secret cannot be decrypted', async () => {
		await world.addConnector('/sonarr');
		await world.db.insert(notificationChannels).values({
			type: 'webhook',
			name: 'Foreign',
			config: { url: 'https://hooks.example.org/in' },
			secretsEncrypted: createSecretBox('another instance').encrypt('{"secret":"x"}')
		});
		const before = await world.db.select().from(connectors);
		await expect(
			rotateSecrets(world.db, world.secrets, createSecretBox('next'))
		).rejects.toBeInstanceOf(SecretError);
		const after = await world.db.select().from(connectors);
		expect(after.map((r) => r.apiKeyEncrypted)).toEqual(before.map((r) => r.apiKeyEncrypted));
	});
});
