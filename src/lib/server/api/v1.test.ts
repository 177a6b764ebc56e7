import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/secrets';
import { jsonError } from '../http/api';
import { testConnectorEdit } from '../services/connectors/connector-service';

describe('connector errors as the API answers them', () => {
	it('answers a stored key the current SECRET_KEY cannot decrypt with 409 secrets.invalid on apiKey', async () => {
		const url = 'http://127.0.0.1:8989';
		const stored = createSecretBox('a'.repeat(64)).encrypt('0123456789abcdef0123456789abcdef');
		const error: unknown = await testConnectorEdit(
			{ url, apiKeyEncrypted: stored },
			createSecretBox('b'.repeat(64)),
			{ type: 'sonarr', url, apiKey: '' }
		).then(
			() => null,
			(e: unknown) => e
		);
		const answer = jsonError(error);
		expect(answer.status).toBe(409);
		expect(await answer.json()).toMatchObject({
			error: {
				code: 'secrets.invalid',
				fields: { apiKey: expect.stringMatching(/enter the key again/) }
			}
		});
	});
});
