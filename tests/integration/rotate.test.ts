import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { SONARR_KEY, RADARR_KEY, useWorld } from '../helpers/world';
import { connectors } from '../../src/lib/server/db/schema';
import { createSecretBox, SecretError } from '../../src/lib/server/crypto/secrets';
import { rotateSecrets } from '../../src/lib/server/crypto/rotate';

const world = useWorld();

describe('secret rotation', () => {
	it('re-encrypts every connector key under the new secret', async () => {
		const a = await world.addConnector('/sonarr');
		const b = await world.addConnector('/radarr');
		const next = createSecretBox('the next secret');
		expect(await rotateSecrets(world.db, world.secrets, next)).toEqual({ connectors: 2 });
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
});
